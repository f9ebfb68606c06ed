// "Performance Profiling": the guide's cProfile of `manage.py check` in the backend and
// memory_profiler in the ML service, their output saved as files on this machine.
import { join, resolve } from 'node:path';
import { RoadsideError } from '../errors';
import { defaultOutputFolder } from './backup';
import { defineAction, deploymentRef, runningPodsOf, timestampForFile } from './types';

const RUNBOOK = 'Herramientas de Diagnóstico › 3. Performance Profiling';

export const profileBackend = defineAction({
  id: 'profile-backend',
  title: { es: 'Perfil de CPU del backend (cProfile)', en: 'Backend CPU profile (cProfile)' },
  runbook: RUNBOOK,
  mode: 'exec',
  destructive: false,
  paramDocs: { outDir: { es: 'Carpeta local donde guardar el perfil', en: 'Local folder for the profile' } },
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'list', resource: 'pods', namespace },
  ],
  draft: async ({ client, namespace, params, now, dataDir }) => {
    const { pods } = await runningPodsOf(client, deploymentRef('traffic-system-backend', namespace), 'backend');
    if (!pods[0]) throw new RoadsideError('invalid-input', 'deployment/traffic-system-backend has no running pod to profile');
    const file = join(resolve(params.outDir ?? defaultOutputFolder(dataDir, 'captures')), `profile-backend-${timestampForFile(now)}.txt`);
    return {
      target: `pod/${pods[0].name} -n ${namespace}`,
      steps: [
        {
          kind: 'exec',
          namespace,
          pod: pods[0].name,
          container: pods[0].container,
          // -s cumulative prints the statistics (the runbook's -o writes them inside the pod instead).
          argv: ['python', '-m', 'cProfile', '-s', 'cumulative', 'manage.py', 'check'],
          timeoutMs: 5 * 60_000,
          saveTo: file,
        },
      ],
      destructive: false,
      notes: [{ es: 'Solo lee: ejecuta las comprobaciones de Django bajo cProfile.', en: 'Read-only: runs the Django system checks under cProfile.' }],
      localFiles: [file],
    };
  },
});

export const profileMlService = defineAction({
  id: 'profile-ml-service',
  title: { es: 'Perfil de memoria del ML service (memory_profiler)', en: 'ML service memory profile (memory_profiler)' },
  runbook: RUNBOOK,
  mode: 'exec',
  destructive: false,
  paramDocs: {
    outDir: { es: 'Carpeta local donde guardar el perfil', en: 'Local folder for the profile' },
    seconds: { es: 'Duración de la captura en segundos (5–600)', en: 'Capture length in seconds (5–600)' },
  },
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'list', resource: 'pods', namespace },
  ],
  draft: async ({ client, namespace, params, now, dataDir }) => {
    const { pods } = await runningPodsOf(client, deploymentRef('traffic-system-ml-service', namespace), 'ml-service');
    if (!pods[0]) throw new RoadsideError('invalid-input', 'deployment/traffic-system-ml-service has no running pod to profile');
    const file = join(resolve(params.outDir ?? defaultOutputFolder(dataDir, 'captures')), `profile-ml-service-${timestampForFile(now)}.txt`);
    return {
      target: `pod/${pods[0].name} -n ${namespace}`,
      steps: [
        {
          kind: 'exec',
          namespace,
          pod: pods[0].name,
          container: pods[0].container,
          // memory_profiler runs main.py until `timeout` interrupts it (exit 124 ends the capture).
          argv: ['timeout', '-s', 'INT', String(params.seconds), 'python', '-m', 'memory_profiler', 'main.py'],
          timeoutMs: (params.seconds + 60) * 1000,
          okExitCodes: [124],
          saveTo: file,
        },
      ],
      destructive: false,
      notes: [
        {
          es: `Arranca una segunda instancia de main.py durante ${params.seconds} s dentro del pod: usa memoria y GPU extra mientras dura.`,
          en: `Starts a second main.py inside the pod for ${params.seconds} s: it uses extra memory and GPU while it runs.`,
        },
      ],
      localFiles: [file],
    };
  },
});

// "Disco Lleno": expand a PVC (when its StorageClass allows it) and clean old log and image
// files with the runbook's fixed find commands, in every running pod of the workload.
import { RoadsideError } from '../errors';
import { ApiStatusError } from './kube-client';
import { defineAction, deploymentRef, describeRef, objectPath, runningPodsOf, type ObjectRef, type Step } from './types';

const RUNBOOK = '3. Problemas de Almacenamiento › Disco Lleno';
const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes of a storage quantity such as 100Gi (undefined when it is not one). */
export function storageBytes(quantity: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]i?)?$/.exec(quantity ?? '');
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? UNITS[m[2]] : 1);
}

export const expandPvc = defineAction({
  id: 'expand-pvc',
  title: { es: 'Expandir un volumen (PVC)', en: 'Expand a volume (PVC)' },
  runbook: RUNBOOK,
  mode: 'objects',
  destructive: false,
  paramDocs: {
    pvc: { es: 'PVC a expandir (guía: traffic-system-shared-storage)', en: 'PVC to expand (runbook: traffic-system-shared-storage)' },
    size: { es: 'Nuevo tamaño, mayor que el actual (guía: 200Gi)', en: 'New size, larger than the current one (runbook: 200Gi)' },
  },
  requirements: ({ namespace, params }) => [{ verb: 'patch', resource: 'persistentvolumeclaims', namespace, name: params.pvc }],
  draft: async ({ client, namespace, params }) => {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', name: params.pvc, namespace };
    const pvc = await client.get(objectPath(ref));
    if (!pvc) throw new RoadsideError('not-found', `persistentvolumeclaim/${params.pvc} does not exist in ${namespace}`);
    const current = pvc.spec?.resources?.requests?.storage as string | undefined;
    const currentBytes = storageBytes(current);
    const wanted = storageBytes(params.size)!;
    if (currentBytes !== undefined && wanted <= currentBytes) {
      throw new RoadsideError('invalid-input', `${params.pvc} already requests ${current}; a PVC can only grow (asked for ${params.size})`);
    }
    const notes = [{ es: `De ${current ?? '?'} a ${params.size}. Un PVC no se puede reducir después.`, en: `From ${current ?? '?'} to ${params.size}. A PVC cannot be shrunk afterwards.` }];
    const className = pvc.spec?.storageClassName as string | undefined;
    if (className) {
      try {
        const sc = await client.get(objectPath({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', plural: 'storageclasses', name: className }));
        if (sc && sc.allowVolumeExpansion !== true) {
          throw new RoadsideError('invalid-input', `StorageClass ${className} does not allow volume expansion (allowVolumeExpansion is not true), so ${params.pvc} cannot grow`);
        }
      } catch (err) {
        if (!(err instanceof ApiStatusError && err.status === 403)) throw err;
        notes.push({ es: `No se pudo leer la StorageClass ${className}: confirme que permite expansión.`, en: `Could not read StorageClass ${className}: make sure it allows expansion.` });
      }
    }
    return {
      target: describeRef(ref),
      steps: [{ kind: 'patch', ref, patchType: 'merge', body: { spec: { resources: { requests: { storage: params.size } } } } }],
      destructive: false,
      notes,
      localFiles: [],
    };
  },
});

const LOG_CLEANUP = { deployment: 'traffic-system-backend', container: 'backend', find: ['find', '/app/logs', '-name', '*.log', '-mtime', '+7'] };
const IMAGE_CLEANUP = { deployment: 'traffic-system-ml-service', container: 'ml-service', find: ['find', '/tmp', '-name', '*.jpg', '-mtime', '+1'] };

export const cleanOldFiles = defineAction({
  id: 'clean-old-files',
  title: { es: 'Limpiar logs e imágenes antiguos', en: 'Clean old logs and images' },
  runbook: RUNBOOK,
  mode: 'exec',
  destructive: false,
  paramDocs: { scope: { es: 'logs (backend, >7 días), images (ML, >1 día) o both', en: 'logs (backend, >7 days), images (ML, >1 day) or both' } },
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'list', resource: 'pods', namespace },
  ],
  draft: async ({ client, namespace, params }) => {
    const families = params.scope === 'logs' ? [LOG_CLEANUP] : params.scope === 'images' ? [IMAGE_CLEANUP] : [LOG_CLEANUP, IMAGE_CLEANUP];
    const steps: Step[] = [];
    const targets: string[] = [];
    for (const f of families) {
      const { pods } = await runningPodsOf(client, deploymentRef(f.deployment, namespace), f.container);
      if (pods.length === 0) throw new RoadsideError('invalid-input', `deployment/${f.deployment} has no running pod to clean`);
      targets.push(`deployment/${f.deployment}`);
      for (const pod of pods) {
        steps.push({ kind: 'exec', namespace, pod: pod.name, container: pod.container, argv: [...f.find, '-delete'], probe: f.find, timeoutMs: 120_000 });
      }
    }
    return {
      target: `${targets.join(', ')} -n ${namespace}`,
      steps,
      destructive: false,
      notes: [{ es: 'Los archivos borrados no se pueden recuperar.', en: 'Deleted files cannot be recovered.' }],
      localFiles: [],
    };
  },
});

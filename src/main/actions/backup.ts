// "Backup de Emergencia": pg_dump streamed by exec into a local file, and the namespace's
// workload objects (what `kubectl get all -o yaml` shows, plus their configuration) as YAML.
import { join, resolve } from 'node:path';
import { RoadsideError } from '../errors';
import { defineAction, isRunning, objectPath, timestampForFile } from './types';

const POSTGRES_POD = 'traffic-system-postgresql-0';
const POSTGRES_CONTAINER = 'postgresql';
const PG_USER = 'trafficuser';
const PG_DATABASE = 'trafficdb';

/** What `kubectl get all` covers, plus the configuration a restore needs (never Secrets). */
export const CONFIG_COLLECTIONS: Array<{ api: string; plural: string; kind: string }> = [
  { api: '/api/v1', plural: 'pods', kind: 'Pod' },
  { api: '/api/v1', plural: 'services', kind: 'Service' },
  { api: '/apis/apps/v1', plural: 'deployments', kind: 'Deployment' },
  { api: '/apis/apps/v1', plural: 'statefulsets', kind: 'StatefulSet' },
  { api: '/apis/apps/v1', plural: 'daemonsets', kind: 'DaemonSet' },
  { api: '/apis/apps/v1', plural: 'replicasets', kind: 'ReplicaSet' },
  { api: '/apis/batch/v1', plural: 'jobs', kind: 'Job' },
  { api: '/apis/batch/v1', plural: 'cronjobs', kind: 'CronJob' },
  { api: '/apis/autoscaling/v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' },
  { api: '/api/v1', plural: 'configmaps', kind: 'ConfigMap' },
  { api: '/api/v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
  { api: '/apis/networking.k8s.io/v1', plural: 'ingresses', kind: 'Ingress' },
  { api: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', kind: 'NetworkPolicy' },
];

export function defaultOutputFolder(dataDir: string, kind: 'backups' | 'captures'): string {
  return join(dataDir, kind);
}

export const emergencyBackup = defineAction({
  id: 'emergency-backup',
  title: { es: 'Backup de emergencia', en: 'Emergency backup' },
  runbook: 'Procedimientos de Emergencia › 2. Backup de Emergencia',
  mode: 'exec',
  destructive: false,
  paramDocs: { outDir: { es: 'Carpeta local donde guardar los archivos', en: 'Local folder for the files' } },
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace, name: POSTGRES_POD },
    ...CONFIG_COLLECTIONS.map((c) => ({
      verb: 'list',
      resource: c.plural,
      ...(c.api === '/api/v1' ? {} : { group: c.api.split('/')[2] }),
      namespace,
    })),
  ],
  draft: async ({ client, namespace, params, now, dataDir }) => {
    const pod = await client.get(objectPath({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', name: POSTGRES_POD, namespace }));
    if (!pod) throw new RoadsideError('not-found', `pod/${POSTGRES_POD} does not exist in ${namespace}`);
    if (!isRunning(pod)) throw new RoadsideError('invalid-input', `pod/${POSTGRES_POD} is ${pod.status?.phase ?? 'not running'}: pg_dump needs the database running`);
    const folder = resolve(params.outDir ?? defaultOutputFolder(dataDir, 'backups'));
    const stamp = timestampForFile(now);
    const sqlFile = join(folder, `emergency-backup-${stamp}.sql`);
    const yamlFile = join(folder, `emergency-config-${stamp}.yaml`);
    return {
      target: `pod/${POSTGRES_POD} -n ${namespace}`,
      steps: [
        { kind: 'exec', namespace, pod: POSTGRES_POD, container: POSTGRES_CONTAINER, argv: ['pg_dump', '-U', PG_USER, PG_DATABASE], timeoutMs: 30 * 60_000, saveTo: sqlFile },
        { kind: 'dump', file: yamlFile, namespace, collections: CONFIG_COLLECTIONS.map((c) => ({ path: `${c.api}/namespaces/${namespace}/${c.plural}`, kind: c.kind })) },
      ],
      destructive: false,
      notes: [
        {
          es: 'Los archivos quedan en esta máquina (permisos 600). El dump contiene datos personales: guárdelo con cuidado. Los Secrets no se copian.',
          en: 'The files stay on this machine (mode 600). The dump holds personal data: keep it safe. Secrets are not copied.',
        },
      ],
      localFiles: [sqlFile, yamlFile],
    };
  },
});

// What an action family declares: the permissions it needs and, from a read of the
// cluster, the steps it would take. The planner previews the steps (dry run, diff),
// the executor applies exactly those steps.
import type { AccessCheck, ActionId, ActionInfo, ActionParams } from '../../shared/actions';
import type { LocalizedText } from '../../shared/checks';
import type { KObj, KubeClient, PatchType } from './kube-client';
import { ordinal } from '../../shared/ordinal';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Lower-case plural as in the API path, e.g. deployments. */
  plural: string;
  name: string;
  namespace?: string;
}

export type Step =
  | { kind: 'patch'; ref: ObjectRef; subresource?: 'scale'; patchType: PatchType; body: unknown }
  | { kind: 'create'; ref: ObjectRef; body: KObj }
  | { kind: 'delete'; ref: ObjectRef }
  | {
      kind: 'exec';
      namespace: string;
      pod: string;
      container: string;
      argv: string[];
      timeoutMs: number;
      /** Save stdout to this local file (captures, backups) instead of keeping it as output. */
      saveTo?: string;
      /** A read-only argv whose output the preview shows (e.g. the files that would be deleted). */
      probe?: string[];
      /** Exit codes that also mean it worked (e.g. 124 when `timeout` ends a capture). */
      okExitCodes?: number[];
    }
  | { kind: 'dump'; file: string; namespace: string; collections: Array<{ path: string; kind: string }> }
  | { kind: 'local'; argv: string[]; kubeconfigContext: string };

export interface PlanDraft {
  target: string;
  steps: Step[];
  destructive: boolean;
  confirmWord?: string;
  notes: LocalizedText[];
  localFiles: string[];
  manual?: { reason: string; command: string };
}

export interface ActionEnv<A extends ActionId = ActionId> {
  client: KubeClient;
  context: string;
  namespace: string;
  params: ActionParams<A>;
  now: Date;
  dataDir: string;
}

export type Requirement = Omit<AccessCheck, 'allowed'>;

export interface ActionDefinition<A extends ActionId = ActionId> {
  id: A;
  title: LocalizedText;
  runbook: string;
  mode: ActionInfo['mode'];
  destructive: ActionInfo['destructive'];
  paramDocs: Record<string, LocalizedText>;
  requirements(env: Omit<ActionEnv<A>, 'client' | 'now' | 'dataDir'>): Requirement[];
  draft(env: ActionEnv<A>): Promise<PlanDraft>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any>;

export function defineAction<A extends ActionId>(def: ActionDefinition<A>): ActionDefinition<A> {
  return def;
}

const GROUP_PREFIX: Record<string, string> = { v1: '/api/v1' };

export function apiBase(apiVersion: string): string {
  return GROUP_PREFIX[apiVersion] ?? `/apis/${apiVersion}`;
}

export function collectionPath(ref: Pick<ObjectRef, 'apiVersion' | 'plural' | 'namespace'>): string {
  return `${apiBase(ref.apiVersion)}${ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : ''}/${ref.plural}`;
}

export function objectPath(ref: ObjectRef, subresource?: string): string {
  return `${collectionPath(ref)}/${encodeURIComponent(ref.name)}${subresource ? `/${subresource}` : ''}`;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` -n ${ref.namespace}` : ''}`;
}

export const deploymentRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', name, namespace });

/** Labels as a label selector string (matchLabels only; what the traffic-system's charts use). */
export function selectorOf(workload: KObj): string {
  const labels = (workload.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function isRunning(pod: KObj): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;
}

/** The running pods of a Deployment/StatefulSet, by name, and the container to use in them. */
export async function runningPodsOf(
  client: KubeClient,
  ref: ObjectRef,
  preferredContainer: string,
): Promise<{ workload: KObj; pods: Array<{ name: string; container: string }> }> {
  const workload = await client.get(objectPath(ref));
  if (!workload) throw new NotFoundInCluster(`${describeRef(ref)} does not exist`);
  const selector = selectorOf(workload);
  const pods = (await client.list(collectionPath({ apiVersion: 'v1', plural: 'pods', namespace: ref.namespace }), selector || undefined))
    .filter(isRunning)
    .sort((a, b) => ordinal(a.metadata.name, b.metadata.name));
  return {
    workload,
    pods: pods.map((p) => {
      const containers = ((p.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
      return { name: p.metadata.name, container: containers.includes(preferredContainer) ? preferredContainer : (containers[0] ?? preferredContainer) };
    }),
  };
}

/** The cluster does not hold what the action needs (it is refused, not failed). */
export class NotFoundInCluster extends Error {}

/** kubectl's spelling of an argv: arguments with spaces or shell characters quoted. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function kubectlExec(step: { namespace: string; pod: string; container: string; argv: string[] }): string {
  return `kubectl exec ${step.pod} -n ${step.namespace} -c ${step.container} -- ${shellQuote(step.argv)}`;
}

export function timestampForFile(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z').replace('T', '-');
}

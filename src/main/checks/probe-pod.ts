// Short-lived probe pods (the runbook's `kubectl run test-pod --image=busybox --rm -- ...`):
// create, wait until the pod finishes, read its log, and always delete it.
import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { apiRequestJson, apiRequestText } from '../kube/api-connection';
import { ForbiddenError, type CheckContext, type KObject } from './types';

export interface ProbePodSpec {
  /** Pod name prefix; a random suffix is added. */
  namePrefix: string;
  namespace?: string;
  image: string;
  command: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ProbePodResult {
  podName: string;
  namespace: string;
  /** Succeeded, Failed, or the last phase seen when the wait timed out. */
  phase: string;
  logs: string;
  timedOut: boolean;
  /** Set when the pod could not be deleted afterwards (it needs deleting by hand). */
  cleanupError?: string;
}

/** An optional capability of a CheckContext: checks test for it with `canRunProbePods`. */
export interface ProbePodRunner {
  runProbePod(spec: ProbePodSpec): Promise<ProbePodResult>;
}

export function canRunProbePods(ctx: CheckContext): ctx is CheckContext & ProbePodRunner {
  return typeof (ctx as Partial<ProbePodRunner>).runProbePod === 'function';
}

export const PROBE_POD_LABELS = { 'app.kubernetes.io/managed-by': 'roadside', 'roadside.io/probe': 'true' };
const DEFAULT_TIMEOUT_MS = 60_000;
const POLL_MS = 500;

function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs probe pods with a kubeconfig's current context. */
export class KubeProbePodRunner implements ProbePodRunner {
  constructor(
    private readonly kc: KubeConfig,
    private readonly defaultNamespace: string,
  ) {}

  async runProbePod(spec: ProbePodSpec): Promise<ProbePodResult> {
    const namespace = spec.namespace ?? this.defaultNamespace;
    const name = `${spec.namePrefix}-${randomBytes(3).toString('hex')}`;
    const podPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const body: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { ...PROBE_POD_LABELS } },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        containers: [{ name: 'probe', image: spec.image, command: spec.command }],
      },
    };
    try {
      await apiRequestJson(this.kc, { method: 'POST', path: podPath, body });
    } catch (err) {
      if (statusCode(err) === 403) throw new ForbiddenError('create', 'pods', namespace);
      throw err;
    }
    let result: ProbePodResult | undefined;
    try {
      const deadline = Date.now() + (spec.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      let phase = 'Pending';
      for (;;) {
        const pod = await apiRequestJson<KObject>(this.kc, { path: `${podPath}/${name}` });
        phase = pod.status?.phase ?? 'Pending';
        if (phase === 'Succeeded' || phase === 'Failed') break;
        if (Date.now() >= deadline) break;
        await wait(POLL_MS, spec.signal);
      }
      const finished = phase === 'Succeeded' || phase === 'Failed';
      let logs = '';
      try {
        logs = await apiRequestText(this.kc, { path: `${podPath}/${name}/log`, accept: 'text/plain, */*', query: { container: 'probe', limitBytes: 64 * 1024 } });
      } catch (err) {
        if (statusCode(err) === 403) throw new ForbiddenError('get', 'pods/log', namespace);
        // A pod that never started has no log: the phase tells the story.
        if (finished) throw err;
      }
      result = { podName: name, namespace, phase, logs, timedOut: !finished };
    } finally {
      const cleanupError = await apiRequestJson(this.kc, { method: 'DELETE', path: `${podPath}/${name}`, query: { gracePeriodSeconds: 0 } })
        .then(() => undefined)
        .catch((err) => (statusCode(err) === 404 ? undefined : `pod ${namespace}/${name} was not deleted: ${(err as Error).message}`));
      if (result && cleanupError) result.cleanupError = cleanupError;
    }
    return result;
  }
}

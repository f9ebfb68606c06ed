// Availability (read-only mode, then SelfSubjectAccessReviews) and the preview: the action's
// steps read from the cluster, every object change dry-run by the API server (dryRun=All)
// and diffed, exec commands listed with their pods. The plan is kept here, by id and hash,
// until it is applied, discarded or expires; apply sends exactly these steps.
import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  actionParamSchemas,
  type AccessCheck,
  type ActionAvailability,
  type ActionId,
  type ActionPlan,
  type ObjectChange,
  type PodCommand,
} from '../../shared/actions';
import type { LocalizedText } from '../../shared/checks';
import { RoadsideError } from '../errors';
import { ApiStatusError, KubeClient, type KObj } from './kube-client';
import { objectDiff, pruneForDiff } from './object-diff';
import { actionDefinition } from './registry';
import { collectionPath, describeRef, kubectlExec, NotFoundInCluster, objectPath, shellQuote, type ObjectRef, type Step } from './types';

export const PLAN_TTL_MS = 15 * 60_000;
const PROBE_TIMEOUT_MS = 20_000;
const PROBE_OUTPUT_CHARS = 8000;

/** What must still hold at apply time for the preview to be the truth. */
export type Expectation =
  | { kind: 'object'; path: string; label: string; resourceVersion: string | undefined; desired: string }
  | { kind: 'absent'; path: string; label: string }
  | { kind: 'pod'; path: string; label: string; uid: string | undefined };

export interface StoredPlan {
  plan: ActionPlan;
  steps: Step[];
  expectations: Expectation[];
  kc: KubeConfig;
  expiresAt: number;
}

export interface ActionTarget {
  actionId: ActionId;
  context: string;
  namespace: string;
  kc: KubeConfig;
  params: Record<string, string>;
  readOnly: boolean;
  dataDir: string;
  now?: Date;
}

export function parseParams(actionId: ActionId, raw: Record<string, string>): Record<string, unknown> {
  const parsed = actionParamSchemas[actionId].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` ${issue.path.join('.')}` : '';
    const unknown = issue?.code === 'unrecognized_keys' ? ` (${actionId} takes: ${Object.keys((actionParamSchemas[actionId] as any).shape).join(', ') || 'no parameters'})` : '';
    throw new RoadsideError('invalid-input', `${actionId}: parameter${where}: ${issue?.message ?? 'invalid'}${unknown}`);
  }
  return parsed.data as Record<string, unknown>;
}

export const READ_ONLY_REASON = 'Roadside is in read-only mode: actions are turned off (Settings › read-only, or --read-only)';

function denialReason(denied: AccessCheck[]): string {
  const first = denied[0];
  const what = `${first.verb} ${first.resource}${first.subresource ? `/${first.subresource}` : ''}${first.group ? `.${first.group}` : ''}${first.name ? ` "${first.name}"` : ''}`;
  return `your credentials may not ${what}${first.namespace ? ` in namespace ${first.namespace}` : ''}${denied.length > 1 ? ` (and ${denied.length - 1} more permission${denied.length > 2 ? 's' : ''})` : ''}`;
}

export async function checkAvailability(target: ActionTarget, client = new KubeClient(target.kc)): Promise<ActionAvailability> {
  const base = { actionId: target.actionId, context: target.context, namespace: target.namespace };
  if (target.readOnly) return { ...base, allowed: false, code: 'read-only', reason: READ_ONLY_REASON, checks: [] };
  const def = actionDefinition(target.actionId);
  let params: Record<string, unknown>;
  try {
    params = parseParams(target.actionId, target.params);
  } catch {
    // The button asks before the engineer typed the parameters; requirements read only defaults.
    const defaults = actionParamSchemas[target.actionId].safeParse({});
    params = defaults.success ? (defaults.data as Record<string, unknown>) : {};
  }
  const checks = await Promise.all(
    def.requirements({ context: target.context, namespace: target.namespace, params }).map(async (r) => ({ ...r, allowed: await client.can(r) })),
  );
  const denied = checks.filter((c) => !c.allowed);
  return denied.length ? { ...base, allowed: false, code: 'forbidden', reason: denialReason(denied), checks } : { ...base, allowed: true, checks };
}

function changeCommand(step: Extract<Step, { kind: 'patch' | 'create' | 'delete' }>): string {
  const ref = step.ref;
  const ns = ref.namespace ? ` -n ${ref.namespace}` : '';
  const kind = ref.plural;
  if (step.kind === 'delete') return `kubectl delete ${kind} ${ref.name}${ns}`;
  if (step.kind === 'create') return `kubectl create${ns} -f - <<'EOF'\n${JSON.stringify(step.body, null, 2)}\nEOF`;
  if (step.subresource === 'scale') return `kubectl scale ${kind} ${ref.name} --replicas=${(step.body as { spec: { replicas: number } }).spec.replicas}${ns}`;
  const body = ref.kind === 'Secret' ? '<redacted>' : JSON.stringify(step.body);
  return `kubectl patch ${kind} ${ref.name}${ns} --type=${step.patchType} -p '${body}'`;
}

async function requireObject(client: KubeClient, ref: ObjectRef, path: string): Promise<KObj> {
  const obj = await client.get(path);
  if (!obj) throw new RoadsideError('not-found', `${describeRef(ref)} does not exist`);
  return obj;
}

async function probe(client: KubeClient, step: Extract<Step, { kind: 'exec' }>): Promise<string> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (text.length < PROBE_OUTPUT_CHARS) text += chunk.toString('utf8');
      cb();
    },
  });
  try {
    const result = await client.exec(step.namespace, step.pod, step.container, step.probe!, sink, PROBE_TIMEOUT_MS);
    const out = text.slice(0, PROBE_OUTPUT_CHARS) + (result.stderr ? `\n${result.stderr.slice(0, 2000)}` : '');
    return result.exitCode === 0 ? out : `${out}\n(exit ${result.exitCode ?? '?'})`.trim();
  } catch (err) {
    return `(the preview could not look: ${(err as Error).message})`;
  }
}

export interface Preview {
  plan: ActionPlan;
  steps: Step[];
  expectations: Expectation[];
}

/** Builds the plan: the definition's steps, each previewed by the cluster. Changes nothing. */
export async function previewAction(target: ActionTarget): Promise<Preview> {
  if (target.readOnly) throw new RoadsideError('read-only', READ_ONLY_REASON);
  const def = actionDefinition(target.actionId);
  const params = parseParams(target.actionId, target.params);
  const client = new KubeClient(target.kc);
  const availability = await checkAvailability(target, client);
  if (!availability.allowed) throw new RoadsideError('forbidden', `${target.actionId} is not allowed: ${availability.reason}`, { checks: availability.checks });
  const now = target.now ?? new Date();
  let draft;
  try {
    draft = await def.draft({ client, context: target.context, namespace: target.namespace, params, now, dataDir: target.dataDir });
  } catch (err) {
    if (err instanceof NotFoundInCluster) throw new RoadsideError('not-found', err.message);
    throw err;
  }

  const changes: ObjectChange[] = [];
  const commands: PodCommand[] = [];
  const expectations: Expectation[] = [];
  const localCommands: string[] = [];
  const notes: LocalizedText[] = [...draft.notes];
  for (const step of draft.steps) {
    if (step.kind === 'patch') {
      const path = objectPath(step.ref, step.subresource);
      const before = await requireObject(client, step.ref, path);
      const after = await client.patch(path, step.patchType, step.body, true);
      const label = `${describeRef(step.ref)}${step.subresource ? ` (${step.subresource})` : ''}`;
      expectations.push({ kind: 'object', path, label, resourceVersion: before.metadata.resourceVersion, desired: desiredState(before) });
      changes.push({
        operation: 'patch',
        kind: step.ref.kind,
        name: step.ref.name,
        ...(step.ref.namespace ? { namespace: step.ref.namespace } : {}),
        ...(step.subresource ? { subresource: step.subresource } : {}),
        resourceVersion: before.metadata.resourceVersion,
        command: changeCommand(step),
        ...objectDiff(`${step.ref.plural}/${step.ref.name}${step.subresource ? `/${step.subresource}` : ''}.yaml`, before, after),
      });
    } else if (step.kind === 'create') {
      const path = objectPath(step.ref);
      if (await client.get(path)) throw new RoadsideError('conflict', `${describeRef(step.ref)} already exists`);
      const after = await client.create(collectionPath(step.ref), step.body, true);
      expectations.push({ kind: 'absent', path, label: describeRef(step.ref) });
      changes.push({
        operation: 'create',
        kind: step.ref.kind,
        name: step.ref.name,
        ...(step.ref.namespace ? { namespace: step.ref.namespace } : {}),
        command: changeCommand(step),
        ...objectDiff(`${step.ref.plural}/${step.ref.name}.yaml`, undefined, after),
      });
    } else if (step.kind === 'delete') {
      const path = objectPath(step.ref);
      const before = await requireObject(client, step.ref, path);
      await client.delete(path, true);
      expectations.push({ kind: 'object', path, label: describeRef(step.ref), resourceVersion: before.metadata.resourceVersion, desired: desiredState(before) });
      changes.push({
        operation: 'delete',
        kind: step.ref.kind,
        name: step.ref.name,
        ...(step.ref.namespace ? { namespace: step.ref.namespace } : {}),
        resourceVersion: before.metadata.resourceVersion,
        command: changeCommand(step),
        ...objectDiff(`${step.ref.plural}/${step.ref.name}.yaml`, before, undefined),
      });
    } else if (step.kind === 'exec') {
      const podRef: ObjectRef = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', name: step.pod, namespace: step.namespace };
      const path = objectPath(podRef);
      const pod = await requireObject(client, podRef, path);
      expectations.push({ kind: 'pod', path, label: `pod/${step.pod}`, uid: pod.metadata.uid });
      commands.push({
        namespace: step.namespace,
        pod: step.pod,
        container: step.container,
        argv: step.argv,
        command: kubectlExec(step) + (step.saveTo ? ` > ${shellQuote([step.saveTo])}` : ''),
        ...(step.saveTo ? { savesTo: step.saveTo } : {}),
        ...(step.probe ? { previewOutput: await probe(client, step) } : {}),
      });
    } else if (step.kind === 'dump') {
      localCommands.push(`kubectl get ${step.collections.map((c) => c.path.split('/').pop()).join(',')} -n ${step.namespace} -o yaml > ${shellQuote([step.file])}`);
    } else {
      localCommands.push(shellQuote(step.argv));
    }
  }
  if (draft.manual) localCommands.push(draft.manual.command);

  const planId = randomUUID();
  const hash = createHash('sha256')
    .update(JSON.stringify({ planId, actionId: target.actionId, context: target.context, namespace: target.namespace, params, steps: draft.steps, expectations }))
    .digest('hex');
  const plan: ActionPlan = {
    planId,
    hash,
    actionId: target.actionId,
    title: def.title,
    context: target.context,
    namespace: target.namespace,
    target: draft.target,
    params: params as Record<string, string | number>,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + PLAN_TTL_MS).toISOString(),
    destructive: draft.destructive,
    ...(draft.destructive && draft.confirmWord ? { confirmWord: draft.confirmWord } : {}),
    changes,
    commands,
    localFiles: draft.localFiles,
    localCommands,
    ...(draft.manual ? { manual: draft.manual } : {}),
    notes,
  };
  return { plan, steps: draft.steps, expectations };
}

/**
 * What someone can change about an object: all of it but its status and the bookkeeping the
 * API server keeps. A controller updating the status (pods turning ready) bumps the
 * resourceVersion every few seconds; that is no reason to refuse what the engineer confirmed.
 */
export function desiredState(obj: KObj): string {
  return JSON.stringify(pruneForDiff(obj));
}

/** Refuses (conflict) when what the preview read has moved since. */
export async function checkExpectations(client: KubeClient, expectations: Expectation[]): Promise<Map<string, KObj | undefined>> {
  const seen = new Map<string, KObj | undefined>();
  for (const e of expectations) {
    const now = await client.get(e.path);
    seen.set(e.path, now);
    if (e.kind === 'absent' && now) throw new RoadsideError('conflict', `${e.label} was created since the preview: preview again`);
    if (e.kind === 'object') {
      if (!now) throw new RoadsideError('conflict', `${e.label} was deleted since the preview: preview again`);
      if (now.metadata.resourceVersion !== e.resourceVersion && desiredState(now) !== e.desired) {
        throw new RoadsideError(
          'conflict',
          `${e.label} changed since the preview (resourceVersion ${e.resourceVersion} → ${now.metadata.resourceVersion}): preview again to see the current state`,
        );
      }
    }
    if (e.kind === 'pod' && (!now || now.metadata.uid !== e.uid)) throw new RoadsideError('conflict', `${e.label} is gone or was replaced since the preview: preview again`);
  }
  return seen;
}

export { ApiStatusError };

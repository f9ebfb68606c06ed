// Apply: the very steps the preview showed, after the engineer confirmed, once nothing the
// preview read has changed. Each step's before and after are kept (the parts the step
// touches, Secret values redacted) for the action log and the incident timeline.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'yaml';
import type { ActionOutcome } from '../../shared/actions';
import { RoadsideError } from '../errors';
import { ApiStatusError, KubeClient, type KObj } from './kube-client';
import { pruneForDiff, redactObject, redactSecretPair } from './object-diff';
import { checkExpectations, type StoredPlan } from './planner';
import { findHelm } from './helm';
import { collectionPath, describeRef, kubectlExec, objectPath, shellQuote, type Step } from './types';

const OUTPUT_CHARS = 16_000;

/** The parts of `obj` that `shape` (a patch body) names; lists of named items matched by name. */
export function project(obj: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) {
    if (!Array.isArray(obj)) return obj ?? null;
    return shape.map((item) => {
      const name = (item as { name?: unknown })?.name;
      const match = name === undefined ? undefined : obj.find((o) => (o as { name?: unknown })?.name === name);
      return match === undefined ? null : project(match, item);
    });
  }
  if (shape && typeof shape === 'object') {
    const source = (obj && typeof obj === 'object' ? obj : {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) out[key] = project(source[key], (shape as Record<string, unknown>)[key]);
    return out;
  }
  return obj === undefined ? null : obj;
}

export interface StepRecord {
  target: string;
  before: unknown;
  after: unknown;
}

export interface Execution {
  records: StepRecord[];
  outputs: ActionOutcome['outputs'];
  files: string[];
  commands: string[];
  error?: string;
  failedStep?: string;
}

function capture(limit = OUTPUT_CHARS): { sink: Writable; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (text.length < limit) text += chunk.toString('utf8');
      cb();
    },
  });
  return { sink, text: () => text.slice(0, limit) };
}

/** The JSON line a fixed script prints with its before/after (add-user-to-group). */
function lastJsonLine(text: string): { before?: unknown; after?: unknown } | undefined {
  const line = text.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function stepLabel(step: Step): string {
  switch (step.kind) {
    case 'patch':
      return `${describeRef(step.ref)}${step.subresource ? ` (${step.subresource})` : ''}`;
    case 'create':
    case 'delete':
      return `${step.kind} ${describeRef(step.ref)}`;
    case 'exec':
      return `pod/${step.pod} -n ${step.namespace}`;
    case 'dump':
      return step.file;
    case 'local':
      return step.argv.slice(0, 3).join(' ');
  }
}

async function runLocal(step: Extract<Step, { kind: 'local' }>, kc: StoredPlan['kc']): Promise<{ code: number; text: string }> {
  const binary = findHelm();
  if (!binary) throw new RoadsideError('invalid-input', `helm is not installed on this machine: run ${shellQuote(step.argv)}`);
  const dir = mkdtempSync(join(tmpdir(), 'roadside-helm-'));
  const kubeconfig = join(dir, 'kubeconfig');
  try {
    // helm reads the context's credentials from a private copy that lives for this command only.
    writeFileSync(kubeconfig, kc.exportConfig(), { mode: 0o600 });
    return await new Promise((resolve) => {
      execFile(binary, step.argv.slice(1), { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 10 * 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, text: `${stdout}${stderr}`.slice(0, OUTPUT_CHARS) });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeDump(client: KubeClient, step: Extract<Step, { kind: 'dump' }>): Promise<number> {
  const items: KObj[] = [];
  for (const c of step.collections) {
    let list: KObj[];
    try {
      list = await client.list(c.path);
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) continue; // an API the cluster does not serve
      throw err;
    }
    const apiVersion = c.path.startsWith('/api/v1') ? 'v1' : c.path.split('/').slice(2, 4).join('/');
    for (const item of list) items.push({ apiVersion, kind: c.kind, ...item, metadata: { ...item.metadata, managedFields: undefined } as KObj['metadata'] });
  }
  mkdirSync(dirname(step.file), { recursive: true, mode: 0o700 });
  writeFileSync(step.file, stringify(JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items })), { lineWidth: 0 }), {
    mode: 0o600,
    flag: 'wx',
  });
  return items.length;
}

/** Runs the stored steps in order; stops at the first that fails. Throws only when nothing was applied. */
export async function executePlan(stored: StoredPlan, onStep?: (label: string, done: number, total: number) => void): Promise<Execution> {
  const client = new KubeClient(stored.kc, 30_000);
  const current = await checkExpectations(client, stored.expectations);
  const exec: Execution = { records: [], outputs: [], files: [], commands: [] };
  const total = stored.steps.length;
  for (const [i, step] of stored.steps.entries()) {
    const label = stepLabel(step);
    onStep?.(label, i, total);
    try {
      if (step.kind === 'patch') {
        const path = objectPath(step.ref, step.subresource);
        const before = current.get(path) ?? (await client.get(path));
        const after = (await client.patch(path, step.patchType, step.body, false)) as KObj;
        const [b, a] = redactSecretPair(pruneForDiff(before), pruneForDiff(after));
        exec.records.push({ target: label, before: project(b, step.body), after: project(a, step.body) });
        exec.commands.push(stored.plan.changes.find((c) => c.name === step.ref.name && c.kind === step.ref.kind)?.command ?? label);
      } else if (step.kind === 'create') {
        const after = (await client.create(collectionPath(step.ref), step.body, false)) as KObj;
        exec.records.push({ target: describeRef(step.ref), before: null, after: redactObject(pruneForDiff(after)) });
        exec.commands.push(`kubectl create ${step.ref.plural} ${step.ref.name}${step.ref.namespace ? ` -n ${step.ref.namespace}` : ''}`);
      } else if (step.kind === 'delete') {
        const before = current.get(objectPath(step.ref));
        await client.delete(objectPath(step.ref), false);
        exec.records.push({ target: describeRef(step.ref), before: { kind: step.ref.kind, name: step.ref.name, resourceVersion: before?.metadata.resourceVersion }, after: null });
        exec.commands.push(`kubectl delete ${step.ref.plural} ${step.ref.name}${step.ref.namespace ? ` -n ${step.ref.namespace}` : ''}`);
      } else if (step.kind === 'exec') {
        const command = kubectlExec(step) + (step.saveTo ? ` > ${shellQuote([step.saveTo])}` : '');
        exec.commands.push(command);
        let result;
        let text: string;
        if (step.saveTo) {
          mkdirSync(dirname(step.saveTo), { recursive: true, mode: 0o700 });
          const file = createWriteStream(step.saveTo, { flags: 'wx', mode: 0o600 });
          await new Promise<void>((resolve, reject) => {
            file.once('open', () => resolve());
            file.once('error', reject);
          });
          try {
            result = await client.exec(step.namespace, step.pod, step.container, step.argv, file, step.timeoutMs);
          } finally {
            file.end();
            await finished(file).catch(() => undefined);
          }
          const ok = result.exitCode === 0 || (result.exitCode !== null && (step.okExitCodes ?? []).includes(result.exitCode));
          if (!ok) unlinkSync(step.saveTo);
          else exec.files.push(step.saveTo);
          text = ok ? `saved ${result.bytes} bytes to ${step.saveTo}${result.stderr ? `\n${result.stderr}` : ''}` : result.stderr;
        } else {
          const out = capture();
          result = await client.exec(step.namespace, step.pod, step.container, step.argv, out.sink, step.timeoutMs);
          text = `${out.text()}${result.stderr ? `\n${result.stderr}` : ''}`.trim();
          const reported = lastJsonLine(out.text());
          if (reported && ('before' in reported || 'after' in reported)) exec.records.push({ target: label, before: reported.before ?? null, after: reported.after ?? null });
        }
        exec.outputs.push({ pod: step.pod, command, exitCode: result.exitCode, text: text.slice(0, OUTPUT_CHARS) });
        const ok = result.exitCode === 0 || (result.exitCode !== null && (step.okExitCodes ?? []).includes(result.exitCode));
        if (!ok) throw new RoadsideError('internal', `${shellQuote(step.argv.slice(0, 4))}… in ${step.pod} exited with ${result.exitCode ?? 'no status'}: ${(result.stderr || text).trim().split('\n').pop() ?? ''}`);
      } else if (step.kind === 'dump') {
        const count = await writeDump(client, step);
        exec.files.push(step.file);
        exec.commands.push(stored.plan.localCommands.find((c) => c.includes(step.file)) ?? `kubectl get all -n ${step.namespace} -o yaml`);
        exec.outputs.push({ pod: '', command: exec.commands[exec.commands.length - 1], exitCode: 0, text: `saved ${count} objects to ${step.file}` });
      } else {
        const { code, text } = await runLocal(step, stored.kc);
        exec.commands.push(shellQuote(step.argv));
        exec.outputs.push({ pod: '', command: shellQuote(step.argv), exitCode: code, text });
        if (code !== 0) throw new RoadsideError('internal', `${step.argv[0]} exited with ${code}: ${text.trim().split('\n').pop() ?? ''}`);
      }
    } catch (err) {
      // Refused before anything changed (cluster gone, credentials refused): an error, not a failed action.
      if (i === 0 && err instanceof RoadsideError && (err.code === 'unreachable' || err.code === 'unauthorized' || err.code === 'forbidden')) throw err;
      exec.error = (err as Error).message;
      exec.failedStep = `${i + 1}/${total} (${label})`;
      break;
    }
  }
  onStep?.('done', total, total);
  return exec;
}

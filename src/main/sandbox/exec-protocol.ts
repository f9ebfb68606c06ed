// Pure parts of `pods/<name>/exec`: query options as the API server and kubelet validate them,
// which container runs the command, and the Status the kubelet writes when it ends.
// The canned reply itself is picked by scenario-match.ts.

import type { KubeObject } from './snapshot-types';

export interface ExecOptions {
  command: string[];
  /** '' when the client named none. */
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

/** Reads the exec query like the API server's PodExecOptions conversion and validation. */
export function parseExecOptions(query: URLSearchParams): Parsed<ExecOptions> {
  const options: ExecOptions = {
    command: query.getAll('command'),
    container: query.get('container') ?? '',
    stdin: queryFlag(query, 'stdin'),
    stdout: queryFlag(query, 'stdout'),
    stderr: queryFlag(query, 'stderr'),
    tty: queryFlag(query, 'tty'),
  };
  if (options.command.length === 0) {
    return { ok: false, message: 'you must specify at least one command for the container' };
  }
  if (!options.stdin && !options.stdout && !options.stderr) {
    return { ok: false, message: 'you must specify at least 1 of stdin, stdout, stderr' };
  }
  // The kubelet drops stderr with a tty rather than refusing ("bypassing stderr").
  if (options.tty) options.stderr = false;
  return { ok: true, value: options };
}

export interface KubeStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason: string; message: string }> };
}

/**
 * The Status the kubelet writes on the error channel when the process ends (remotecommand
 * v4+). client-go turns `NonZeroExitCode` + cause `ExitCode` into kubectl's own exit code.
 */
export function exitStatus(argv: string[], exitCode: number): KubeStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

interface ContainerSpec {
  name: string;
  ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
}

interface ContainerStatus {
  name: string;
  state?: { running?: unknown; waiting?: { reason?: string }; terminated?: { reason?: string } };
}

interface PodShape {
  spec?: { nodeName?: string; containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

export function podContainers(pod: KubeObject): ContainerSpec[] {
  return (pod as PodShape).spec?.containers ?? [];
}

function allContainerNames(pod: KubeObject): string[] {
  const spec = (pod as PodShape).spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
}

/**
 * Whether the container has a running process to exec into or forward to. A snapshot without
 * container statuses falls back to the pod phase, so hand-written resources still work.
 */
export function isContainerRunning(pod: KubeObject, container: string): boolean {
  const status = (pod as PodShape).status ?? {};
  const statuses = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
  const entry = statuses.find((s) => s.name === container);
  if (entry) return entry.state?.running !== undefined && entry.state.running !== null;
  return status.phase === undefined || status.phase === 'Running';
}

/**
 * Resolves the container an exec targets, with the API server's wording when it can't:
 * an unknown name, or no name for a pod with several containers.
 */
export function resolveExecContainer(pod: KubeObject, requested: string): Parsed<string> {
  const name = pod.metadata.name;
  if (requested) {
    if (!allContainerNames(pod).includes(requested)) {
      return { ok: false, message: `container ${requested} is not valid for pod ${name}` };
    }
    return { ok: true, value: requested };
  }
  const containers = podContainers(pod);
  if (containers.length === 1) return { ok: true, value: containers[0].name };
  if (containers.length === 0) return { ok: false, message: `pod ${name} does not have any containers` };
  return {
    ok: false,
    message: `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
  };
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** What a container prints for a program it does not have (the scenario has no reply for it). */
export function commandNotFoundReply(argv: string[]): { stdout: string; stderr: string; exitCode: number } {
  const program = argv[0].split('/').pop() || argv[0];
  const scriptIndex = argv.indexOf('-c');
  if (SHELLS.has(program) && scriptIndex > 0 && argv[scriptIndex + 1] !== undefined) {
    const word = argv[scriptIndex + 1].trim().split(/\s+/)[0] || argv[scriptIndex + 1];
    return { stdout: '', stderr: `${program}: line 1: ${word}: command not found\n`, exitCode: 127 };
  }
  return { stdout: '', stderr: `${program}: command not found\n`, exitCode: 127 };
}

/** A terminal turns "\n" into "\r\n"; with a tty the process has one output stream. */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

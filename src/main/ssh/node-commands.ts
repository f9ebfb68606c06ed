// The only commands Roadside runs on nodes: fixed, read-only lines. Nothing typed by a user or
// read from the cluster is ever put into them; checks pick one by id.

export interface NodeCommand {
  id: string;
  /** The exact line the node's shell runs. */
  line: string;
  /** What it tells, for the evidence and the "what will run" list in the UI. */
  purpose: string;
  timeoutMs?: number;
}

const command = (id: string, line: string, purpose: string, timeoutMs?: number): NodeCommand =>
  Object.freeze({ id, line, purpose, ...(timeoutMs ? { timeoutMs } : {}) });

export const NODE_COMMANDS = Object.freeze({
  /** Filesystems of the root, the kubelet and the container runtimes (paths that do not exist are reported on stderr). */
  diskUsage: command(
    'disk-usage',
    'df -P -k / /var/lib/kubelet /var/lib/containerd /var/lib/docker /var/log',
    'usage of the root, kubelet and container runtime filesystems',
  ),
  /** Directory sizes two levels under /var/log and the runtimes' folders, in KiB. */
  largeDirectories: command(
    'large-directories',
    'du -x -k -d 2 /var/log /var/lib/containerd /var/lib/docker',
    'the biggest directories under /var/log and the container runtime folder',
    20_000,
  ),
  clockTimedatectl: command('clock-timedatectl', 'timedatectl show', 'clock synchronization (systemd)'),
  clockChrony: command('clock-chrony', 'chronyc -n tracking', 'clock synchronization (chrony)'),
  clockDate: command('clock-date', 'date -u +%s.%N', 'the node clock, compared with this machine'),
  kubeletLog: command(
    'kubelet-log',
    'journalctl -u kubelet --since "1 hour ago" --no-pager -o short-iso -n 5000',
    'kubelet log of the last hour',
    15_000,
  ),
  /** A harmless command for `roadside ssh test`: proves a command runs. */
  hostname: command('hostname', 'hostname', 'the node answers commands'),
} satisfies Record<string, NodeCommand>);

export type NodeCommandKey = keyof typeof NODE_COMMANDS;

/** The catalogue as a list (the UI shows what will run). */
export function listNodeCommands(): NodeCommand[] {
  return Object.values(NODE_COMMANDS);
}

/** A remote shell's way of saying "command not found" (sh, bash, dash, busybox). */
export function isCommandNotFound(result: { exitCode: number | null; stderr: string }): boolean {
  return result.exitCode === 127 || (result.exitCode !== 0 && /command not found|: not found\s*$/m.test(result.stderr));
}

// A pod's READY, STATUS and RESTARTS computed the way `kubectl get pods` prints them
// (kubernetes pkg/printers/internalversion printPod), so the Overview says what the
// engineer's terminal says: CrashLoopBackOff, Init:1/2, Terminating, Completed …
import type { KObject } from '../checks/types';

export interface PodStatusSummary {
  ready: string;
  readyCount: number;
  total: number;
  status: string;
  restarts: number;
  lastRestartAt?: string;
}

const isRestartableInit = (c: any): boolean => c?.restartPolicy === 'Always';

function later(current: string | undefined, candidate: string | undefined): string | undefined {
  if (!candidate) return current;
  if (!current) return candidate;
  return Date.parse(candidate) > Date.parse(current) ? candidate : current;
}

function conditionTrue(pod: KObject, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
}

export function podStatus(pod: KObject): PodStatusSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let total = (spec.containers ?? []).length;
  let readyCount = 0;
  let lastRestartAt: string | undefined;
  let lastRestartableInitRestartAt: string | undefined;
  const phase: string = status.phase ?? 'Unknown';
  let reason: string = status.reason || phase;

  for (const condition of status.conditions ?? []) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestartAt = later(lastRestartAt, cs.lastState?.terminated?.finishedAt);
    const restartable = isRestartableInit(initContainers.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      lastRestartableInitRestartAt = later(lastRestartableInitRestartAt, cs.lastState?.terminated?.finishedAt);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) readyCount++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      else reason = `Init:${terminated.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestartAt = lastRestartableInitRestartAt;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestartAt = later(lastRestartAt, cs.lastState?.terminated?.finishedAt);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  return {
    ready: `${readyCount}/${total}`,
    readyCount,
    total,
    status: reason,
    restarts,
    ...(restarts !== 0 && lastRestartAt ? { lastRestartAt } : {}),
  };
}

/** A pod that needs a look: not Running/Completed, or Running with a container not ready. */
export function isPodHealthy(summary: PodStatusSummary): boolean {
  if (summary.status === 'Completed' || summary.status === 'Succeeded') return true;
  return summary.status === 'Running' && summary.readyCount === summary.total;
}

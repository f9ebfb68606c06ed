// STATUS, READY and RESTARTS of a pod, computed as `kubectl get pods` prints them.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/main/checks/types';
import { isPodHealthy, podStatus } from '../../src/main/observe/pod-status';

function pod(spec: any, status: any, metadata: Partial<KObject['metadata']> = {}): KObject {
  return { metadata: { name: 'p', ...metadata }, spec, status };
}
const one = { containers: [{ name: 'app' }] };
const running = (extra: any = {}) => ({ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-10T09:00:00Z' } }, ...extra });

describe('podStatus', () => {
  it('a running pod with every container ready: Running 1/1', () => {
    const s = podStatus(pod(one, { phase: 'Running', containerStatuses: [running()] }));
    expect(s).toMatchObject({ ready: '1/1', status: 'Running', restarts: 0 });
    expect(isPodHealthy(s)).toBe(true);
  });

  it('a container restarting in a loop: CrashLoopBackOff 0/1 with restarts and the last restart time', () => {
    const s = podStatus(
      pod(one, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 9,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-10T09:57:14Z' } },
          },
        ],
      }),
    );
    expect(s).toMatchObject({ ready: '0/1', status: 'CrashLoopBackOff', restarts: 9, lastRestartAt: '2026-01-10T09:57:14Z' });
    expect(isPodHealthy(s)).toBe(false);
  });

  it('counts ready containers of a two-container pod, and the last container with a reason wins', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    expect(podStatus(pod(spec, { phase: 'Running', containerStatuses: [running({ name: 'a' }), running({ name: 'b', ready: false })] }))).toMatchObject({
      ready: '1/2',
      status: 'Running',
    });
    const oom = podStatus(
      pod(spec, {
        phase: 'Running',
        containerStatuses: [running({ name: 'a' }), { name: 'b', ready: false, restartCount: 2, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
      }),
    );
    expect(oom).toMatchObject({ ready: '1/2', status: 'OOMKilled', restarts: 2 });
  });

  it('a terminated container without a reason shows its exit code or signal', () => {
    expect(podStatus(pod(one, { phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 3 } } }] })).status).toBe('ExitCode:3');
    expect(podStatus(pod(one, { phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }] })).status).toBe('Signal:9');
  });

  it('init containers: Init:1/2 while the second runs, Init:CrashLoopBackOff when it loops, Init:Error when it failed', () => {
    const spec = { initContainers: [{ name: 'migrate' }, { name: 'wait-db' }], containers: [{ name: 'app' }] };
    const done = { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    expect(podStatus(pod(spec, { phase: 'Pending', initContainerStatuses: [done, { name: 'wait-db', state: { running: {} } }] })).status).toBe('Init:1/2');
    expect(
      podStatus(pod(spec, { phase: 'Pending', initContainerStatuses: [done, { name: 'wait-db', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] })),
    ).toMatchObject({ status: 'Init:CrashLoopBackOff', restarts: 4, ready: '0/1' });
    expect(podStatus(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'migrate', state: { terminated: { exitCode: 1, reason: 'Error' } } }] })).status).toBe(
      'Init:Error',
    );
  });

  it('a sidecar (restartable init container) counts in READY', () => {
    const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] };
    const s = podStatus(
      pod(spec, {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: { running: {} } }],
        containerStatuses: [running()],
      }),
    );
    expect(s).toMatchObject({ ready: '2/2', status: 'Running', restarts: 1 });
  });

  it('image pull problems, pending pods, evictions and deletion read as kubectl says them', () => {
    expect(podStatus(pod(one, { phase: 'Pending', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ImagePullBackOff' } } }] })).status).toBe(
      'ImagePullBackOff',
    );
    expect(podStatus(pod(one, { phase: 'Pending' })).status).toBe('Pending');
    expect(podStatus(pod(one, { phase: 'Failed', reason: 'Evicted' })).status).toBe('Evicted');
    expect(podStatus(pod(one, { phase: 'Running', containerStatuses: [running()] }, { deletionTimestamp: '2026-01-10T09:00:00Z' })).status).toBe('Terminating');
    expect(podStatus(pod(one, { phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, { deletionTimestamp: '2026-01-10T09:00:00Z' })).status).toBe(
      'Unknown',
    );
    expect(podStatus(pod(one, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })).status).toBe('SchedulingGated');
  });

  it('a finished job pod is Completed and counts as healthy', () => {
    const s = podStatus(pod(one, { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }));
    expect(s.status).toBe('Completed');
    expect(isPodHealthy(s)).toBe(true);
  });
});

describe('describeProblem (why an Overview block is empty)', async () => {
  const { describeProblem } = await import('../../src/main/observe/overview');
  const { ForbiddenError } = await import('../../src/main/checks/types');
  it('names the missing permission, and calls a missing metrics API unavailable', () => {
    expect(describeProblem(new ForbiddenError('list', 'events', 'traffic-system'), { verb: 'list', resource: 'events', namespace: 'traffic-system' })).toEqual({
      kind: 'forbidden',
      message: 'not allowed to list events in namespace traffic-system',
      verb: 'list',
      resource: 'events',
      namespace: 'traffic-system',
    });
    const missing = describeProblem(new Error('list pods.metrics.k8s.io in traffic-system: HTTP 404 the server could not find the requested resource'), {
      verb: 'list',
      resource: 'pods.metrics.k8s.io',
      namespace: 'traffic-system',
    });
    expect(missing.kind).toBe('unavailable');
    expect(missing.message).toContain('metrics-server');
    expect(describeProblem(new Error('HTTP 500 boom'), { verb: 'list', resource: 'pods', namespace: 'x' }).kind).toBe('error');
  });
});

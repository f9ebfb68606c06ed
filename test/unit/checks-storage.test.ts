import { describe, expect, it } from 'vitest';
import { storageChecks } from '../../src/main/checks/runbook/storage';
import { ForbiddenError, type KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';
import { NOW, NS, backendPod, checkOf, minioPod, mlPod, pod, postgresPod } from './checks-sections-fixtures';

const GiB = 2 ** 30;

function pvc(name: string, opts: { phase?: string; storageClass?: string; request?: string } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS },
    spec: { storageClassName: opts.storageClass ?? 'standard', resources: { requests: { storage: opts.request ?? '100Gi' } } },
    status: { phase: opts.phase ?? 'Bound' },
  };
}

function storageClass(name: string, allowVolumeExpansion: boolean): KObject {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'driver.longhorn.io', allowVolumeExpansion };
}

function summary(node: string, volumes: Array<{ pvc: string; used: number; capacity: number }>) {
  return {
    node: { nodeName: node },
    pods: [{ podRef: { name: 'x', namespace: NS }, volume: volumes.map((v) => ({ name: v.pvc, pvcRef: { name: v.pvc, namespace: NS }, usedBytes: v.used, capacityBytes: v.capacity })) }],
  };
}

function node(name: string, conditions: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: conditions[type] ?? (type === 'Ready' ? 'True' : 'False'),
        message: conditions[type] === 'True' ? `kubelet has ${type.toLowerCase()}` : 'ok',
      })),
    },
  };
}

const pods = () => [backendPod(), postgresPod(), minioPod()];
const pvcs = () => [pvc('data-traffic-system-postgresql-0'), pvc('traffic-system-shared-storage'), pvc('traffic-system-minio', { request: '200Gi' })];
const healthyStats = () => ({
  'worker-1': summary('worker-1', [{ pvc: 'traffic-system-shared-storage', used: 38 * GiB, capacity: 100 * GiB }]),
  'worker-2': summary('worker-2', [
    { pvc: 'data-traffic-system-postgresql-0', used: 40 * GiB, capacity: 100 * GiB },
    { pvc: 'traffic-system-minio', used: 84 * GiB, capacity: 200 * GiB },
  ]),
});

const cluster = (spec: FakeClusterSpec) => new FakeCluster({ now: NOW, ...spec });

describe('storage.pvc-usage', () => {
  const check = checkOf(storageChecks, 'storage.pvc-usage');

  it('passes when every PVC is Bound and below 80%', async () => {
    const ctx = cluster({ objects: { persistentvolumeclaims: pvcs(), pods: pods(), 'storageclasses.storage.k8s.io': [storageClass('standard', true)] }, statsSummary: healthyStats() });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(r.evidence?.filter((e) => e.kind === 'metric')).toHaveLength(3);
    expect(r.actions).toEqual([]);
    expect(ctx.calls).toContain('list persistentvolumeclaims traffic-system');
  });

  it('warns from 80% and offers expand-pvc only when the StorageClass allows it', async () => {
    const stats = healthyStats();
    stats['worker-1'] = summary('worker-1', [{ pvc: 'traffic-system-shared-storage', used: 85 * GiB, capacity: 100 * GiB }]);
    const allowed = await check.run(cluster({ objects: { persistentvolumeclaims: pvcs(), pods: pods(), 'storageclasses.storage.k8s.io': [storageClass('standard', true)] }, statsSummary: stats }));
    expect(allowed.status).toBe('warn');
    expect(allowed.message).toContain('traffic-system-shared-storage is 85.0% full');
    expect(allowed.actions).toContain('expand-pvc');
    expect(allowed.actions).toContain('clean-old-files');
    expect(allowed.remediation?.find((r) => r.action === 'expand-pvc')?.command).toContain('kubectl patch pvc traffic-system-shared-storage');

    const notAllowed = await check.run(cluster({ objects: { persistentvolumeclaims: pvcs(), pods: pods(), 'storageclasses.storage.k8s.io': [storageClass('standard', false)] }, statsSummary: stats }));
    expect(notAllowed.status).toBe('warn');
    expect(notAllowed.actions).not.toContain('expand-pvc');
    expect(JSON.stringify(notAllowed.remediation)).toContain('does not allow expansion');
  });

  it('fails from 95% and for claims that are not Bound', async () => {
    const stats = healthyStats();
    stats['worker-2'] = summary('worker-2', [{ pvc: 'data-traffic-system-postgresql-0', used: 97 * GiB, capacity: 100 * GiB }]);
    const full = await check.run(cluster({ objects: { persistentvolumeclaims: pvcs(), pods: pods() }, statsSummary: stats }));
    expect(full.status).toBe('fail');
    expect(full.message).toContain('data-traffic-system-postgresql-0 is 97.0% full');

    const pending = await check.run(cluster({ objects: { persistentvolumeclaims: [pvc('traffic-system-shared-storage', { phase: 'Pending' })], pods: [] } }));
    expect(pending.status).toBe('fail');
    expect(pending.message).toContain('traffic-system-shared-storage is Pending');
  });

  it('says so when there are no PVCs at all', async () => {
    const r = await check.run(cluster({ objects: {} }));
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/No PersistentVolumeClaims/);
  });

  it('does not pass when no usage could be measured', async () => {
    const r = await check.run(cluster({ objects: { persistentvolumeclaims: pvcs(), pods: [] } }));
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/no usage could be measured/);
  });

  it('lets a forbidden PVC list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['persistentvolumeclaims'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('propagates forbidden node stats unless an unbound claim already fails it', async () => {
    const err = await check.run(cluster({ objects: { persistentvolumeclaims: pvcs(), pods: pods() }, forbidden: ['nodes/proxy'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'get', resource: 'nodes/proxy' });
    const r = await check.run(cluster({ objects: { persistentvolumeclaims: [...pvcs(), pvc('lost', { phase: 'Lost' })], pods: pods() }, forbidden: ['nodes/proxy'] }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('lost is Lost');
    expect(r.message).toContain('nodes/proxy');
  });
});

describe('storage.node-pressure', () => {
  const check = checkOf(storageChecks, 'storage.node-pressure');

  it('passes with no pressure and no evicted pods', async () => {
    const r = await check.run(cluster({ objects: { nodes: [node('worker-1'), node('worker-2')], pods: pods() } }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('2 nodes');
  });

  it('fails for a node under DiskPressure', async () => {
    const r = await check.run(cluster({ objects: { nodes: [node('worker-1', { DiskPressure: 'True' }), node('worker-2')], pods: pods() } }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('worker-1 (DiskPressure)');
    expect(r.actions).toContain('clean-old-files');
  });

  it('warns about evicted pods', async () => {
    const evicted = pod({ name: 'traffic-system-backend-old', phase: 'Failed', reason: 'Evicted' });
    const r = await check.run(cluster({ objects: { nodes: [node('worker-1')], pods: [...pods(), evicted] } }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('1 evicted pod');
  });

  it('propagates forbidden nodes, unless evicted pods still tell something', async () => {
    await expect(check.run(cluster({ objects: { pods: pods() }, forbidden: ['nodes'] }))).rejects.toBeInstanceOf(ForbiddenError);
    const evicted = pod({ name: 'evicted-1', phase: 'Failed', reason: 'Evicted' });
    const r = await check.run(cluster({ objects: { pods: [evicted] }, forbidden: ['nodes'] }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('node conditions unknown');
  });
});

describe('storage.no-space-errors', () => {
  const check = checkOf(storageChecks, 'storage.no-space-errors');
  const logs = (backendText: string) => ({
    [`${NS}/traffic-system-backend-7c9d8f6b5d-h2x8r/backend`]: backendText,
    [`${NS}/traffic-system-postgresql-0/postgresql`]: 'LOG:  database system is ready to accept connections\n',
  });

  it('passes when no log mentions it, and bounds what it reads', async () => {
    const ctx = cluster({ objects: { pods: [backendPod(), postgresPod()] }, logs: logs('[INFO] ok\n') });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(ctx.calls.filter((c) => c.startsWith('logs '))).toHaveLength(2);
  });

  it('fails with the log lines as evidence', async () => {
    const line = "2026-01-10T09:58:01Z OSError: [Errno 28] No space left on device: '/app/media/frames/cam-17.jpg'";
    const r = await check.run(cluster({ objects: { pods: [backendPod(), postgresPod()] }, logs: logs(`[INFO] ok\n${line}\n`) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('traffic-system-backend-7c9d8f6b5d-h2x8r/backend: 1');
    expect(r.evidence?.[0]).toMatchObject({ kind: 'log', container: 'backend', lines: [line] });
    expect(r.actions).toContain('clean-old-files');
  });

  it('reads the previous container of a restarted pod (crash loops)', async () => {
    const crashing = backendPod('traffic-system-backend-crash', { restartCount: 4 });
    const r = await check.run(
      cluster({
        objects: { pods: [crashing] },
        logs: { [`${NS}/traffic-system-backend-crash/backend`]: 'starting\n', [`${NS}/traffic-system-backend-crash/backend#previous`]: 'write /app/logs/django.log: no space left on device\n' },
      }),
    );
    expect(r.status).toBe('fail');
    expect(r.message).toContain('(previous)');
  });

  it('says there is nothing to read without running pods', async () => {
    const r = await check.run(cluster({ objects: { pods: [] } }));
    expect(r.status).toBe('warn');
  });

  it('lets forbidden logs propagate', async () => {
    await expect(check.run(cluster({ objects: { pods: [backendPod()] }, forbidden: ['pods/log'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('storage.app-files', () => {
  const check = checkOf(storageChecks, 'storage.app-files');
  const exec = (logsBytes: number, oldJpgs: number) => (podName: string, _c: string, argv: string[]) => {
    const cmd = argv.join(' ');
    if (podName.includes('backend') && cmd === 'du -sb /app/logs') return { stdout: `${logsBytes}\t/app/logs\n`, stderr: '', exitCode: 0 };
    if (podName.includes('ml-service') && cmd === 'find /tmp -name *.jpg -mtime +1') {
      return { stdout: Array.from({ length: oldJpgs }, (_, i) => `/tmp/frames/cam-${i}.jpg`).join('\n') + (oldJpgs ? '\n' : ''), stderr: '', exitCode: 0 };
    }
    return undefined;
  };

  it('passes with small logs and few old images', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] }, exec: exec(1_834_567, 3) }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('/app/logs holds 1.7 MiB');
    expect(r.message).toContain('3 .jpg file(s) older than a day');
  });

  it('warns and fails on big logs or many old images, offering clean-old-files', async () => {
    const warn = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] }, exec: exec(2 * GiB, 3) }));
    expect(warn.status).toBe('warn');
    expect(warn.actions).toEqual(['clean-old-files']);
    const many = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] }, exec: exec(1000, 12_000) }));
    expect(many.status).toBe('warn');
    expect(many.message).toContain('12000 .jpg');
  });

  it('fails when /app/logs nearly fills the emptyDir size limit the kubelet evicts at', async () => {
    const limited = backendPod();
    limited.spec.containers[0].volumeMounts = [{ name: 'logs', mountPath: '/app/logs' }];
    limited.spec.volumes.push({ name: 'logs', emptyDir: { sizeLimit: '10Gi' } });
    const nearly = await check.run(cluster({ objects: { pods: [limited, mlPod()] }, exec: exec(Math.round(9.8 * GiB), 3) }));
    expect(nearly.status).toBe('fail');
    expect(nearly.message).toContain('/app/logs holds 9.8 GiB of its 10.0 GiB limit (98%)');
    // Without a limit the same size is worth cleaning, and node/PVC checks judge the disk.
    const unlimited = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] }, exec: exec(Math.round(9.8 * GiB), 3) }));
    expect(unlimited.status).toBe('warn');
  });

  it('reports an exec failure as an error, not a verdict', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] } }));
    expect(r.status).toBe('error');
    expect(r.message).toContain('command not found');
  });

  it('says so when neither pod runs', async () => {
    const r = await check.run(cluster({ objects: { pods: [] } }));
    expect(r.status).toBe('warn');
  });

  it('lets forbidden exec propagate', async () => {
    const err = await check.run(cluster({ objects: { pods: [backendPod(), mlPod()] }, forbidden: ['pods/exec'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'create', resource: 'pods/exec' });
  });
});

describe('storage.minio-health', () => {
  const check = checkOf(storageChecks, 'storage.minio-health');
  const live = (status: number) => (svc: string, port: number, path: string) =>
    svc === 'traffic-system-minio' && port === 9000 && path === '/minio/health/live' ? { status, headers: {}, body: '', latencyMs: 3 } : undefined;
  const minioLog = (text: string) => ({ [`${NS}/traffic-system-minio-84d6c5f9b7-t6w4z/minio`]: text });

  it('passes with ready pods, a live endpoint and a clean log', async () => {
    const r = await check.run(cluster({ objects: { pods: [minioPod()] }, http: live(200), logs: minioLog('Status: 1 Online, 0 Offline.\n') }));
    expect(r.status).toBe('pass');
  });

  it('fails when the liveness endpoint is unhealthy or unreachable', async () => {
    const r = await check.run(cluster({ objects: { pods: [minioPod()] }, http: live(503), logs: minioLog('') }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('HTTP 503');
    const none = await check.run(cluster({ objects: { pods: [minioPod()] }, logs: minioLog('') }));
    expect(none.status).toBe('fail');
    expect(none.message).toContain('no endpoints available');
  });

  it('warns about passing errors in the log while live', async () => {
    const line = 'API: SYSTEM()\nError: unable to fetch bucket metadata: context deadline exceeded (*errors.errorString)';
    const r = await check.run(cluster({ objects: { pods: [minioPod()] }, http: live(200), logs: minioLog(line) }));
    expect(r.status).toBe('warn');
    expect(r.evidence?.some((e) => e.kind === 'log' && e.lines.some((l) => l.includes('bucket metadata')))).toBe(true);
  });

  it('fails for corrupted objects or lost write quorum even while live', async () => {
    const lines = [
      'API: PutObject(bucket=infraction-images, object=2026/01/10/cam-17.jpg)',
      'Error: Storage resources are insufficient for the write operation (cmd.InsufficientWriteQuorum)',
      'Error: xl.meta: file is corrupted (*errors.errorString)',
    ].join('\n');
    const r = await check.run(cluster({ objects: { pods: [minioPod()] }, http: live(200), logs: minioLog(lines) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('2 of corrupted data or lost write quorum');
    expect(r.message).toContain('/minio/health/live HTTP 200');
  });

  it('fails for not-ready or absent MinIO pods', async () => {
    const r = await check.run(cluster({ objects: { pods: [minioPod({ ready: false, waitingReason: 'CrashLoopBackOff' })] }, http: live(200) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('CrashLoopBackOff');
    const absent = await check.run(cluster({ objects: { pods: [backendPod()] } }));
    expect(absent.status).toBe('fail');
    expect(absent.message).toContain('No MinIO pods');
  });

  it('propagates forbidden port-forward when the rest looks fine, but still fails from pod state', async () => {
    await expect(check.run(cluster({ objects: { pods: [minioPod()] }, forbidden: ['pods/portforward'] }))).rejects.toBeInstanceOf(ForbiddenError);
    const r = await check.run(cluster({ objects: { pods: [minioPod({ ready: false, waitingReason: 'CrashLoopBackOff' })] }, forbidden: ['pods/portforward'] }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('pods/portforward');
  });

  it('lets a forbidden pod list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['pods'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

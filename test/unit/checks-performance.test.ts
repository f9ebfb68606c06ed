import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_QUERY, parseNvidiaSmi, performanceChecks } from '../../src/main/checks/runbook/performance';
import type { KObject, PodMetric } from '../../src/main/checks/types';
import { NS, ago, checkOf, componentLabels, deployment, fake, pod, runCheck } from './checks-engine-fixtures';

const resources = checkOf(performanceChecks, 'performance.ml-service-resources');
const gpu = checkOf(performanceChecks, 'performance.ml-service-gpu');
const errors = checkOf(performanceChecks, 'performance.ml-service-errors');
const capacity = checkOf(performanceChecks, 'performance.ml-service-capacity');

const mlLabels = componentLabels('ml-service');
const mlDeployment = (o: Parameters<typeof deployment>[2] = {}) =>
  deployment('traffic-system-ml-service', 'ml-service', { containers: [{ name: 'ml-service', env: [{ name: 'MAX_QUEUE_SIZE', value: '64' }] }], ...o });
const mlPod = (name: string, o: Parameters<typeof pod>[1] = {}) =>
  pod(name, { labels: mlLabels, container: 'ml-service', owner: 'ml-rs', resources: { requests: { cpu: '2000m', memory: '4Gi' }, limits: { cpu: '4000m', memory: '8Gi' } }, ...o });
const usage = (cpu: string, memoryMi: number, pods = ['ml-1', 'ml-2']): PodMetric[] =>
  pods.map((p) => ({ namespace: NS, pod: p, containers: [{ name: 'ml-service', cpuMillicores: parseFloat(cpu), memoryBytes: memoryMi * 2 ** 20 }] }));

describe('performance.ml-service-resources', () => {
  const objects = { 'deployments.apps': [mlDeployment()], pods: [mlPod('ml-1'), mlPod('ml-2')] };

  it('passes under 80% of its limits', async () => {
    const f = await runCheck(resources, fake({ objects, podMetrics: usage('962', 6100) }));
    expect(f.status).toBe('pass');
    expect(f.evidence.some((e) => e.kind === 'metric' && e.label === 'cpu' && e.limit === 4000)).toBe(true);
  });

  it('warns over 80% and fails over 95% of a limit', async () => {
    expect((await runCheck(resources, fake({ objects, podMetrics: usage('3400', 6100) }))).status).toBe('warn');
    const f = await runCheck(resources, fake({ objects, podMetrics: usage('3950', 7800) }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('ml-1 CPU at 98.8% of its 4000m limit');
    expect(f.actions).toEqual(expect.arrayContaining(['scale:ml-service', 'set-resources:ml-service']));
  });

  it('fails on a recent OOMKilled', async () => {
    const oom = mlPod('ml-1', { restartCount: 1, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(300) } } });
    const f = await runCheck(resources, fake({ objects: { 'deployments.apps': [mlDeployment()], pods: [oom] }, podMetrics: usage('100', 1000, ['ml-1']) }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('OOMKilled');
  });

  it('warns when the ML service is not deployed', async () => {
    expect(await runCheck(resources, fake({}))).toMatchObject({ status: 'warn', message: 'ML service not found: no Deployment traffic-system-ml-service in namespace traffic-system' });
  });
});

describe('performance.ml-service-gpu', () => {
  const objects = { 'deployments.apps': [mlDeployment()], pods: [mlPod('ml-1')] };
  const smi = (stdout: string, exitCode = 0, stderr = '') => (_p: string, _c: string, argv: string[]) =>
    argv.join(' ') === NVIDIA_SMI_QUERY.join(' ') ? { stdout, stderr, exitCode } : undefined;

  it('passes with a GPU not saturated, reading the query fields per GPU', async () => {
    const f = await runCheck(gpu, fake({ objects, exec: smi('0, Tesla T4, 38, 9120, 15360\n') }));
    expect(f).toMatchObject({ status: 'pass', message: 'ml-1 GPU 0 (Tesla T4) 38% busy, 9120/15360 MiB' });
  });

  it('fails at 100% utilization', async () => {
    const f = await runCheck(gpu, fake({ objects, exec: smi('0, Tesla T4, 100, 15102, 15360\n1, Tesla T4, 20, 1000, 15360\n') }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('GPU 0 (Tesla T4) at 100% utilization');
    expect(f.message).not.toContain('GPU 1');
  });

  it('fails when nvidia-smi cannot talk to the driver, warns when it is not installed', async () => {
    const broken = await runCheck(gpu, fake({ objects, exec: smi('', 9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.") }));
    expect(broken.status).toBe('fail');
    expect(broken.message).toContain("couldn't communicate");
    expect((await runCheck(gpu, fake({ objects }))).status).toBe('warn');
  });

  it('is skipped when exec is not allowed', async () => {
    expect((await runCheck(gpu, fake({ objects, forbidden: ['pods/exec'] }))).status).toBe('skipped');
  });

  it('parses the csv of the query', () => {
    expect(parseNvidiaSmi('0, Tesla T4, 38, 9120, 15360\n')).toEqual([{ index: '0', name: 'Tesla T4', utilization: 38, memoryUsedMiB: 9120, memoryTotalMiB: 15360 }]);
  });
});

describe('performance.ml-service-errors', () => {
  const objects = { 'deployments.apps': [mlDeployment()], pods: [mlPod('ml-1')] };
  const log = (text: string) => ({ [`${NS}/ml-1/ml-service`]: text });
  const calm = '[inference] model=plate-detector-v3.2 batch=3 latency_ms=143 queue_depth=0\nINFO: "POST /v1/detect HTTP/1.1" 200 OK';

  it('passes on a calm log', async () => {
    expect((await runCheck(errors, fake({ objects, logs: log(calm) }))).status).toBe('pass');
  });

  it('fails on CUDA out of memory and on a full queue', async () => {
    const oom = await runCheck(errors, fake({ objects, logs: log(`${calm}\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB`) }));
    expect(oom.status).toBe('fail');
    expect(oom.message).toContain('CUDA out of memory');
    const full = await runCheck(errors, fake({ objects, logs: log('[WARNING] queue full, rejecting request request_id=8f78 (queue_depth=64 max=64)') }));
    expect(full.status).toBe('fail');
    expect(full.message).toContain('queue depth up to 64 of 64');
  });

  it('warns on a few timeouts or a deep queue', async () => {
    expect((await runCheck(errors, fake({ objects, logs: log(`${calm}\n[ERROR] inference timed out after 30s`) }))).status).toBe('warn');
    expect((await runCheck(errors, fake({ objects, logs: log('[inference] batch=8 queue_depth=40') }))).status).toBe('warn');
  });
});

describe('performance.ml-service-capacity', () => {
  const hpa = (current: number, max: number): KObject => ({
    metadata: { name: 'traffic-system-ml-service', namespace: NS },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'traffic-system-ml-service' }, minReplicas: 2, maxReplicas: max },
    status: { currentReplicas: current, desiredReplicas: current, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 180 } } }] },
  });

  it('passes with every replica available and room in the HPA', async () => {
    const f = await runCheck(capacity, fake({ objects: { 'deployments.apps': [mlDeployment()], pods: [mlPod('ml-1'), mlPod('ml-2')], 'horizontalpodautoscalers.autoscaling': [hpa(2, 5)] } }));
    expect(f).toMatchObject({ status: 'pass', message: '2/2 replicas available, HPA 2/5 replicas' });
  });

  it('warns when the HPA is at its maximum', async () => {
    const f = await runCheck(capacity, fake({ objects: { 'deployments.apps': [mlDeployment({ replicas: 5 })], pods: [], 'horizontalpodautoscalers.autoscaling': [hpa(5, 5)] } }));
    expect(f.status).toBe('warn');
    expect(f.message).toContain('HPA traffic-system-ml-service at its maximum of 5 replicas (cpu 180%)');
    expect(f.actions).toEqual(['scale:ml-service']);
  });

  it('fails when a replica cannot be scheduled or none is available', async () => {
    const pending = mlPod('ml-3', {
      phase: 'Pending',
      ready: false,
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 1 Insufficient nvidia.com/gpu.' }],
    });
    const f = await runCheck(capacity, fake({ objects: { 'deployments.apps': [mlDeployment({ replicas: 3, available: 2 })], pods: [mlPod('ml-1'), mlPod('ml-2'), pending] } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('1 cannot be scheduled (0/4 nodes are available: 1 Insufficient nvidia.com/gpu.)');
    const none = await runCheck(capacity, fake({ objects: { 'deployments.apps': [mlDeployment({ replicas: 2, available: 0 })], pods: [] } }));
    expect(none).toMatchObject({ status: 'fail', message: '0 of 2 replicas available' });
  });

  it('still judges replicas when the HPA may not be read', async () => {
    const f = await runCheck(capacity, fake({ objects: { 'deployments.apps': [mlDeployment()], pods: [] }, forbidden: ['horizontalpodautoscalers.autoscaling'] }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('HPA not checked: not allowed to list horizontalpodautoscalers.autoscaling');
  });
});

// The pure parts of actions: what a diff shows of Secrets, what a record keeps of an
// object, parameter validation, how the CLI reads ACTION and --target, and the conflict check.
import { describe, expect, it } from 'vitest';
import { actionParamSchemas } from '../../src/shared/actions';
import { objectDiff, pruneForDiff } from '../../src/main/actions/object-diff';
import { project } from '../../src/main/actions/executor';
import { shellQuote } from '../../src/main/actions/types';
import { storageBytes } from '../../src/main/actions/storage';
import { addUserToGroupArgv, ADD_USER_TO_GROUP_CODE } from '../../src/main/actions/django';
import { resolveAction } from '../../src/main/cli/commands/act';
import { checkExpectations, desiredState, type Expectation } from '../../src/main/actions/planner';
import type { KubeClient } from '../../src/main/actions/kube-client';

const secret = (value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'ns', resourceVersion: '7', managedFields: [{ manager: 'x' }] },
  data: { 'django-secret-key': value, other: 'c2FtZQ==' },
});

describe('object diff', () => {
  it('shows which Secret key changes without either value', () => {
    const { diff, hunks } = objectDiff('secrets/s.yaml', secret('b2xkLXZhbHVl'), secret('bmV3LXZhbHVl'));
    expect(diff).not.toContain('b2xkLXZhbHVl');
    expect(diff).not.toContain('bmV3LXZhbHVl');
    expect(diff).not.toContain('c2FtZQ==');
    const changed = hunks.flatMap((h) => h.lines).filter((l) => l.startsWith('+') || l.startsWith('-'));
    expect(changed).toEqual(['-  django-secret-key: <redacted>', '+  django-secret-key: <redacted, new value>']);
  });

  it('leaves out status and server bookkeeping', () => {
    const pruned = pruneForDiff({ kind: 'Deployment', metadata: { name: 'd', resourceVersion: '1', generation: 3, managedFields: [] }, spec: { replicas: 1 }, status: { replicas: 1 } });
    expect(pruned).toEqual({ kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } });
    expect(objectDiff('x', { metadata: { name: 'd', resourceVersion: '1' }, spec: { a: 1 } }, { metadata: { name: 'd', resourceVersion: '2' }, spec: { a: 1 } }).hunks).toEqual([]);
  });
});

describe('records', () => {
  it('keep the parts a patch names, containers matched by name', () => {
    const deployment = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'side', image: 'a' }, { name: 'ml-service', image: 'b', resources: { limits: { cpu: '1' } } }] } } } };
    const patch = { spec: { template: { spec: { containers: [{ name: 'ml-service', resources: { limits: { cpu: '4000m' } } }] } } } };
    expect(project(deployment, patch)).toEqual({ spec: { template: { spec: { containers: [{ name: 'ml-service', resources: { limits: { cpu: '1' } } }] } } } });
    expect(project({ spec: {} }, { spec: { replicas: 3 } })).toEqual({ spec: { replicas: null } });
  });
});

describe('parameters', () => {
  it('a username or group is data: no quote or newline reaches the Python code', () => {
    expect(actionParamSchemas['add-user-to-group'].safeParse({ username: "ana'); User.objects.all().delete() #", group: 'operators' }).success).toBe(false);
    expect(actionParamSchemas['add-user-to-group'].safeParse({ username: 'ana', group: 'ops\nimport os' }).success).toBe(false);
    const argv = addUserToGroupArgv('ana.ruiz@example', "night's watch");
    expect(argv).toEqual(['env', 'ROADSIDE_USERNAME=ana.ruiz@example', "ROADSIDE_GROUP=night's watch", 'python', 'manage.py', 'shell', '-c', ADD_USER_TO_GROUP_CODE]);
    expect(ADD_USER_TO_GROUP_CODE).not.toMatch(/ana|night/);
  });

  it('quantities, counts and defaults', () => {
    expect(actionParamSchemas['scale:ml-service'].parse({})).toEqual({ replicas: 5 });
    expect(actionParamSchemas['scale:ml-service'].safeParse({ replicas: '51' }).success).toBe(false);
    expect(actionParamSchemas['expand-pvc'].safeParse({ size: '200GB' }).success).toBe(false);
    expect(actionParamSchemas['set-resources:ml-service'].parse({ cpuLimit: '3' })).toMatchObject({ cpuLimit: '3', memoryLimit: '8Gi' });
    expect(storageBytes('100Gi')).toBe(100 * 2 ** 30);
    expect(storageBytes('200Gi')! > storageBytes('100Gi')!).toBe(true);
  });

  it('commands read as a person would type them', () => {
    expect(shellQuote(['find', '/app/logs', '-name', '*.log', '-delete'])).toBe("find /app/logs -name '*.log' -delete");
    expect(shellQuote(["it's"])).toBe("'it'\\''s'");
  });
});

describe('roadside act ACTION --target', () => {
  it('joins a family and its target into the action id', () => {
    expect(resolveAction('rollout-restart', 'backend', {}).actionId).toBe('rollout-restart:backend');
    expect(resolveAction('rollout-restart:coredns', 'coredns', {}).actionId).toBe('rollout-restart:coredns');
    expect(resolveAction('expand-pvc', 'data-traffic-system-postgresql-0', {}).params).toEqual({ pvc: 'data-traffic-system-postgresql-0' });
    expect(resolveAction('add-user-to-group', 'ana', { group: 'operators' }).params).toEqual({ group: 'operators', username: 'ana' });
    expect(resolveAction('maintenance-on', 'traffic-system-frontend', {}).checkTarget).toBe('traffic-system-frontend');
  });

  it('refuses what it cannot name', () => {
    expect(() => resolveAction('rollout-restart', undefined, {})).toThrow(/give --target: backend, ml-service, coredns, prometheus/);
    expect(() => resolveAction('rollout-restart:backend', 'coredns', {})).toThrow(/does not match/);
    expect(() => resolveAction('expand-pvc', 'a', { pvc: 'b' })).toThrow(/disagree/);
  });
});

describe('the conflict check between preview and apply', () => {
  const deployment = (rv: string, replicas: number, ready: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', resourceVersion: rv, generation: 4, labels: { app: 'web' } },
    spec: { replicas },
    status: { readyReplicas: ready },
  });
  const clientReturning = (obj: unknown) => ({ get: async () => obj }) as unknown as KubeClient;
  const expectation = (before: ReturnType<typeof deployment>): Expectation => ({
    kind: 'object',
    path: '/apis/apps/v1/namespaces/ns/deployments/web',
    label: 'deployment/web',
    resourceVersion: before.metadata.resourceVersion,
    desired: desiredState(before),
  });

  it('lets a status update by a controller through', async () => {
    const before = deployment('10', 3, 1);
    await expect(checkExpectations(clientReturning(deployment('14', 3, 3)), [expectation(before)])).resolves.toBeInstanceOf(Map);
  });

  it('refuses when someone changed the object itself', async () => {
    const before = deployment('10', 3, 1);
    await expect(checkExpectations(clientReturning(deployment('12', 5, 1)), [expectation(before)])).rejects.toMatchObject({ code: 'conflict' });
  });
});

import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../src/main/sandbox/patch';
import { matchesLabels, parseLabelSelector, SelectorError } from '../../src/main/sandbox/selectors';
import { humanDuration, podStatusReason } from '../../src/main/sandbox/table';
import { isAllowed, forbiddenMessage } from '../../src/main/sandbox/rbac';
import type { KubeObject } from '../../src/main/sandbox/snapshot-types';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', release: 'v2' };
  it.each([
    ['app=web', true],
    ['app==web,tier=front', true],
    ['app!=web', false],
    ['tier in (front, back)', true],
    ['tier notin (front)', false],
    ['release', true],
    ['!release', false],
    ['!missing,app in (web),tier', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabels(labels, parseLabelSelector(selector))).toBe(expected);
  });
  it('rejects what the API rejects', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(SelectorError);
  });
});

describe('patches', () => {
  const deploy = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 's:1' },
          ],
        },
      },
    },
  };
  it('strategic merge merges containers and env by name and honours $patch: delete', () => {
    const out = applyStrategicMergePatch(deploy, {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'a:2', env: [{ name: 'B', $patch: 'delete' }, { name: 'C', value: '3' }] }, { name: 'sidecar', $patch: 'delete' }] } } },
    }) as typeof deploy;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'app', image: 'a:2', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }] }]);
  });
  it('merge patch replaces lists and deletes with null', () => {
    const out = applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null }, l: [3] });
    expect(out).toEqual({ a: { b: 1 }, l: [3] });
  });
  it('json patch applies operations in order and fails a test op', () => {
    expect(applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 4 }, { op: 'add', path: '/spec/paused', value: true }])).toEqual({ spec: { replicas: 4, paused: true } });
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow();
  });
});

describe('pod printing', () => {
  it('formats ages like kubectl', () => {
    expect(humanDuration(90_000)).toBe('90s');
    expect(humanDuration(246_000)).toBe('4m6s');
    expect(humanDuration(5 * 86400_000)).toBe('5d');
    expect(humanDuration(26 * 3600_000)).toBe('26h');
  });
  it('computes STATUS from container states', () => {
    const pod = (status: object, spec: object = { containers: [{ name: 'c' }] }): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, status });
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] })).reason).toBe('CrashLoopBackOff');
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })).reason).toBe('Completed');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] })).reason).toBe('OOMKilled');
    expect(podStatusReason(pod({ phase: 'Pending' }, { containers: [{ name: 'c' }], initContainers: [{ name: 'i' }] })).reason).toBe('Pending');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] }, { containers: [{ name: 'c' }], initContainers: [{ name: 'i' }] })).reason).toBe('Init:0/1');
  });
});

describe('rules', () => {
  const user = { name: 'l1-operator', token: 't', rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get'] }] };
  it('matches verbs, resources, subresources and names', () => {
    expect(isAllowed(user, { verb: 'get', resource: 'pods', subresource: 'log', group: '', namespace: 'ns', name: 'p' })).toBe(true);
    expect(isAllowed(user, { verb: 'create', resource: 'pods', subresource: 'exec', group: '', namespace: 'ns', name: 'p' })).toBe(false);
    expect(isAllowed(user, { verb: 'get', resource: 'configmaps', group: '', name: 'app-config' })).toBe(true);
    expect(isAllowed(user, { verb: 'list', resource: 'configmaps', group: '' })).toBe(false);
    expect(isAllowed(user, { verb: 'get', path: '/version' })).toBe(true);
  });
  it('words denials like the API server', () => {
    expect(forbiddenMessage(user, { verb: 'list', resource: 'nodes', group: '' }, 'nodes')).toBe('nodes is forbidden: User "l1-operator" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});

// Pure parts of the escalation report: rendering, durations, entry names, Secret handling,
// the environment summary.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeHelmReleaseSecret } from '../../src/main/checks/helm-release';
import { parseDuration, redactResources, renderHtml, renderMarkdown, renderSummary, summarizeEnvironment, unsafeEntryName, type ClusterCollection, type ReportModel } from '../../src/main/report';
import { createRedactor } from '../../src/main/report/redaction';
import { parseEscalationLevel } from '../../src/shared/contract-report';

function model(over: Partial<ReportModel> = {}): ReportModel {
  return {
    incidentId: 'inc-1',
    title: 'Backend 502',
    severity: 'SEV2',
    status: 'active',
    startedAt: '2026-11-29T10:00:00.000Z',
    generatedAt: '2026-11-29T11:00:00.000Z',
    roadsideVersion: '0.1.0',
    level: 'L2',
    channel: 'slack',
    channelTarget: '#traffic-system-support',
    engineer: 'ana',
    context: 'prod',
    namespace: 'traffic-system',
    description: 'The ingress answers 502.',
    steps: '1. `kubectl get endpoints -n traffic-system`',
    impact: 'Operators cannot review infractions.',
    logs: [{ file: 'cluster/logs/traffic-system/backend-1/backend.log', lines: 10, bytes: 900, excerpt: ['2026-11-29T10:00:00Z [ERROR] upstream ```refused```'] }],
    attachments: [],
    notes: [],
    findings: [{ at: '2026-11-29T10:01:00Z', checkId: 'connectivity.backend-endpoints', status: 'fail', message: 'no ready endpoints | none' }],
    timeline: [{ at: '2026-11-29T10:01:00Z', kind: 'note', author: 'ana', title: 'restarted <b>backend</b>' }],
    timelineTotal: 1,
    ...over,
  };
}

describe('report rendering', () => {
  it('has the six sections of the runbook in order, in Markdown and HTML', () => {
    const md = renderMarkdown(model());
    const titles = ['Problem description', 'Steps to reproduce', 'Relevant logs', 'Environment configuration', 'Impact on users', 'Incident timeline'];
    const positions = titles.map((t) => md.indexOf(t));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(md).toContain('L2 Support: configuration and performance');
    expect(md).toContain('Slack: #traffic-system-support');
    // a fence longer than any backtick run inside the excerpt
    expect(md).toContain('````\n2026-11-29T10:00:00Z [ERROR] upstream ```refused```\n````');
    expect(md).toContain('no ready endpoints \\| none');
    const html = renderHtml(model());
    for (const t of titles) expect(html).toContain(t);
    expect(html).toContain('restarted &lt;b&gt;backend&lt;/b&gt;');
    expect(html).not.toContain('<b>backend');
    expect(html).toContain("default-src 'none'");
  });

  it('says so when live collection failed', () => {
    const md = renderMarkdown(model({ liveError: 'cannot reach the API server' }));
    expect(md).toContain('**Live collection failed**: cannot reach the API server');
    expect(md).toContain('_Not collected from the cluster._');
  });

  it('keeps the chat summary under 1,500 characters however long the texts are', () => {
    const long = 'x'.repeat(10_000);
    const s = renderSummary(model({ title: long, description: long, impact: long, engineer: long, channelTarget: long }), 'b.zip');
    expect(s.length).toBeLessThanOrEqual(1500);
    expect(s.startsWith('**[L2] ')).toBe(true);
    const failing = renderSummary(model());
    expect(failing).toContain('connectivity.backend-endpoints');
  });
});

describe('inputs', () => {
  it('reads durations like kubectl --since', () => {
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('2 hours')).toBeUndefined();
    expect(parseDuration('0s')).toBeUndefined();
  });
  it('reads escalation levels as people type them', () => {
    expect(parseEscalationLevel('emergency')).toBe('Emergency');
    expect(parseEscalationLevel('l3')).toBe('L3');
    expect(parseEscalationLevel('L4')).toBeUndefined();
  });
  it('finds unsafe zip entry names', () => {
    expect(unsafeEntryName('cluster/logs/ns/pod/c.log')).toBeUndefined();
    expect(unsafeEntryName('../x')).toMatch(/\.\./);
    expect(unsafeEntryName('a/../../x')).toMatch(/\.\./);
    expect(unsafeEntryName('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeEntryName('C:/x')).toMatch(/absolute/);
    expect(unsafeEntryName('a\\..\\x')).toMatch(/backslash/);
    expect(unsafeEntryName('a//b')).toMatch(/empty/);
  });
});

describe('Secrets in cluster/resources', () => {
  const helmRelease = (values: unknown) => {
    const release = { name: 'traffic-system', namespace: 'traffic-system', version: 3, info: { status: 'deployed', last_deployed: '2026-11-28T10:00:00Z' }, chart: { metadata: { name: 'traffic-system', version: '1.4.2', appVersion: '2.3.0' }, values }, config: values, manifest: 'kind: Secret\nstringData:\n  password: hunter2-hunter2' };
    return Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');
  };

  it('writes every data value as base64 of its token, keeps keys, and reduces Helm records to identity and state', () => {
    const redactor = createRedactor();
    const items = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'traffic-system' }, type: 'Opaque', data: { 'postgres-password': Buffer.from('Xk9vPq2LmW7tRz4N').toString('base64'), empty: '' }, stringData: { token: 'tk_live_123456789abcdef' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.traffic-system.v3', namespace: 'traffic-system', labels: { owner: 'helm', name: 'traffic-system', version: '3' } }, type: 'helm.sh/release.v1', data: { release: helmRelease({ postgresql: { auth: { password: 'hunter2-hunter2' } } }) } },
    ];
    const text = redactResources(redactor, 'cluster/resources/secrets.json', 'Secret', 'v1', items as never);
    expect(text).not.toContain('Xk9vPq2LmW7tRz4N');
    expect(text).not.toContain(Buffer.from('Xk9vPq2LmW7tRz4N').toString('base64'));
    expect(text).not.toContain('tk_live');
    const list = JSON.parse(text);
    expect(list.kind).toBe('SecretList');
    const db = list.items[0];
    expect(Object.keys(db.data).sort()).toEqual(['empty', 'postgres-password', 'token']);
    expect(db.stringData).toBeUndefined();
    for (const v of Object.values(db.data) as string[]) expect(Buffer.from(v, 'base64').toString()).toMatch(/^\[REDACTED:secret-data:[0-9a-f]{6}\]$/);
    const helm = decodeHelmReleaseSecret(list.items[1]);
    expect(helm).toMatchObject({ name: 'traffic-system', revision: 3, status: 'deployed', chart: 'traffic-system', chartVersion: '1.4.2', appVersion: '2.3.0' });
    const inner = Buffer.from(list.items[1].data.release, 'base64').toString();
    expect(Buffer.from(inner, 'base64').length).toBeGreaterThan(0);
    expect(JSON.stringify(list)).not.toContain('hunter2');
    expect(redactor.ledger.countsFor('cluster/resources/secrets.json')['secret-data']).toBeGreaterThanOrEqual(2);
  });
});

describe('redaction engine fix: a secret after a key that is not one', () => {
  it('hides KEY=value after a prose "word:" and leaves tokens alone when run again', () => {
    const r = createRedactor();
    const once = r.redactText('checked env: POSTGRES_PASSWORD=Xk9vPq2LmW7tRz4N and note: api_key=abcd1234efgh').text;
    expect(once).not.toContain('Xk9vPq2LmW7tRz4N');
    expect(once).not.toContain('abcd1234efgh');
    expect(once).toContain('checked env: POSTGRES_PASSWORD=[REDACTED:password:');
    expect(r.redactText(once).text).toBe(once);
    expect(r.redactText('level: info msg: request served user: bob').text).toBe('level: info msg: request served user: bob');
  });
});

describe('environment summary', () => {
  it('summarizes nodes, workloads, images, services, PVCs, ConfigMap keys and policies', () => {
    const c: ClusterCollection = {
      context: 'prod',
      namespace: 'traffic-system',
      kubernetesVersion: 'v1.30.4',
      collectedAt: new Date(),
      problems: ['Ingress: forbidden (list ingresses.networking.k8s.io)'],
      kinds: [
        { resource: 'nodes', apiVersion: 'v1', kind: 'Node', file: 'nodes.json', items: [{ metadata: { name: 'w1', labels: { 'node-role.kubernetes.io/worker': '' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.4' } } }] },
        {
          resource: 'deployments.apps',
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          file: 'deployments.json',
          items: [{ metadata: { name: 'backend' }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'b', image: 'reg/backend@sha256:abc' }] } } }, status: { readyReplicas: 1 } }],
        },
        { resource: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap', file: 'configmaps.json', items: [{ metadata: { name: 'cfg' }, data: { B: '1', A: '2' } }] },
        { resource: 'networkpolicies.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', file: 'np.json', items: [{ metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }] },
      ],
    };
    const env = summarizeEnvironment(c);
    expect(env.nodes).toEqual([{ name: 'w1', ready: true, roles: ['worker'], kubelet: 'v1.30.4', os: undefined }]);
    expect(env.workloads[0]).toMatchObject({ kind: 'Deployment', name: 'backend', replicas: 2, ready: 1, images: ['reg/backend@sha256:abc'] });
    expect(env.images).toEqual([{ image: 'reg/backend@sha256:abc', workloads: ['deployment/backend'] }]);
    expect(env.configMaps).toEqual([{ name: 'cfg', keys: ['A', 'B'] }]);
    expect(env.networkPolicies[0]).toEqual({ name: 'deny', podSelector: '(all pods)', policyTypes: ['Ingress'] });
    expect(env.problems).toContain('Ingress: forbidden (list ingresses.networking.k8s.io)');
  });
});

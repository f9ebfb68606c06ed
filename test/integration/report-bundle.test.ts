// An escalation bundle end to end against the real sandbox (scenario backend-502 with planted
// secrets): preview, build, verify, secretlint over the unpacked bundle, replay with the sandbox
// and real kubectl, and the refusals (missing incident, unwritable destination, unreachable cluster).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@secretlint/node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportRequest } from '../../src/shared/contract-report';
import { IncidentStore } from '../../src/main/incidents';
import { extractBundle, verifyBundle } from '../../src/main/report';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { loadSnapshot } from '../../src/main/sandbox/snapshot';
import type { KubeObject } from '../../src/main/sandbox/snapshot-types';
import { RoadsideService } from '../../src/main/service';
import { findKubectl } from '../support/kubectl';
import { buildSecretCorpus } from '../unit/redactionCorpus';

const NS = 'traffic-system';
const REDACTED_PASSWORD_IN_URI = '/:\\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\\]@/';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function secretlint(dir: string): Promise<Array<{ ruleId: string; message: string; file: string }>> {
  const engine = await createEngine({
    cwd: dir,
    formatter: 'json',
    color: false,
    maskSecrets: true,
    configFileJSON: {
      rules: [
        {
          id: '@secretlint/secretlint-rule-preset-recommend',
          rules: [{ id: '@secretlint/secretlint-rule-database-connection-string', options: { allows: [REDACTED_PASSWORD_IN_URI] } }],
        },
      ],
    },
  });
  const result = await engine.executeOnFiles({ filePathList: await listFiles(dir) });
  const files = JSON.parse(result.output) as Array<{ filePath: string; messages: Array<{ ruleId: string; message: string }> }>;
  return files.flatMap((f) => f.messages.map((m) => ({ ...m, file: f.filePath })));
}

function objectsOf(text: string): KubeObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter((o) => o && o.kind);
}

describe('escalation bundle against the sandbox (backend-502)', () => {
  const corpus = buildSecretCorpus();
  let root: string;
  let dataDir: string;
  let sandbox: RunningSandbox;
  let service: RoadsideService;
  let incidentId: string;
  let request: ReportRequest;
  let bundlePath: string;
  let extracted: string;
  let podNames: string[];
  const kubectl = findKubectl();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'roadside-report-'));
    dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const snapshot = await loadScenario('backend-502');
    // Planted secrets: the corpus's Secret, ConfigMap and Deployment objects, and its log lines
    // appended to the backend's own log.
    for (const file of ['cluster/resources/secrets.yaml', 'cluster/resources/configmaps.yaml']) {
      for (const o of objectsOf(corpus.files[file])) {
        o.metadata.namespace = NS;
        o.metadata.name = `planted-${o.metadata.name}`;
        snapshot.objects.push(o);
      }
    }
    const backend = snapshot.logs.find((l) => l.namespace === NS && l.pod.startsWith('traffic-system-backend') && !l.previous)!;
    for (const [file, text] of Object.entries(corpus.files)) if (file.endsWith('.log')) backend.lines.push(...text.split('\n').filter(Boolean));
    podNames = snapshot.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === NS).map((o) => o.metadata.name).sort();
    sandbox = await startSandbox({ snapshot, port: 0 });
    const kubeconfig = join(root, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, sandbox.kubeconfigYaml({ contextName: 'sandbox-502', namespace: NS }));
    writeFileSync(
      join(root, 'unreachable.yaml'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: abc}\ncontexts:\n- name: gone\n  context: {cluster: gone, user: u, namespace: ${NS}}\ncurrent-context: gone\n`,
    );
    service = new RoadsideService({
      dataDir,
      door: 'cli',
      version: '0.0.0-test',
      kubeconfig: { kubeconfigEnv: '', home: root, sessionFiles: [kubeconfig, join(root, 'unreachable.yaml')] },
    });
    const store = IncidentStore.open(dataDir, { author: 'ana' });
    try {
      const incident = store.createIncident({
        title: 'Backend answers 502 through the ingress',
        severity: 'SEV2',
        context: 'sandbox-502',
        namespace: NS,
        description: `ingress-nginx returns 502 for /api. DATABASE_URL was postgresql://trafficuser:${corpus.shared.dbPassword}@traffic-system-postgresql:5432/trafficdb`,
      });
      incidentId = incident.id;
      store.updateIncident(incidentId, { impact: 'Operators cannot review infractions for Acme Logistics Oy; camera uploads queue up.' });
      store.recordDiagnosticRun(incidentId, {
        summary: '1 fail',
        findings: [{ checkId: 'connectivity.backend-endpoints', status: 'fail', message: 'service traffic-system-backend has no ready endpoints', command: 'kubectl get endpoints traffic-system-backend -n traffic-system' }],
      });
      await store.addAttachment(incidentId, { name: 'notes-from-oncall.md', data: Buffer.from(corpus.files['report/report.md']) });
      await store.addAttachment(incidentId, { name: 'kubeconfig.yaml', data: Buffer.from(corpus.files['kubeconfig.yaml']) });
      await store.addAttachment(incidentId, { name: 'screenshot.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) });
    } finally {
      store.close();
    }
    request = {
      incidentId,
      live: true,
      level: 'L3',
      logs: {},
      redaction: { customLiterals: ['Acme Logistics Oy'], customPatterns: [], exemptions: [] },
    };
    bundlePath = join(root, 'out', 'escalation.zip');
    mkdirSync(join(root, 'out'));
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
    await service?.shutdown();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('drafts the six sections from the incident and the live cluster', async () => {
    const draft = await service.call('report.draft', { incidentId, live: true });
    expect(draft.description).toContain('ingress-nginx returns 502');
    expect(draft.impact).toContain('Operators cannot review');
    expect(draft.steps).toContain('kubectl get endpoints traffic-system-backend -n traffic-system');
    expect(draft.environment?.kubernetesVersion).toMatch(/^v1\./);
    expect(draft.environment?.pods.map((p) => p.name).sort()).toEqual(podNames);
    expect(draft.environment?.helmReleases.length).toBeGreaterThan(0);
    expect(draft.timeline.some((t) => t.kind === 'finding')).toBe(true);
    expect(draft.attachments.map((a) => a.name).sort()).toEqual(['kubeconfig.yaml', 'notes-from-oncall.md', 'screenshot.png']);
    expect(draft.level).toBe('L2');
    expect(draft.channels.slack).toBe('#traffic-system-support');
  });

  it('previews every file with what will be hidden, and writes nothing', async () => {
    const preview = await service.call('report.preview', request);
    const secrets = preview.files.find((f) => f.path === 'cluster/resources/secrets.json')!;
    expect(secrets.counts['secret-data']).toBeGreaterThan(0);
    const backendLog = preview.files.find((f) => f.kind === 'log' && f.path.includes('traffic-system-backend'))!;
    expect(backendLog.total).toBeGreaterThan(0);
    const report = preview.files.find((f) => f.path === 'report.md')!;
    expect(report.spans.some((s) => report.excerpt.slice(s.start, s.end).startsWith('[REDACTED:'))).toBe(true);
    expect(preview.excluded.map((x) => x.path)).toEqual(['attachments/screenshot.png']);
    for (const f of preview.files) for (const p of corpus.planted) expect(f.excerpt, `${f.path} shows a planted secret`).not.toContain(p);
    expect(existsSync(bundlePath)).toBe(false);
  });

  it('builds a bundle that verifies, with the contract layout and a timeline entry', async () => {
    const result = await service.call('report.build', { ...request, out: bundlePath, confirmed: true });
    expect(result.path).toBe(bundlePath);
    expect(result.redactedValues).toBeGreaterThan(10);
    expect(result.summary.length).toBeLessThanOrEqual(1500);
    expect(readdirSync(join(root, 'out'))).toEqual(['escalation.zip']);
    const opened = await verifyBundle(bundlePath);
    const paths = opened.manifest.files.map((f) => f.path);
    for (const p of ['report.md', 'report.html', 'incident/incident.json', 'incident/timeline.json', 'incident/findings.json', 'cluster/scenario.yaml', 'cluster/resources/pods.json', 'redactions.json', 'attachments/notes-from-oncall.md']) {
      expect(paths).toContain(p);
    }
    expect(paths.some((p) => /^cluster\/logs\/traffic-system\/traffic-system-backend-[^/]+\/backend\.log$/.test(p))).toBe(true);
    expect(paths).not.toContain('attachments/screenshot.png');
    expect(opened.manifest).toMatchObject({ format: 'roadside-bundle/1', incidentId, namespace: NS, context: 'sandbox-502', level: 'L3' });
    const store = IncidentStore.open(dataDir);
    try {
      const entries = store.listEntries(incidentId, { kinds: ['escalation'] }).entries;
      expect(entries[0]?.body).toContain('escalation.zip');
    } finally {
      store.close();
    }
    const info = await service.call('bundle.open', { path: bundlePath });
    for (const title of ['Problem description', 'Steps to reproduce', 'Relevant logs', 'Environment configuration', 'Impact on users', 'Incident timeline']) {
      expect(info.reportMarkdown).toContain(title);
    }
  });

  it('leaves no planted secret in the unpacked bundle; secretlint finds nothing; names, digests and times survive', async () => {
    extracted = (await extractBundle(bundlePath, dataDir)).dir;
    const files = await listFiles(extracted);
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      for (const p of corpus.planted) expect(text.includes(p), `${f} holds planted secret ${p.slice(0, 6)}…`).toBe(false);
    }
    expect(await secretlint(extracted)).toEqual([]);
    const pods = JSON.parse(readFileSync(join(extracted, 'cluster/resources/pods.json'), 'utf8')).items as KubeObject[];
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(podNames);
    const podText = readFileSync(join(extracted, 'cluster/resources/pods.json'), 'utf8');
    expect(podText).toMatch(/"creationTimestamp": "\d{4}-\d\d-\d\dT/);
    expect(podText).toContain('pod-template-hash');
    const digests = podText.match(/sha256:[0-9a-f]{64}/g) ?? [];
    if (digests.length) expect(podText).toContain(digests[0]);
    const log = files.find((f) => /traffic-system-backend-[^/]+\/backend\.log$/.test(f))!;
    expect(readFileSync(log, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/m);
    const redactions = JSON.parse(readFileSync(join(extracted, 'redactions.json'), 'utf8'));
    expect(redactions.totals['secret-data']).toBeGreaterThan(0);
    expect(JSON.stringify(redactions)).not.toContain(corpus.shared.dbPassword);
  });

  it('replays as a cluster: the sandbox serves the same pods to kubectl and redacted Secrets decode', async () => {
    const snapshot = await loadSnapshot(join(extracted, 'cluster'));
    expect(snapshot.skipped).toEqual([]);
    const replay = await startSandbox({ snapshot, port: 0 });
    try {
      const kc = join(root, 'replay.yaml');
      writeFileSync(kc, replay.kubeconfigYaml({ namespace: NS }));
      // Asynchronous: the sandbox answers from this very process.
      const run = async (...args: string[]) => (await promisify(execFile)(kubectl, ['--kubeconfig', kc, ...args], { encoding: 'utf8', timeout: 20_000 })).stdout;
      const names = (await run('get', 'pods', '-n', NS, '-o', 'name')).trim().split('\n').map((l) => l.replace('pod/', '')).sort();
      expect(names).toEqual(podNames);
      const secret = await run('get', 'secret', '-n', NS, 'planted-traffic-system-secrets', '-o', 'jsonpath={.data}');
      const data = JSON.parse(secret) as Record<string, string>;
      expect(Object.keys(data).length).toBeGreaterThan(0);
      for (const v of Object.values(data)) expect(Buffer.from(v, 'base64').toString('utf8')).toMatch(/^\[REDACTED:secret-data:[0-9a-f]{6}\]$/);
      const backendPod = podNames.find((n) => n.startsWith('traffic-system-backend'))!;
      expect((await run('logs', '-n', NS, backendPod, '-c', 'backend', '--tail=5')).length).toBeGreaterThan(0);
    } finally {
      await replay.stop();
    }
  });

  it('refuses a missing incident with a clear message and writes nothing', async () => {
    const out = join(root, 'out', 'missing.zip');
    const r = await service.dispatch('report.build', { ...request, incidentId: '00000000-0000-4000-8000-000000000000', out, confirmed: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'not-found' });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a destination that is not writable and leaves no file', async () => {
    writeFileSync(join(root, 'afile'), 'x');
    const r = await service.dispatch('report.build', { ...request, out: join(root, 'afile', 'b.zip'), confirmed: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/not a folder/);
    const r2 = await service.dispatch('report.build', { ...request, out: join(root, 'no-such-folder', 'b.zip'), confirmed: true });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.message).toMatch(/does not exist/);
    if (process.getuid?.() === 0) {
      // root ignores file modes; a read-only file system still refuses it
      const r3 = await service.dispatch('report.build', { ...request, out: '/proc/roadside-bundle.zip', confirmed: true });
      expect(r3.ok).toBe(false);
      if (!r3.ok) expect(r3.error.message).toMatch(/cannot write \/proc\/roadside-bundle\.zip/);
      expect(existsSync('/proc/roadside-bundle.zip')).toBe(false);
    }
    expect(readdirSync(join(root, 'out')).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('writes a file unredacted only by an explicit, recorded choice; Secrets can never be exempted', async () => {
    const out = join(root, 'out', 'exempt.zip');
    const exemptions = [{ file: 'attachments/screenshot.png', reason: 'UI screenshot, holds no text' }];
    await service.call('report.build', { ...request, live: false, redaction: { ...request.redaction, exemptions }, out, confirmed: true });
    const { dir } = await extractBundle(out, dataDir);
    expect(readFileSync(join(dir, 'attachments/screenshot.png'))).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    const redactions = JSON.parse(readFileSync(join(dir, 'redactions.json'), 'utf8'));
    expect(redactions.files.find((f: { file: string }) => f.file === 'attachments/screenshot.png')).toMatchObject({ redaction: 'exempted', reason: 'UI screenshot, holds no text', decidedBy: 'ana' });
    const refused = await service.dispatch('report.build', {
      ...request,
      redaction: { ...request.redaction, exemptions: [{ file: 'cluster/resources/secrets.json', reason: 'I need the passwords' }] },
      out: join(root, 'out', 'never.zip'),
      confirmed: true,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('cannot be exempted');
    expect(existsSync(join(root, 'out', 'never.zip'))).toBe(false);
  });

  it('on a full disk says so and leaves no partial bundle', async (ctx) => {
    const tiny = join(root, 'tiny');
    mkdirSync(tiny);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root and mount(2): a 64 KiB tmpfs is the only honest full disk
    }
    try {
      const r = await service.dispatch('report.build', { ...request, out: join(tiny, 'full.zip'), confirmed: true });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/the disk holding .*full\.zip is full \(no bundle was written\)/);
      expect(readdirSync(tiny)).toEqual([]);
    } finally {
      execFileSync('umount', [tiny]);
    }
  });

  it('builds from the incident alone when the cluster is unreachable, and says so in the report', async () => {
    const out = join(root, 'out', 'offline.zip');
    const result = await service.call('report.build', { ...request, context: 'gone', out, confirmed: true });
    expect(result.liveError).toMatch(/cannot reach the API server/);
    const info = await service.call('bundle.open', { path: out });
    expect(info.reportMarkdown).toContain('Live collection failed');
    expect(info.manifest.files.some((f) => f.path.startsWith('cluster/logs/'))).toBe(false);
    expect(info.manifest.files.map((f) => f.path)).toContain('incident/timeline.json');
    const dir = (await extractBundle(out, dataDir)).dir;
    const snapshot = await loadSnapshot(join(dir, 'cluster'));
    expect(snapshot.objects).toEqual([]);
  });
});

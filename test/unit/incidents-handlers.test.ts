// The incidents area through the core's dispatch, as the UI calls it: range pages,
// axis density, recording diagnoses to the active incident, cluster events.
// Uses a real SQLite file in a temporary folder and a loopback HTTPS API server.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiagnoseResult } from '../../src/shared/checks';
import type { Channel, RequestOf, ResponseOf, RoadsideEvent } from '../../src/shared/contract';
import type { Incident } from '../../src/shared/incidents';
import { prepareDiagnosisRecording } from '../../src/main/handlers/incidents';
import { RoadsideService } from '../../src/main/service';
import { makeCa, makeServerCert } from '../support/certs';

let dir: string;
let service: RoadsideService;
let server: https.Server;
let events: unknown[] = [];
let eventRequests: string[] = [];
let kubeconfig: string;

beforeAll(async () => {
  const ca = await makeCa();
  const cert = await makeServerCert(ca);
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/api/v1/namespaces/traffic-system/events')) {
      eventRequests.push(req.url);
      return res.end(JSON.stringify({ kind: 'EventList', apiVersion: 'v1', metadata: {}, items: events }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const root = mkdtempSync(join(tmpdir(), 'roadside-inc-handlers-kc-'));
  kubeconfig = join(root, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: prod-eu
clusters:
- {name: prod, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}}}
- {name: gone, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: prod-eu, context: {cluster: prod, user: u, namespace: traffic-system}}
- {name: offline, context: {cluster: gone, user: u}}
`,
  );
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(join(kubeconfig, '..'), { recursive: true, force: true });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadside-inc-handlers-'));
  service = new RoadsideService({ dataDir: dir, door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: kubeconfig, home: dir } });
  events = [];
  eventRequests = [];
});
afterEach(async () => {
  await service.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  return service.call(channel, request);
}

const T0 = Date.parse('2024-06-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function incidentWithNotes(count: number): Promise<Incident> {
  const incident = await call('incidents.create', { title: 'Ingress 502', severity: 'SEV2', namespace: 'traffic-system', startedAt: at(0) });
  for (let i = 0; i < count; i++) await call('incidents.addNote', { id: incident.id, body: `note ${i}`, at: at(i) });
  return incident;
}

describe('incident handlers', () => {
  it('pages a selected time range in both orders, entries in the range only, none twice', async () => {
    const incident = await incidentWithNotes(30);
    for (const order of ['oldest', 'newest'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await call('incidents.entries', { id: incident.id, order, limit: 4, from: at(10), to: at(20), ...(after ? { after } : {}) });
        seen.push(...page.entries.map((e) => e.body));
        after = page.next ?? undefined;
      } while (after);
      const expected = Array.from({ length: 11 }, (_, i) => `note ${10 + i}`);
      expect(seen).toEqual(order === 'oldest' ? expected : expected.reverse());
    }
  });

  it('counts entries per kind and time bucket for the axis', async () => {
    const incident = await incidentWithNotes(10);
    await call('incidents.setStatus', { id: incident.id, status: 'mitigated' });
    const all = await call('incidents.density', { id: incident.id, buckets: 10 });
    expect(all.total).toBe(11);
    // One cell per kind and bucket, however many entries fall in it.
    expect(all.cells.length).toBeLessThanOrEqual(10 * 2);
    expect(new Set(all.cells.map((c) => `${c.kind}/${c.bucket}`)).size).toBe(all.cells.length);
    expect(all.cells.filter((c) => c.kind === 'note').reduce((n, c) => n + c.count, 0)).toBe(10);
    expect(all.cells.filter((c) => c.kind === 'status-change').reduce((n, c) => n + c.count, 0)).toBe(1);
    const range = await call('incidents.density', { id: incident.id, buckets: 5, from: at(0), to: at(4), kinds: ['note'] });
    expect(range.total).toBe(5);
    expect(range.cells.every((c) => c.kind === 'note' && c.bucket >= 0 && c.bucket < 5)).toBe(true);
    // Zoomed in, one entry per mark, each in the bucket of its own time.
    const zoomed = await call('incidents.density', { id: incident.id, buckets: 200, from: at(2), to: at(6) });
    expect(zoomed.cells.map((c) => c.bucket).sort((a, b) => a - b)).toEqual([0, 49, 99, 149, 199]);
    expect(zoomed.cells.every((c) => c.count === 1)).toBe(true);
  });

  it('keeps the active incident across a restart of the app, and forgets it when cleared', async () => {
    const incident = await incidentWithNotes(1);
    await call('incidents.setActive', { id: incident.id });
    await service.shutdown();
    // The app starts again over the same data folder.
    service = new RoadsideService({ dataDir: dir, door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: kubeconfig, home: dir } });
    expect(await call('incidents.active', {})).toMatchObject({ id: incident.id, title: 'Ingress 502' });
    await call('incidents.setActive', { id: null });
    await service.shutdown();
    service = new RoadsideService({ dataDir: dir, door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: kubeconfig, home: dir } });
    expect(await call('incidents.active', {})).toBeNull();
  });

  it('forgets a remembered active incident that no longer exists, and a diagnosis is not recorded to it', async () => {
    await incidentWithNotes(1); // the store exists
    service.settings.update({ activeIncidentId: 'incident-from-another-database' });
    expect(prepareDiagnosisRecording(service, 'run-0000009', undefined)).toBeUndefined();
    expect(service.settings.get().activeIncidentId).toBeUndefined();
    expect(await call('incidents.active', {})).toBeNull();
  });

  it('records a diagnosis to the active incident, findings linked to their run', async () => {
    const incident = await incidentWithNotes(0);
    const seen: RoadsideEvent[] = [];
    service.onEvent((e) => seen.push(e));
    expect(prepareDiagnosisRecording(service, 'run-0000001', undefined)).toBeUndefined();
    const active = await call('incidents.setActive', { id: incident.id });
    expect(active).toMatchObject({ id: incident.id, status: 'active' });
    expect(seen).toContainEqual({ type: 'active-incident-changed', active });

    const result: DiagnoseResult = {
      context: 'prod-eu',
      namespace: 'traffic-system',
      startedAt: at(5),
      durationMs: 1200,
      requests: 14,
      summary: { pass: 1, warn: 0, fail: 1, error: 0, skipped: 0 },
      score: { overall: 50, sections: {} },
      findings: [
        { check: 'database.pod-ready', section: 'database', status: 'fail', message: 'postgres-0 is not ready', evidence: [{ kind: 'log', label: 'logs', ref: { kind: 'Pod', name: 'postgres-0' }, lines: ['FATAL: could not open file'] }], kubectl: ['kubectl get pod postgres-0 -n traffic-system'], remediation: [{ text: { es: 'Reiniciar', en: 'Restart it' } }], actions: [] },
        { check: 'connectivity.ingress', section: 'connectivity', status: 'pass', message: 'ok', evidence: [], kubectl: [], remediation: [], actions: [] },
      ],
    };
    prepareDiagnosisRecording(service, 'run-0000002', undefined)!(result);
    const page = await call('incidents.entries', { id: incident.id, order: 'oldest' });
    const run = page.entries.find((e) => e.kind === 'diagnostic-run');
    const finding = page.entries.find((e) => e.kind === 'finding');
    expect(run?.kind === 'diagnostic-run' && run.data.summary).toContain('1 fail');
    expect(finding?.kind === 'finding' && finding.data).toMatchObject({ checkId: 'database.pod-ready', status: 'fail', runEntryId: run?.id });
    expect(run?.kind === 'diagnostic-run' && run.data.findingEntryIds).toEqual([finding?.id]);
    expect(page.entries).toHaveLength(2);
    expect(seen).toContainEqual({ type: 'incident-changed', incidentId: incident.id });

    await expect(service.call('incidents.setActive', { id: 'no-such-incident' })).rejects.toMatchObject({ code: 'not-found', message: 'no incident with id no-such-incident' });
    expect(() => prepareDiagnosisRecording(service, 'run-0000003', 'no-such-incident')).toThrow('no incident with id no-such-incident');
    expect(await call('incidents.setActive', { id: null })).toBeNull();
    expect(await call('incidents.active', {})).toBeNull();
  });

  it("imports the namespace's Warning events once per occurrence, and says when the cluster cannot be read", async () => {
    const incident = await call('incidents.create', { title: 'Backend crashloop', severity: 'SEV2', context: 'prod-eu', namespace: 'traffic-system' });
    const warning = (uid: string, count: number) => ({
      metadata: { uid, name: `backend.${uid}`, namespace: 'traffic-system' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count,
      involvedObject: { kind: 'Pod', name: 'backend-7d9', namespace: 'traffic-system' },
      lastTimestamp: at(3),
    });
    events = [warning('u1', 1), warning('u2', 4)];
    expect(await call('incidents.refreshClusterEvents', { id: incident.id })).toMatchObject({ imported: 2, context: 'prod-eu' });
    expect(eventRequests[0]).toContain('fieldSelector=type%3DWarning');
    expect((await call('incidents.refreshClusterEvents', { id: incident.id })).imported).toBe(0);
    events = [warning('u1', 2)];
    expect((await call('incidents.refreshClusterEvents', { id: incident.id })).imported).toBe(1);
    const page = await call('incidents.entries', { id: incident.id, kinds: ['cluster-event'] });
    expect(page.entries).toHaveLength(3);

    const offline = await call('incidents.create', { title: 'Offline', severity: 'SEV4', context: 'offline', namespace: 'traffic-system' });
    const result = await call('incidents.refreshClusterEvents', { id: offline.id });
    expect(result.imported).toBe(0);
    expect(result.unreachable).toMatch(/ECONNREFUSED|connect/);
    await call('incidents.addNote', { id: offline.id, body: 'still works offline' });
  });
});

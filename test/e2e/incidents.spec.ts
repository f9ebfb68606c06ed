// Incident timelines in the browser UI through `roadside serve` (Debian Chromium).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { IncidentStore } from '../../src/main/incidents';
import type { NewTimelineEntry } from '../../src/shared/incidents';
import { makeCa, makeServerCert } from '../support/certs';
import { IncidentsPage } from './pages/incidents-page';
import { RoadsidePage } from './pages/roadside-page';
import { startServe, type ServedRoadside } from './support/serve';

const SHOTS = 'test-results/screenshots';

/** A loopback API server for context prod-eu: namespaces and two Warning events in traffic-system. */
async function startEventsCluster(): Promise<{ kubeconfig: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'roadside-e2e-inc-kc-'));
  const ca = await makeCa();
  const cert = await makeServerCert(ca);
  const now = new Date().toISOString();
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    const url = req.url ?? '';
    if (url.startsWith('/version')) return res.end(JSON.stringify({ gitVersion: 'v1.30.4' }));
    if (url.startsWith('/api/v1/namespaces/traffic-system/events'))
      return res.end(
        JSON.stringify({
          kind: 'EventList',
          apiVersion: 'v1',
          metadata: {},
          items: [
            { metadata: { uid: 'e1', name: 'postgres-0.1', namespace: 'traffic-system' }, type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: pg_isready: no response', count: 12, involvedObject: { kind: 'Pod', name: 'postgres-0', namespace: 'traffic-system' }, lastTimestamp: now },
            { metadata: { uid: 'e2', name: 'backend.2', namespace: 'traffic-system' }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', count: 3, involvedObject: { kind: 'Pod', name: 'backend-7d9', namespace: 'traffic-system' }, lastTimestamp: now },
          ],
        }),
      );
    if (url.startsWith('/api/v1/namespaces'))
      return res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: ['default', 'traffic-system'].map((name) => ({ metadata: { name } })) }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const caData = Buffer.from(ca.certPem).toString('base64');
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: prod-eu
clusters:
- {name: prod, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${caData}}}
- {name: gone, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: ${caData}}}
users: [{name: engineer, user: {token: e2e-token}}]
contexts:
- {name: prod-eu, context: {cluster: prod, user: engineer, namespace: traffic-system}}
- {name: lab-offline, context: {cluster: gone, user: engineer, namespace: traffic-system}}
`,
  );
  return {
    kubeconfig,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test.describe('incident timelines', () => {
  let cluster: Awaited<ReturnType<typeof startEventsCluster>>;
  let served: ServedRoadside;

  test.beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    cluster = await startEventsCluster();
    served = await startServe({ KUBECONFIG: cluster.kubeconfig, LANG: 'en_US.UTF-8' });
  });
  test.afterAll(async () => {
    await served?.stop();
    await cluster?.close();
  });

  test('an engineer opens an incident, writes a Markdown note, changes status, finds the note and reads it in Spanish', async ({ page }) => {
    const app = new RoadsidePage(page);
    const incidents = new IncidentsPage(page);
    await page.goto(served.launchUrl);
    await expect(app.statusContext()).toHaveText('prod-eu');
    await incidents.open();
    await expect(page.getByRole('heading', { name: 'Incidents' })).toBeVisible();

    await incidents.create({ title: 'Infractions API returns 502', severity: 'SEV2', description: 'Ingress answers **502** on `/api/infractions`' });
    await expect(page.locator('.inc-page .subtitle')).toContainText('prod-eu / traffic-system');
    // The cluster's Warning events of traffic-system came in on opening the page.
    await expect(page.getByTestId('events-imported')).toContainText('2 new Warning events from prod-eu / traffic-system');
    await expect(incidents.entries('cluster-event')).toHaveCount(2);

    await incidents.addNote('Backend **timeouts** talking to `postgres-0`\n\n- restarted backend\n- <script>alert(1)</script> stays text');
    const note = incidents.entries('note').first();
    await expect(note.locator('strong')).toHaveText('timeouts');
    await expect(note.locator('code')).toHaveText('postgres-0');
    await expect(note.locator('li')).toHaveCount(2);
    await expect(note.locator('script')).toHaveCount(0);

    await page.locator('input[aria-label="Note for the status change (optional)"]').fill('Scaled backend to 4 replicas');
    await page.getByTestId('status-mitigated').click();
    await expect(incidents.statusBadge()).toHaveText('mitigated');
    await expect(incidents.entries('status-change')).toHaveCount(1);
    await expect(incidents.entries('status-change')).toContainText('Status: active → mitigated');

    // Every kind present is drawn on its lane of the axis.
    await expect(incidents.axisMarks('note')).not.toHaveCount(0);
    await expect(incidents.axisMarks('status-change')).not.toHaveCount(0);
    await expect(incidents.axisMarks('cluster-event')).not.toHaveCount(0);
    await expect(page.getByTestId('axis-total')).toHaveText('4 entries in view');

    // The axis by keyboard: select a range, the list shows that range; Esc clears it.
    const axis = incidents.axis().locator('svg');
    await axis.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await expect(page.getByTestId('timeline-range')).toBeVisible();
    await expect(incidents.entries()).toHaveCount(4);
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('timeline-range')).toHaveCount(0);

    // Filter by kind: only notes.
    for (const kind of ['Status', 'Cluster event']) await page.locator('.inc-chip', { hasText: kind }).locator('input').uncheck();
    await expect(incidents.entries()).toHaveCount(1);
    await expect(incidents.axisMarks('cluster-event')).toHaveCount(0);
    for (const kind of ['Status', 'Cluster event']) await page.locator('.inc-chip', { hasText: kind }).locator('input').check();

    // Pin the note.
    await note.locator('button.inc-pin').click();
    await expect(incidents.entries('note').first().locator('button.inc-pin')).toHaveAttribute('aria-pressed', 'true');

    // Record to this incident: the status bar says so.
    await page.getByTestId('toggle-active').click();
    await expect(page.getByTestId('status-incident')).toContainText('Infractions API returns 502');
    await page.screenshot({ path: `${SHOTS}/incident-page.png`, fullPage: true });

    // Search within the incident, then across incidents: the match is highlighted.
    await page.getByTestId('timeline-search').fill('timeouts');
    await page.getByTestId('timeline-search').press('Enter');
    await expect(page.getByTestId('timeline-hits').locator('mark')).toHaveText('timeouts');
    await page.getByTestId('back-to-incidents').click();
    await page.getByTestId('incident-search').fill('timeouts');
    await expect(page.getByTestId('search-hits').locator('mark').first()).toHaveText('timeouts');
    await expect(incidents.table().locator('tbody tr')).toHaveCount(1);
    await page.screenshot({ path: `${SHOTS}/incident-search.png`, fullPage: true });

    // Spanish.
    await app.switchLanguage('es');
    await incidents.open();
    await expect(page.getByRole('heading', { name: 'Incidentes' })).toBeVisible();
    await expect(page.getByTestId('new-incident')).toHaveText('Nuevo incidente');
    await page.getByTestId('incident-search').fill('');
    await incidents.openIncident('Infractions API returns 502');
    await expect(incidents.statusBadge()).toHaveText('mitigado');
    await expect(page.getByRole('heading', { name: /Cronología/ })).toBeVisible();
    await expect(incidents.entries('note').first().locator('.inc-kind-badge')).toHaveText('Nota');
    await expect(page.getByTestId('status-incident')).toContainText('Registrando en');
    await page.screenshot({ path: `${SHOTS}/incident-page-es.png`, fullPage: true });
    await app.switchLanguage('en');
  });

  test('an incident of a context whose cluster cannot be reached keeps working offline', async ({ page }) => {
    const incidents = new IncidentsPage(page);
    await page.goto(served.launchUrl);
    await incidents.open();
    await page.getByTestId('new-incident').click();
    await page.locator('#inc-title').fill('Lab cluster gone');
    await page.locator('#inc-context').selectOption('lab-offline');
    await page.getByTestId('create-incident').click();
    await expect(page.getByTestId('events-offline')).toContainText('could not be read');
    await expect(page.getByTestId('events-offline')).toContainText('Working offline');
    await incidents.addNote('Still writing notes while the cluster is down');
    await expect(incidents.entries('note')).toHaveCount(1);
  });
});

test.describe('a timeline of 100,000 entries', () => {
  let home: string;
  let served: ServedRoadside;
  let incidentTitle: string;
  let firstEntryId: number;
  let lastEntryId: number;
  const TOTAL = 100_000;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    mkdirSync(SHOTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'roadside-e2e-big-'));
    const store = IncidentStore.open(home, { author: 'seed' });
    try {
      const start = Date.parse('2024-05-01T00:00:00Z');
      const incident = store.createIncident({ title: 'Weeks of MinIO upload failures', severity: 'SEV3', namespace: 'traffic-system', startedAt: start });
      incidentTitle = incident.title;
      const kinds = (i: number): NewTimelineEntry => {
        const at = start + i * 30_000;
        if (i % 97 === 0) return { kind: 'action', at, title: `Restart minio (${i})`, data: { actionId: 'rollout-restart', target: 'statefulset/minio', result: 'succeeded' } };
        if (i % 13 === 0) return { kind: 'finding', at, title: `FAIL storage.minio-upload (${i})`, data: { checkId: 'storage.minio-upload', status: 'fail', message: `upload ${i} timed out` } };
        return { kind: 'note', at, body: `Entry ${i}: upload of photo ${i} to MinIO failed with 503` };
      };
      for (let batch = 0; batch < TOTAL; batch += 20_000) {
        const added = store.addEntries(incident.id, Array.from({ length: 20_000 }, (_, j) => kinds(batch + j)));
        if (batch === 0) firstEntryId = added[0].id;
        lastEntryId = added[added.length - 1].id;
      }
    } finally {
      store.close();
    }
    served = await startServe({ ROADSIDE_HOME: home, KUBECONFIG: join(home, 'no-kubeconfig'), LANG: 'en_US.UTF-8' });
  });
  test.afterAll(async () => {
    await served?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('the virtualized list scrolls to the end and stays responsive', async ({ page }) => {
    const incidents = new IncidentsPage(page);
    await page.goto(served.launchUrl);
    await incidents.open();
    await expect(incidents.table()).toContainText('100,000');
    await incidents.openIncident(incidentTitle);
    await expect(page.getByTestId('axis-total')).toHaveText('100,000 entries in view');
    // The axis draws at most one mark per kind and pixel bucket, not one per entry.
    expect(await incidents.axis().locator('rect.inc-mark').count()).toBeLessThan(1000);
    // Newest first: the last entry written is on top.
    await expect(incidents.list().locator(`[data-entry-id="${lastEntryId}"]`)).toBeVisible();
    await expect(page.getByTestId('timeline-loaded')).toHaveText('500 entries loaded');

    // Scrolling near the end of what is loaded reads the next page; the page keeps only the rows on screen.
    for (const loaded of ['1,000', '1,500']) {
      await incidents.list().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await expect(page.getByTestId('timeline-loaded')).toHaveText(`${loaded} entries loaded`);
    }
    expect(await incidents.entries().count()).toBeLessThan(60);

    // End: straight to the oldest entry, without reading the 98,000 in between.
    const started = Date.now();
    await incidents.list().focus();
    await page.keyboard.press('End');
    const oldest = incidents.list().locator(`[data-entry-id="${firstEntryId}"]`);
    await expect(oldest).toBeVisible();
    await expect(oldest).toContainText('Restart minio (0)');
    const endMs = Date.now() - started;
    expect(endMs).toBeLessThan(5000);
    expect(await incidents.entries().count()).toBeLessThan(60);
    await page.screenshot({ path: `${SHOTS}/incident-100k-end.png`, fullPage: false });

    // And the axis zooms in by keyboard down to single entries.
    await incidents.axis().locator('svg').focus();
    for (let i = 0; i < 12; i++) await page.keyboard.press('+');
    // 35 days / 2^12 ≈ 12 minutes: a couple of dozen entries, each its own mark.
    await expect(page.getByTestId('axis-total')).toHaveText(/^\d{1,2} entries in view$/);
    await expect(incidents.axisMarks('note').first()).toBeVisible();
    // One mark per entry now: a finding every 13th entry, an action every 97th. The key presses
    // re-render one after another, and an intermediate zoom also shows two-digit totals: wait
    // for the last one rather than counting the marks of the step before.
    await expect.poll(() => incidents.axisMarks('note').count()).toBeLessThan(30);
    expect(await incidents.axisMarks('note').count()).toBeGreaterThan(10);
    expect(await incidents.axisMarks('finding').count()).toBeLessThanOrEqual(3);
    await page.screenshot({ path: `${SHOTS}/incident-100k-zoomed.png`, fullPage: false });
    test.info().annotations.push({ type: 'end-of-list', description: `${endMs} ms to show the oldest of ${TOTAL} entries` });
  });
});

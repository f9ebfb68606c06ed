// The Overview and Logs views in Chromium through `roadside serve`, with a backend-502
// sandbox started by the CLI in the same data folder (so the app sees roadside-sandbox).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROADSIDE_BIN, startServe, type ServedRoadside } from './support/serve';
import { RoadsidePage } from './pages/roadside-page';

let home: string;
let sandbox: ChildProcess;
let served: ServedRoadside;

async function invoke<T>(channel: string, body: unknown): Promise<T> {
  const res = await fetch(`${served.baseUrl}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${served.token}` },
    body: JSON.stringify(body),
  });
  const envelope = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error?.message}`);
  return envelope.value;
}

test.beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'roadside-e2e-observe-'));
  const env = { ...process.env, ROADSIDE_HOME: home, KUBECONFIG: join(home, 'none.yaml'), NO_COLOR: '1', LANG: 'en_US.UTF-8' };
  sandbox = spawn(process.execPath, [ROADSIDE_BIN, 'sandbox', 'start', '--scenario', 'backend-502'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${out}`)), 20_000);
    sandbox.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sandbox.once('exit', (code) => reject(new Error(`sandbox exited with ${code}:\n${out}`)));
  });
  served = await startServe({ ROADSIDE_HOME: home, KUBECONFIG: join(home, 'none.yaml'), LANG: 'en_US.UTF-8' });
});

test.afterAll(async () => {
  await served?.stop();
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGINT');
    await exited;
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

test('the Overview shows the failing backend pods, the services, storage, top pods and events', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  await expect(app.statusContext()).toHaveText('roadside-sandbox');
  await app.nav('overview').click();
  const view = page.getByTestId('overview-view');
  const pods = view.getByTestId('overview-pods');
  await expect(pods.locator('tr[data-pod]')).toHaveCount(9);
  const failing = pods.locator('tr[data-healthy="false"]');
  await expect(failing).toHaveCount(2);
  await expect(failing.first()).toContainText('traffic-system-backend-');
  await expect(failing.first().locator('[data-status]')).toHaveText('CrashLoopBackOff');
  await expect(failing.first()).toContainText('0/1');
  await expect(view.getByTestId('overview-summary')).toHaveText('2 of 9 pods need attention.');
  await expect(view.getByTestId('overview-services').locator('tr[data-service="traffic-system-backend"] [data-ready-endpoints]')).toHaveAttribute('data-ready-endpoints', '0');
  await expect(view.getByTestId('overview-pvcs').locator('tr[data-pvc]')).toHaveCount(3);
  await expect(view.getByTestId('overview-top').locator('tr[data-top-pod]')).toHaveCount(9);
  await expect(view.getByTestId('overview-events').locator('tr[data-event-reason]').first()).toHaveAttribute('data-event-reason', 'BackOff');
  await expect(pods.getByTestId('kubectl-command')).toHaveText('$ kubectl get pods -n traffic-system -o wide');
  // Live: a new read arrives on its own within the refresh period.
  const updated = view.getByTestId('overview-updated');
  await expect(updated).toContainText('Updated');
  const first = await updated.getAttribute('data-collected-at');
  await expect(updated).not.toHaveAttribute('data-collected-at', first ?? '', { timeout: 12_000 });
  await view.getByTestId('overview-pause').click();
  await expect(updated).toContainText('paused');
  await page.screenshot({ path: 'test-results/screenshots/overview.png', fullPage: true });
});

test('the Logs view merges the lines of every pod, filters them, and saves them to the active incident', async ({ page }) => {
  const incident = await invoke<{ id: string }>('incidents.create', { title: 'Backend answers 502', severity: 'SEV2' });
  await invoke('incidents.setActive', { id: incident.id });

  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  await expect(app.statusContext()).toHaveText('roadside-sandbox');
  await app.nav('logs').click();
  const view = page.getByTestId('logs-view');
  await expect(view.getByTestId('logs-selector')).toHaveValue('app.kubernetes.io/instance=traffic-system');
  await expect(view.getByTestId('logs-counts')).toContainText('10 containers of 9 pods');
  await expect(view.locator('[data-stream-pod]')).toHaveCount(10);
  const list = view.getByTestId('logs-list');
  await expect(list.locator('.obs-line').first()).toBeVisible();
  // The visible lines come from several pods, in time order.
  const pods = await list.locator('.obs-pod').allTextContents();
  expect(new Set(pods).size).toBeGreaterThan(1);
  const times = await list.locator('.obs-line').evaluateAll((rows) => rows.map((r) => r.getAttribute('title') ?? ''));
  const sorted = [...times].filter(Boolean).sort((a, b) => Date.parse(a) - Date.parse(b));
  expect(times.filter(Boolean).map((t) => Date.parse(t))).toEqual(sorted.map((t) => Date.parse(t)));

  await page.screenshot({ path: test.info().outputPath('logs-unfiltered.png'), fullPage: true });
  await view.getByTestId('logs-filter').fill('worker failed');
  const shown = list.locator('.obs-line');
  await expect(shown).not.toHaveCount(0);
  for (const text of await shown.locator('.obs-text').allTextContents()) expect(text.toLowerCase()).toContain('worker failed');
  await expect(view.getByTestId('logs-counts')).toContainText(/^\d+ of \d+ lines shown/);
  const count = await shown.count();
  await expect(view.getByTestId('logs-save')).toHaveText(`Save ${count} lines to the incident`);
  await page.screenshot({ path: 'test-results/screenshots/logs.png', fullPage: true });

  await view.getByTestId('logs-save').click();
  await expect(view.getByTestId('logs-saved')).toContainText(`Saved ${count} lines`);
  const page1 = await invoke<{ entries: Array<{ kind: string; data: { sha256: string } }> }>('incidents.entries', { id: incident.id, kinds: ['attachment'] });
  expect(page1.entries).toHaveLength(1);
  const saved = await invoke<{ text: string }>('incidents.attachmentText', { sha256: page1.entries[0].data.sha256 });
  const savedLines = saved.text.trim().split('\n');
  expect(savedLines).toHaveLength(count);
  for (const l of savedLines) expect(l).toMatch(/^\[pod\/traffic-system-backend-[^/]+\/backend\] \S+ .*Worker failed to boot/);

  // Pod colours change with the theme so that they stay readable on the dark background.
  await view.getByTestId('logs-filter').fill('');
  const pod = list.locator('.obs-pod').first();
  const light = await pod.evaluate((el) => getComputedStyle(el).color);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => pod.evaluate((el) => getComputedStyle(el).color)).not.toBe(light);
  await page.screenshot({ path: 'test-results/screenshots/logs-dark.png', fullPage: true });
});

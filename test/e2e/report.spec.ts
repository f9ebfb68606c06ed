// The Reports view in the browser UI through `roadside serve` (Debian Chromium), against the
// real sandbox serving scenario backend-502: six sections, a redaction preview that highlights
// a planted secret, and the bundle written after confirmation.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { IncidentStore } from '../../src/main/incidents';
import { verifyBundle } from '../../src/main/report/bundle-reader';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { RoadsidePage } from './pages/roadside-page';
import { startServe, type ServedRoadside } from './support/serve';

const PLANTED = 'Xk9vPq2LmW7tRz4N';
let sandbox: RunningSandbox;
let served: ServedRoadside;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadside-e2e-report-'));
  sandbox = await startSandbox({ snapshot: await loadScenario('backend-502'), port: 0 });
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, sandbox.kubeconfigYaml({ contextName: 'lab-502', namespace: 'traffic-system' }));
  served = await startServe({ KUBECONFIG: kubeconfig, LANG: 'en_US.UTF-8' });
  const store = IncidentStore.open(served.home, { author: 'ana' });
  try {
    const incident = store.createIncident({
      title: 'Backend answers 502 through the ingress',
      severity: 'SEV2',
      context: 'lab-502',
      namespace: 'traffic-system',
      description: `ingress-nginx returns 502 for /api/. The backend was started with DATABASE_URL=postgresql://trafficuser:${PLANTED}@traffic-system-postgresql:5432/trafficdb`,
    });
    store.updateIncident(incident.id, { impact: 'Operators cannot review infractions since 09:40.' });
    await store.addAttachment(incident.id, { name: 'oncall-notes.txt', data: Buffer.from(`checked env: POSTGRES_PASSWORD=${PLANTED}\nrestarted backend twice\n`) });
  } finally {
    store.close();
  }
});

test.afterAll(async () => {
  await served?.stop();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an escalation: six sections, redaction preview with the planted secret hidden, bundle written', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  await app.nav('reports').click();
  const incident = page.getByTestId('rep-incident');
  await expect(incident.locator('option', { hasText: 'Backend answers 502' })).toHaveCount(1);
  await incident.selectOption({ label: 'SEV2 · Backend answers 502 through the ingress (active)' });

  for (let n = 1; n <= 6; n++) await expect(page.locator(`[data-section="${n}"]`)).toBeVisible();
  await expect(page.locator('[data-section="1"] textarea')).toHaveValue(/ingress-nginx returns 502/);
  await expect(page.locator('[data-section="5"] textarea')).toHaveValue('Operators cannot review infractions since 09:40.');
  await expect(page.locator('[data-section="4"]')).toContainText('v1.');
  await expect(page.locator('[data-section="3"]')).toContainText('oncall-notes.txt');
  await expect(page.locator('[data-section="3"]')).toContainText('traffic-system-backend');
  await page.getByTestId('rep-level').selectOption('L3');

  await expect(page.getByTestId('rep-build')).toBeDisabled();
  await page.getByTestId('rep-preview').click();
  await expect(page.getByTestId('rep-preview-result')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('rep-total')).toContainText(/\d+ values hidden/);

  await page.locator('tr[data-file="report.md"] button').click();
  const view = page.getByTestId('rep-file-view');
  await expect(view.locator('mark.rep-mark').first()).toBeVisible();
  await expect(view).not.toContainText(PLANTED);
  await expect(view.locator('mark.rep-mark', { hasText: '[REDACTED:' }).first()).toBeVisible();
  await view.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/report-preview.png', fullPage: false });

  const out = join(dir, 'escalation.zip');
  await page.getByTestId('rep-out').fill(out);
  await page.getByTestId('rep-build').click();
  await expect(page.getByTestId('rep-built')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('rep-built-path')).toHaveText(out);
  await page.getByTestId('rep-built').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/report.png', fullPage: false });

  expect(existsSync(out)).toBe(true);
  const opened = await verifyBundle(out);
  expect(opened.manifest.level).toBe('L3');
  const extracted = join(dir, 'unpacked');
  await verifyBundle(out, { extractTo: extracted });
  const files = readdirSync(extracted, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  expect(files.length).toBe(opened.manifest.files.length + 1);
  for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(PLANTED);
});

import http from 'node:http';
import { expect, test } from '@playwright/test';
import { startLoopbackClusters, type FakeClusters } from './support/clusters';
import { startServe, type ServedRoadside } from './support/serve';
import { RoadsidePage } from './pages/roadside-page';

let clusters: FakeClusters;
let served: ServedRoadside;

test.beforeAll(async () => {
  clusters = await startLoopbackClusters();
  served = await startServe({ KUBECONFIG: clusters.kubeconfig, LANG: 'en_US.UTF-8' });
});

test.afterAll(async () => {
  await served?.stop();
  await clusters?.close();
});

test('the Clusters view lists every context with its reachability', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  // The token leaves the address bar once it became a cookie.
  await expect(page).not.toHaveURL(/token=/);
  await expect(app.contextRow('prod-eu')).toBeVisible();
  await expect(app.contextRow('staging-eu')).toBeVisible();
  await expect(app.contextRow('lab')).toBeVisible();
  await expect(app.reachability('prod-eu')).toHaveAttribute('data-status', 'ok');
  await expect(app.reachability('prod-eu')).toContainText('v1.30.4');
  await expect(app.reachability('staging-eu')).toHaveAttribute('data-status', 'refused');
  await expect(app.reachability('lab')).toHaveAttribute('data-status', 'unauthorized');
  await expect(app.statusContext()).toHaveText('prod-eu');
  await expect(app.statusNamespace()).toHaveText('traffic-system');
  await page.screenshot({ path: test.info().outputPath('clusters.png'), fullPage: true });
  await page.screenshot({ path: 'test-results/screenshots/clusters.png', fullPage: true });
});

test('the command palette switches context and namespace, and the choice is remembered', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  await expect(app.statusContext()).toHaveText(/prod-eu|staging-eu/);
  const input = await app.openPalette();
  await input.fill('staging');
  await page.keyboard.press('Enter');
  await expect(app.statusContext()).toHaveText('staging-eu');
  await expect(app.statusNamespace()).toHaveText('traffic-staging');
  await expect(app.contextRow('staging-eu')).toHaveClass(/row-selected/);

  await app.nav('clusters').click();
  const input2 = await app.openPalette();
  await input2.fill('prod');
  await page.keyboard.press('Enter');
  await expect(app.statusContext()).toHaveText('prod-eu');
  const input3 = await app.openPalette();
  await input3.fill('namespace monitoring');
  await expect(page.locator('[cmdk-item]').first()).toContainText('monitoring');
  await page.keyboard.press('Enter');
  await expect(app.statusNamespace()).toHaveText('monitoring');

  await page.reload();
  await expect(app.statusContext()).toHaveText('prod-eu');
  await expect(app.statusNamespace()).toHaveText('monitoring');
});

test('the language switch changes the UI text', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served.launchUrl);
  await expect(app.nav('clusters')).toHaveText('Clusters');
  await app.switchLanguage('es');
  await expect(app.nav('clusters')).toHaveText('Clústeres');
  await expect(app.nav('settings')).toHaveText('Ajustes');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await page.screenshot({ path: 'test-results/screenshots/settings-es.png', fullPage: true });
  await app.switchLanguage('en');
  await expect(app.nav('clusters')).toHaveText('Clusters');
});

function rawRequest(url: string, headers: Record<string, string>, method = 'POST'): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

test('the server refuses requests without the token, from other origins and for other hosts', async () => {
  const api = `${served.baseUrl}/api/invoke/contexts.list`;
  expect(await rawRequest(api, { 'content-type': 'application/json' })).toBe(401);
  expect(await rawRequest(`${served.baseUrl}/`, {}, 'GET')).toBe(401);
  expect(await rawRequest(api, { authorization: 'Bearer wrong-token' })).toBe(401);
  expect(await rawRequest(api, { authorization: `Bearer ${served.token}` })).toBe(200);
  // DNS rebinding: the right token but a Host that is not this server.
  expect(await rawRequest(api, { authorization: `Bearer ${served.token}`, host: 'attacker.example' })).toBe(403);
  // A page on another origin posting to the API.
  expect(await rawRequest(api, { authorization: `Bearer ${served.token}`, origin: 'http://evil.example' })).toBe(403);
});

// From a failing finding in the Diagnose view to an applied, recorded remedy: the engineer
// opens the action, reads the server-side dry-run diff, confirms and sees the result.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROADSIDE_BIN, startServe, type ServedRoadside } from './support/serve';
import { RoadsidePage } from './pages/roadside-page';

let sandbox: ChildProcess | undefined;
let served: ServedRoadside | undefined;
let dir: string;
let kubeconfig: string;

/** The CLI's sandbox serving a scenario, until the spec ends. */
async function startSandboxCli(scenario: string): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'roadside-e2e-actions-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  const child = spawn(process.execPath, [ROADSIDE_BIN, 'sandbox', 'start', '--scenario', scenario, '--kubeconfig-out', kubeconfig], {
    env: { ...process.env, ROADSIDE_HOME: join(dir, 'sandbox-home'), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sandbox = child;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start within 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      if (/serving .* on https:\/\/127\.0\.0\.1:\d+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code}:\n${out}`)));
  });
}

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 20_000 });
}

test.beforeAll(async () => {
  await startSandboxCli('backend-502');
  served = await startServe({ KUBECONFIG: kubeconfig, LANG: 'en_US.UTF-8' });
});

test.afterAll(async () => {
  await served?.stop();
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox!.once('exit', r));
    sandbox.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a failing finding offers the restart; the preview shows the diff; confirming applies and records it', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served!.launchUrl);
  await expect(app.statusContext()).toHaveText('roadside-sandbox');
  await app.nav('diagnose').click();
  await page.getByTestId('run-diagnose').click();
  await expect(page.getByTestId('diagnose-summary')).toBeVisible({ timeout: 45_000 });

  const finding = page.locator('li[data-check="connectivity.pods-healthy"]');
  await expect(finding.locator('[data-finding-status]')).toHaveAttribute('data-finding-status', 'fail');
  const button = finding.locator('button[data-action="rollout-restart:backend"]');
  await expect(button).toBeEnabled();
  await button.click();

  const dialog = page.getByTestId('action-dialog');
  await expect(dialog).toBeVisible();
  const diff = dialog.getByTestId('action-diff');
  await expect(diff).toContainText('kubectl.kubernetes.io/restartedAt');
  await expect(diff.locator('.act-diff-add')).toHaveCount(1);
  await expect(dialog).toContainText('deployment/traffic-system-backend -n traffic-system');
  // The preview was a dry run: the cluster has no restart yet.
  expect(kubectl('get', 'deployment', 'traffic-system-backend', '-n', 'traffic-system', '-o', 'jsonpath={.spec.template.metadata.annotations}')).not.toContain('restartedAt');
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/action-preview.png' });

  await dialog.getByTestId('action-apply').click();
  const result = dialog.getByTestId('action-result');
  await expect(result).toHaveAttribute('data-result', 'succeeded');
  await expect(result).toContainText('rollout-restart:backend applied to deployment/traffic-system-backend');
  await page.screenshot({ path: 'test-results/screenshots/action-result.png' });
  expect(kubectl('get', 'deployment', 'traffic-system-backend', '-n', 'traffic-system', '-o', 'jsonpath={.spec.template.metadata.annotations}')).toContain('restartedAt');

  // The record is in the action log, as the UI's API reads it.
  const log = await page.evaluate(async () => {
    const r = await fetch('/api/invoke/actions.log', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'same-origin' });
    return r.json();
  });
  expect(log.ok).toBe(true);
  expect(log.value[0]).toMatchObject({ actionId: 'rollout-restart:backend', result: 'succeeded', target: 'deployment/traffic-system-backend -n traffic-system' });
  await dialog.getByTestId('action-close').click();
  await expect(dialog).toBeHidden();
});

test('read-only mode disables the action with the reason', async ({ page }) => {
  const app = new RoadsidePage(page);
  await page.goto(served!.launchUrl);
  await app.nav('settings').click();
  const toggle = page.getByLabel(/Read-only mode: block/).first();
  await toggle.click();
  await expect(toggle).toBeChecked();
  await app.nav('diagnose').click();
  await page.getByTestId('run-diagnose').click();
  // Whichever backend finding fails offers the restart: the pods (crashing) or, once the test
  // above restarted them, the health endpoint.
  await expect(page.locator('button[data-action="rollout-restart:backend"]').first()).toBeDisabled({ timeout: 45_000 });
  await expect(page.locator('[data-action-reason="rollout-restart:backend"]').first()).toContainText('Read-only mode');
  await app.nav('settings').click();
  await page.getByLabel(/Read-only mode: block/).first().click();
  await expect(page.getByLabel(/Read-only mode: block/).first()).not.toBeChecked();
});

#!/usr/bin/env node
// `npm test`: build, then unit + integration tests (vitest), then the UI end to
// end in Chromium (Playwright). Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(label, cmd, args, extraEnv = {}) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return r.status ?? 1;
}

let passed = 0;
let failed = 0;
let skipped = 0;

if (run('build', bin('electron-vite'), ['build', '--logLevel', 'warn']) !== 0) {
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}

if (run('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) !== 0) {
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}

const vitestJson = join(results, 'vitest.json');
const vitestStatus = run('unit and integration tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += (v.numFailedTests ?? 0) + (v.numFailedTestSuites && !v.numFailedTests ? v.numFailedTestSuites : 0);
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
} else if (vitestStatus !== 0) failed += 1;

const pwJson = join(results, 'playwright.json');
const pwStatus = run('end to end (Playwright, Debian Chromium)', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
if (existsSync(pwJson)) {
  const p = JSON.parse(readFileSync(pwJson, 'utf8'));
  passed += p.stats?.expected ?? 0;
  failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
  skipped += p.stats?.skipped ?? 0;
  if (pwStatus !== 0 && !(p.stats?.unexpected > 0)) failed += 1;
} else if (pwStatus !== 0) failed += 1;

if (vitestStatus !== 0 && failed === 0) failed = 1;
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);

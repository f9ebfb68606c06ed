import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptDatabaseError, IncidentStore, LATEST_SCHEMA_VERSION, NewerDatabaseError } from '../../src/main/incidents';
// @ts-expect-error plain JS fixture without types
import { buildIncidentStoreBundle } from './fixtures/incidents-bundle.mjs';

const writer = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'incidents-writer.mjs');
let root: string;
let bundleUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'roadside-incidents-durability-'));
  bundleUrl = await buildIncidentStoreBundle(join(root, 'bundle'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Writer {
  child: ChildProcess;
  acked: number[];
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** Resolves once at least n entries are acknowledged. */
  waitForAcks(n: number): Promise<void>;
  stderr: () => string;
}

function startWriter(dataDir: string, incidentId: string, count: number, label: string): Writer {
  const child = spawn(process.execPath, [writer, bundleUrl, dataDir, incidentId, String(count), label], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let buffered = '';
  let errors = '';
  let waiter: { n: number; resolve: () => void } | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
    }
    if (waiter && acked.length >= waiter.n) {
      waiter.resolve();
      waiter = undefined;
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    acked,
    ready,
    exited,
    stderr: () => errors,
    waitForAcks: (n) =>
      acked.length >= n
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => (waiter = { n, resolve })),
            exited.then((code) => {
              throw new Error(`writer exited (${code}) before ${n} acks: ${errors}`);
            }),
          ]),
  };
}

describe('durability', () => {
  it('keeps every acknowledged entry when the writing process is killed (SIGKILL) at random moments', async () => {
    const dataDir = join(root, 'killed');
    const setup = IncidentStore.open(dataDir);
    const incidentId = setup.createIncident({ title: 'Kill test', severity: 'SEV4' }).id;
    setup.close();
    const acknowledged = new Set<number>();
    const started = Date.now();
    for (let round = 0; round < 15 && Date.now() - started < 25_000; round++) {
      const child = startWriter(dataDir, incidentId, 0, `round${round}`);
      await child.ready;
      // A random number of acknowledgements, then kill without warning.
      await child.waitForAcks(1 + Math.floor(Math.random() * 150));
      child.child.kill('SIGKILL');
      await child.exited;
      for (const id of child.acked) acknowledged.add(id);
    }
    expect(acknowledged.size).toBeGreaterThan(15);
    const check = new Database(join(dataDir, 'roadside.db'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const store = IncidentStore.open(dataDir, { verify: 'quick' });
    try {
      const ids = new Set<number>();
      let page = store.listEntries(incidentId, { order: 'oldest', limit: 1000 });
      page.entries.forEach((entry) => ids.add(entry.id));
      while (page.next) {
        page = store.listEntries(incidentId, { order: 'oldest', limit: 1000, after: page.next });
        page.entries.forEach((entry) => ids.add(entry.id));
      }
      const lost = [...acknowledged].filter((id) => !ids.has(id));
      expect(lost).toEqual([]);
      expect(store.getIncident(incidentId).entryCount).toBe(ids.size);
      expect(store.search('round0').length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  }, 40_000);

  it('lets two processes write to the same data folder at once without losing or corrupting anything', async () => {
    const dataDir = join(root, 'two-writers');
    const setup = IncidentStore.open(dataDir);
    const incidentId = setup.createIncident({ title: 'Two writers', severity: 'SEV4' }).id;
    setup.close();
    const a = startWriter(dataDir, incidentId, 300, 'alpha');
    const b = startWriter(dataDir, incidentId, 300, 'beta');
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect([codeA, codeB, a.stderr() + b.stderr()]).toEqual([0, 0, '']);
    const store = IncidentStore.open(dataDir, { verify: 'quick' });
    try {
      const entries = store.listEntries(incidentId, { limit: 1000 }).entries;
      // 300 iterations: 240 singles + 60 batches of two = 360 entries each.
      expect(a.acked).toHaveLength(360);
      expect(b.acked).toHaveLength(360);
      expect(new Set(entries.map((entry) => entry.id))).toEqual(new Set([...a.acked, ...b.acked]));
      expect(store.getIncident(incidentId).entryCount).toBe(720);
      expect(new Set(entries.map((entry) => entry.author))).toEqual(new Set(['alpha', 'beta']));
    } finally {
      store.close();
    }
  }, 40_000);

  it('opens a fresh folder from two processes at once (migrations serialise)', async () => {
    const dataDir = join(root, 'fresh-race');
    // The incident does not exist: each writer opens (and migrates) then fails its first write; only the open matters here.
    const writers = [startWriter(dataDir, 'none', 1, 'a'), startWriter(dataDir, 'none', 1, 'b')];
    await Promise.all(writers.map((w) => w.exited));
    for (const w of writers) {
      expect(w.stderr()).toContain('Incident none not found');
      expect(w.stderr()).not.toMatch(/SQLITE_BUSY|locked/);
    }
    const check = new Database(join(dataDir, 'roadside.db'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    check.close();
  }, 20_000);
});

describe('damaged and newer databases', () => {
  function corruptCase(name: string, damage: (path: string) => void) {
    const dataDir = join(root, name);
    const store = IncidentStore.open(dataDir);
    const incident = store.createIncident({ title: 'Precious', severity: 'SEV1' });
    store.addEntries(incident.id, Array.from({ length: 2000 }, (_, i) => ({ kind: 'note' as const, body: `entry ${i} ${'y'.repeat(200)}` })));
    store.close();
    const path = join(dataDir, 'roadside.db');
    damage(path);
    return { dataDir, path, bytes: readFileSync(path) };
  }

  for (const [name, damage] of [
    ['garbage', (path: string) => writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 7) % 256)))],
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
  ] as const) {
    it(`refuses a ${name} database with CorruptDatabaseError, leaves it untouched, and sets it aside only when asked`, () => {
      const { dataDir, path, bytes } = corruptCase(name, damage);
      let error: unknown;
      try {
        IncidentStore.open(dataDir).close();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CorruptDatabaseError);
      expect(error).toMatchObject({ reason: 'corrupt-database', message: expect.stringContaining('left untouched') });
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(readdirSync(dataDir).filter((file) => file.includes('corrupt'))).toEqual([]);

      const fresh = IncidentStore.open(dataDir, { onCorrupt: 'start-fresh' });
      try {
        expect(fresh.setAsidePath).toMatch(/roadside\.db\.corrupt-\d{4}-\d{2}-\d{2}T/);
        expect(readFileSync(fresh.setAsidePath!).equals(bytes)).toBe(true);
        expect(fresh.listIncidents()).toEqual([]);
        fresh.createIncident({ title: 'After the crash', severity: 'SEV4' });
      } finally {
        fresh.close();
      }
    });
  }

  it('refuses a database from a newer Roadside without changing a byte', () => {
    const dataDir = join(root, 'newer');
    IncidentStore.open(dataDir).close();
    const path = join(dataDir, 'roadside.db');
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = readFileSync(path);
    expect(() => IncidentStore.open(dataDir)).toThrow(NewerDatabaseError);
    expect(() => IncidentStore.open(dataDir)).toThrow(/newer Roadside \(schema version 4; this one knows up to 3\)/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

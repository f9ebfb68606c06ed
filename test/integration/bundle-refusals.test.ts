// Opening a bundle someone sent: unsafe or tampered zips are refused, naming the entry,
// and nothing is ever written outside the extraction folder.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBundle, verifyBundle } from '../../src/main/report';

interface Entry {
  name: string;
  data: string;
  mode?: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function manifestFor(files: Array<{ path: string; data: string }>): string {
  return JSON.stringify({
    format: 'roadside-bundle/1',
    createdAt: '2026-11-29T10:00:00.000Z',
    roadsideVersion: 'test',
    namespace: 'traffic-system',
    incidentId: 'inc-1',
    incidentTitle: 't',
    level: 'L2',
    channel: 'slack',
    engineer: 'ana',
    live: false,
    files: files.map((f) => ({ path: f.path, size: Buffer.byteLength(f.data), sha256: sha(f.data) })),
  });
}

/** Writes a zip; `rename` then swaps same-length names in the raw bytes (yazl refuses unsafe names itself). */
async function writeZip(file: string, entries: Entry[], rename: Array<[string, string]> = []): Promise<string> {
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.data), e.name, { mode: e.mode ?? 0o100644, mtime: new Date(0) });
  zip.end();
  await new Promise<void>((res, rej) => zip.outputStream.pipe(createWriteStream(file)).on('close', res).on('error', rej));
  if (rename.length) {
    let raw = readFileSync(file);
    for (const [from, to] of rename) {
      expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
      const needle = Buffer.from(from);
      let i: number;
      while ((i = raw.indexOf(needle)) !== -1) raw = Buffer.concat([raw.subarray(0, i), Buffer.from(to), raw.subarray(i + needle.length)]);
    }
    writeFileSync(file, raw);
  }
  return file;
}

describe('opening bundles refuses unsafe or tampered ones', () => {
  let root: string;
  let dataDir: string;
  const good = [
    { path: 'report.md', data: '# Escalation report\n' },
    { path: 'cluster/scenario.yaml', data: 'name: bundle-x\ncapturedAt: 2026-11-29T10:00:00Z\n' },
  ];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'roadside-bundle-refusals-'));
    dataDir = join(root, 'data', 'inside');
    mkdirSync(dataDir, { recursive: true });
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const expectNothingOutside = () => {
    expect(existsSync(join(root, 'evil.txt'))).toBe(false);
    expect(existsSync(join(root, 'data', 'evil.txt'))).toBe(false);
    expect(existsSync(join(dataDir, 'evil.txt'))).toBe(false);
    const bundles = join(dataDir, 'bundles');
    expect(existsSync(bundles) ? readdirSync(bundles) : []).toEqual([]);
  };

  it('accepts and extracts a sound bundle', async () => {
    const file = await writeZip(join(root, 'good.zip'), [...good.map((f) => ({ name: f.path, data: f.data })), { name: 'manifest.json', data: manifestFor(good) }]);
    const opened = await verifyBundle(file);
    expect(opened.manifest.files).toHaveLength(2);
    const { dir } = await extractBundle(file, dataDir);
    expect(readFileSync(join(dir, 'cluster/scenario.yaml'), 'utf8')).toContain('bundle-x');
    await rm(join(dataDir, 'bundles'), { recursive: true, force: true });
  });

  it('refuses an entry that climbs out with ".." (zip slip), naming it', async () => {
    const files = [...good, { path: 'zz/evil.txt', data: 'pwned' }];
    const file = await writeZip(join(root, 'slip.zip'), [...files.map((f) => ({ name: f.path, data: f.data })), { name: 'manifest.json', data: manifestFor(files) }], [['zz/evil.txt', '../evil.txt']]);
    await expect(extractBundle(file, dataDir)).rejects.toThrow('bundle refused: entry "../evil.txt" climbs out of the bundle with ".."');
    expectNothingOutside();
  });

  it('refuses an absolute path, naming it', async () => {
    const files = [...good, { path: 'xtmp/evil.txt', data: 'pwned' }];
    const file = await writeZip(join(root, 'abs.zip'), [...files.map((f) => ({ name: f.path, data: f.data })), { name: 'manifest.json', data: manifestFor(files) }], [['xtmp/evil.txt', '/tmp/evil.txt']]);
    await expect(verifyBundle(file)).rejects.toThrow('entry "/tmp/evil.txt" has an absolute path');
    expectNothingOutside();
  });

  it('refuses a symbolic link, naming it', async () => {
    const files = [...good, { path: 'cluster/logs/link', data: '/etc/passwd' }];
    const file = await writeZip(join(root, 'link.zip'), [
      ...files.map((f) => ({ name: f.path, data: f.data, ...(f.path.endsWith('link') ? { mode: 0o120777 } : {}) })),
      { name: 'manifest.json', data: manifestFor(files) },
    ]);
    await expect(extractBundle(file, dataDir)).rejects.toThrow('entry "cluster/logs/link" is a symbolic link');
    expectNothingOutside();
  });

  it('refuses a file whose hash does not match the manifest, and removes the half-extracted folder', async () => {
    const file = await writeZip(join(root, 'tampered.zip'), [
      { name: 'report.md', data: '# Escalation report\n' },
      { name: 'cluster/scenario.yaml', data: 'name: bundle-x\ncapturedAt: 2026-11-29T10:00:00Z\nexec: [{command: "*", stdout: "evil"}]\n' },
      { name: 'manifest.json', data: manifestFor(good) },
    ]);
    await expect(verifyBundle(file)).rejects.toThrow(/entry "cluster\/scenario\.yaml" does not match manifest\.json/);
    const dest = join(root, 'extract-here');
    await expect(verifyBundle(file, { extractTo: dest })).rejects.toThrow(/cluster\/scenario\.yaml/);
    expect(existsSync(dest)).toBe(false);
    expectNothingOutside();
  });

  it('refuses files the manifest does not list, and listed files that are missing', async () => {
    const extra = await writeZip(join(root, 'extra.zip'), [...good.map((f) => ({ name: f.path, data: f.data })), { name: 'smuggled.sh', data: 'rm -rf /' }, { name: 'manifest.json', data: manifestFor(good) }]);
    await expect(verifyBundle(extra)).rejects.toThrow('entry "smuggled.sh" is not listed in manifest.json');
    const missing = await writeZip(join(root, 'missing.zip'), [{ name: 'report.md', data: good[0].data }, { name: 'manifest.json', data: manifestFor(good) }]);
    await expect(verifyBundle(missing)).rejects.toThrow('entry "cluster/scenario.yaml" is listed in manifest.json but missing from the zip');
  });

  it('refuses bundles over the stated count or size limits', async () => {
    const file = await writeZip(join(root, 'big.zip'), [...good.map((f) => ({ name: f.path, data: f.data })), { name: 'manifest.json', data: manifestFor(good) }]);
    await expect(verifyBundle(file, { limits: { maxFiles: 2 } })).rejects.toThrow('it has 3 entries; the limit is 2');
    await expect(verifyBundle(file, { limits: { maxTotalBytes: 30 } })).rejects.toThrow(/takes the bundle past its size limit of 30 bytes/);
  });

  it('refuses a file that is not a zip, and a zip without a manifest', async () => {
    writeFileSync(join(root, 'not.zip'), 'hello');
    await expect(verifyBundle(join(root, 'not.zip'))).rejects.toThrow(/not a readable zip file/);
    const bare = await writeZip(join(root, 'bare.zip'), [{ name: 'report.md', data: 'x' }]);
    await expect(verifyBundle(bare)).rejects.toThrow('it has no manifest.json');
  });
});

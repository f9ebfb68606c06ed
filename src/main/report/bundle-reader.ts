// Opens a bundle someone sent: every entry name is checked before anything is read
// (no absolute paths, no "..", no symlinks, stated limits on count and size), every file
// is hashed against manifest.json, and extraction writes only inside its own new folder,
// which is removed again if anything is refused.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BUNDLE_FORMAT, type BundleManifest, type ManifestFile } from '../../shared/contract-report';
import { RoadsideError } from '../errors';

export const BUNDLE_LIMITS = {
  /** Entries in one bundle. */
  maxFiles: 50_000,
  /** Sum of the uncompressed sizes. */
  maxTotalBytes: 8 * 1024 ** 3,
  maxManifestBytes: 32 * 1024 * 1024,
};
export type BundleLimits = typeof BUNDLE_LIMITS;

export class BundleRefusedError extends RoadsideError {
  override name = 'BundleRefusedError';
  constructor(
    readonly entry: string | undefined,
    readonly reason: string,
  ) {
    super('invalid-input', entry ? `bundle refused: entry "${entry}" ${reason}` : `bundle refused: ${reason}`, { entry, reason });
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function openZip(file: string): Promise<ZipFile> {
  return new Promise((res, rej) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? rej(err) : res(zip!),
    ),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a zip entry name is unsafe, or undefined when it may be written under a folder. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.length === 0) return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL byte in its name';
  if (name.includes('\\')) return 'uses backslashes in its path';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'has an absolute path';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((p) => p === '..')) return 'climbs out of the bundle with ".."';
  if (parts.some((p) => p === '' || p === '.')) return 'has an empty or "." path segment';
  return undefined;
}

interface ListedEntry {
  name: string;
  entry: Entry;
  directory: boolean;
}

function entryName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  try {
    return typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    throw new BundleRefusedError(Buffer.from(raw).toString('latin1'), 'has a name that is not UTF-8');
  }
}

async function listEntries(zip: ZipFile, limits: BundleLimits): Promise<ListedEntry[]> {
  if (zip.entryCount > limits.maxFiles) throw new BundleRefusedError(undefined, `it has ${zip.entryCount} entries; the limit is ${limits.maxFiles}`);
  const out: ListedEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  await new Promise<void>((res, rej) => {
    zip.on('entry', (entry: Entry) => {
      try {
        const name = entryName(entry);
        const unsafe = unsafeEntryName(name);
        if (unsafe) throw new BundleRefusedError(name, unsafe);
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = mode & S_IFMT;
        if (type === S_IFLNK) throw new BundleRefusedError(name, 'is a symbolic link');
        const directory = name.endsWith('/') || type === S_IFDIR;
        if (!directory && type !== 0 && type !== S_IFREG) throw new BundleRefusedError(name, 'is not a regular file');
        const key = name.replace(/\/$/, '');
        if (seen.has(key)) throw new BundleRefusedError(name, 'appears twice');
        seen.add(key);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) throw new BundleRefusedError(name, `takes the bundle past its size limit of ${limits.maxTotalBytes} bytes uncompressed`);
        out.push({ name: key, entry, directory });
        zip.readEntry();
      } catch (err) {
        rej(err);
      }
    });
    zip.once('end', () => res());
    zip.once('error', (err) => rej(new BundleRefusedError(undefined, `it is not a readable zip file: ${(err as Error).message}`)));
    zip.readEntry();
  });
  return out;
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((res, rej) => zip.openReadStream(entry, (err, stream) => (err ? rej(err) : res(stream!))));
}

async function readEntryText(zip: ZipFile, e: ListedEntry, max: number): Promise<Buffer> {
  if (e.entry.uncompressedSize > max) throw new BundleRefusedError(e.name, `is ${e.entry.uncompressedSize} bytes; at most ${max} are read`);
  const chunks: Buffer[] = [];
  for await (const c of await openEntry(zip, e.entry)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseManifest(raw: Buffer): BundleManifest {
  let m: BundleManifest;
  try {
    m = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BundleRefusedError('manifest.json', `is not JSON: ${(err as Error).message}`);
  }
  if (m?.format !== BUNDLE_FORMAT) throw new BundleRefusedError('manifest.json', `has format "${String(m?.format)}"; this Roadside reads ${BUNDLE_FORMAT}`);
  if (!Array.isArray(m.files)) throw new BundleRefusedError('manifest.json', 'lists no files');
  for (const f of m.files) {
    if (typeof f?.path !== 'string' || typeof f.size !== 'number' || !/^[0-9a-f]{64}$/.test(String(f.sha256))) {
      throw new BundleRefusedError('manifest.json', `has an invalid file record ${JSON.stringify(f).slice(0, 120)}`);
    }
  }
  return m;
}

class Hasher extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

export interface OpenedBundle {
  path: string;
  size: number;
  manifest: BundleManifest;
}

/**
 * Verifies a bundle: names, limits, and every file against the manifest. With `extractTo`
 * (a folder that must not exist yet) the files are also written there; on any refusal that
 * folder is removed. Throws BundleRefusedError naming the entry.
 */
export async function verifyBundle(file: string, opts: { extractTo?: string; limits?: Partial<BundleLimits> } = {}): Promise<OpenedBundle> {
  const limits = { ...BUNDLE_LIMITS, ...opts.limits };
  const path = resolve(file);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new RoadsideError('invalid-input', `${path} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof RoadsideError) throw err;
    throw new RoadsideError('not-found', `${path}: file not found`);
  }
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw new BundleRefusedError(undefined, `${path} is not a readable zip file: ${(err as Error).message}`);
  }
  const dest = opts.extractTo ? resolve(opts.extractTo) : undefined;
  let created = false;
  try {
    const entries = await listEntries(zip, limits);
    const manifestEntry = entries.find((e) => e.name === 'manifest.json' && !e.directory);
    if (!manifestEntry) throw new BundleRefusedError(undefined, 'it has no manifest.json: not a Roadside bundle');
    const manifest = parseManifest(await readEntryText(zip, manifestEntry, limits.maxManifestBytes));
    const expected = new Map<string, ManifestFile>(manifest.files.map((f) => [f.path, f]));
    const files = entries.filter((e) => !e.directory && e.name !== 'manifest.json');
    for (const e of files) if (!expected.has(e.name)) throw new BundleRefusedError(e.name, 'is not listed in manifest.json');
    const present = new Set(files.map((e) => e.name));
    for (const f of manifest.files) if (!present.has(f.path)) throw new BundleRefusedError(f.path, 'is listed in manifest.json but missing from the zip');

    if (dest) {
      await mkdir(dirname(dest), { recursive: true });
      await mkdir(dest); // fails when it exists: never write into someone's folder
      created = true;
    }
    const writeEntry = async (e: ListedEntry, sink?: string) => {
      const hasher = new Hasher();
      const source = await openEntry(zip, e.entry);
      if (sink) {
        await mkdir(dirname(sink), { recursive: true });
        await pipeline(source, hasher, createWriteStream(sink, { flags: 'wx', mode: 0o644 }));
      } else {
        await pipeline(source, hasher, async function* (chunks) {
          for await (const _ of chunks) {
            // only hashed
          }
        });
      }
      return { size: hasher.size, sha256: hasher.hash.digest('hex') };
    };
    const target = (name: string) => {
      if (!dest) return undefined;
      const t = resolve(dest, name);
      if (!t.startsWith(dest + sep)) throw new BundleRefusedError(name, 'would be written outside the extraction folder');
      return t;
    };
    for (const e of files) {
      const want = expected.get(e.name)!;
      let got;
      try {
        got = await writeEntry(e, target(e.name));
      } catch (err) {
        if (err instanceof BundleRefusedError) throw err;
        throw new BundleRefusedError(e.name, `cannot be read: ${(err as Error).message}`);
      }
      if (got.size !== want.size || got.sha256 !== want.sha256) {
        throw new BundleRefusedError(e.name, `does not match manifest.json (sha256 ${got.sha256.slice(0, 12)}…, ${got.size} bytes; expected ${want.sha256.slice(0, 12)}…, ${want.size} bytes)`);
      }
    }
    if (dest) {
      const mt = target('manifest.json')!;
      await pipeline(await openEntry(zip, manifestEntry.entry), createWriteStream(mt, { flags: 'wx', mode: 0o644 }));
    }
    return { path, size, manifest };
  } catch (err) {
    if (created && dest) await rm(dest, { recursive: true, force: true });
    throw err;
  } finally {
    zip.close();
  }
}

/** One file of a bundle as text (checked against the manifest), cut at `maxBytes`. */
export async function readBundleFile(file: string, name: string, maxBytes = 2 * 1024 * 1024): Promise<{ size: number; text: string; truncated: boolean }> {
  const unsafe = unsafeEntryName(name);
  if (unsafe) throw new BundleRefusedError(name, unsafe);
  const zip = await openZip(resolve(file)).catch((err) => {
    throw new BundleRefusedError(undefined, `${file} is not a readable zip file: ${(err as Error).message}`);
  });
  try {
    const entries = await listEntries(zip, BUNDLE_LIMITS);
    const manifestEntry = entries.find((e) => e.name === 'manifest.json');
    if (!manifestEntry) throw new BundleRefusedError(undefined, 'it has no manifest.json: not a Roadside bundle');
    const manifest = parseManifest(await readEntryText(zip, manifestEntry, BUNDLE_LIMITS.maxManifestBytes));
    const e = entries.find((x) => x.name === name && !x.directory);
    if (!e) throw new RoadsideError('not-found', `the bundle has no file ${name}`);
    if (name === 'manifest.json') {
      const raw = await readEntryText(zip, e, BUNDLE_LIMITS.maxManifestBytes);
      return { size: raw.length, text: raw.toString('utf8'), truncated: false };
    }
    const want = manifest.files.find((f) => f.path === name);
    if (!want) throw new BundleRefusedError(name, 'is not listed in manifest.json');
    const hasher = createHash('sha256');
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let size = 0;
    for await (const chunk of await openEntry(zip, e.entry)) {
      const c = chunk as Buffer;
      hasher.update(c);
      size += c.length;
      if (keptBytes < maxBytes) {
        kept.push(c.subarray(0, maxBytes - keptBytes));
        keptBytes += Math.min(c.length, maxBytes - keptBytes);
      }
    }
    if (size !== want.size || hasher.digest('hex') !== want.sha256) throw new BundleRefusedError(name, 'does not match manifest.json');
    return { size, text: Buffer.concat(kept).toString('utf8'), truncated: size > maxBytes };
  } finally {
    zip.close();
  }
}

// Writes a bundle .zip atomically: entries stream through a sha256 counter into yazl, the
// zip goes to a temporary file beside the destination, and only a complete, flushed file is
// renamed into place. Any failure removes the temporary file and says why.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ZipFile } from 'yazl';
import type { ManifestFile } from '../../shared/contract-report';
import { RoadsideError } from '../errors';

/** Counts bytes and hashes them as they pass. */
class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly onDone: (size: number, sha256: string) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.onDone(this.size, this.hash.digest('hex'));
    cb();
  }
}

export function describeWriteError(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
      return `the disk holding ${target} is full (no bundle was written)`;
    case 'EDQUOT':
      return `the disk quota for ${target} is used up (no bundle was written)`;
    case 'EACCES':
    case 'EPERM':
      return `${dirname(target)} is not writable (permission denied)`;
    case 'EROFS':
      return `${dirname(target)} is on a read-only file system`;
    case 'ENOENT':
      return `the folder ${dirname(target)} does not exist`;
    case 'ENOTDIR':
      return `${dirname(target)} is not a folder`;
    default:
      return `${e?.message ?? String(err)}`;
  }
}

export interface ZipEntryOptions {
  /** 0 stores; 1 is fast (logs); default 6. */
  compressionLevel?: number;
}

export class BundleZipWriter {
  readonly target: string;
  private readonly temp: string;
  private readonly zip = new ZipFile();
  private readonly files: ManifestFile[] = [];
  private readonly paths = new Set<string>();
  private failure: Error | undefined;
  private finished: Promise<void> | undefined;
  private readonly mtime: Date;
  private out: import('node:fs').WriteStream | undefined;
  private digest: { size: number; sha256: string } | undefined;

  private constructor(target: string, mtime: Date) {
    this.target = target;
    this.mtime = mtime;
    this.temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  }

  /** Checks the destination and opens the temporary file; throws RoadsideError('invalid-input') with why it can't. */
  static async create(target: string, opts: { overwrite?: boolean; mtime?: Date } = {}): Promise<BundleZipWriter> {
    const abs = resolve(target);
    if (!abs.toLowerCase().endsWith('.zip')) throw new RoadsideError('invalid-input', `${abs}: a bundle file name ends in .zip`);
    const folder = dirname(abs);
    if (!existsSync(folder)) throw new RoadsideError('invalid-input', `cannot write ${abs}: the folder ${folder} does not exist`);
    if (!statSync(folder).isDirectory()) throw new RoadsideError('invalid-input', `cannot write ${abs}: ${folder} is not a folder`);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) throw new RoadsideError('invalid-input', `${abs} is a folder`);
      if (!opts.overwrite) throw new RoadsideError('conflict', `${abs} already exists; choose another name or allow overwriting`);
    }
    const writer = new BundleZipWriter(abs, opts.mtime ?? new Date());
    await writer.start();
    return writer;
  }

  private async start(): Promise<void> {
    const out = createWriteStream(this.temp, { flags: 'wx' });
    await new Promise<void>((res, rej) => {
      out.once('open', () => res());
      out.once('error', (err) => rej(new RoadsideError('invalid-input', `cannot write ${this.target}: ${describeWriteError(err, this.target)}`)));
    });
    this.zip.on('error', (err: Error) => this.fail(err));
    out.on('error', (err) => this.fail(err));
    this.finished = new Promise<void>((res, rej) => {
      out.on('close', () => (this.failure ? rej(this.failure) : res()));
      out.on('error', (err) => rej(err));
      this.zip.on('error', (err: Error) => rej(err));
    });
    this.finished.catch(() => undefined);
    this.out = out;
    const counter = new HashingCounter((size, sha256) => (this.digest = { size, sha256 }));
    counter.on('error', (err) => this.fail(err));
    this.zip.outputStream.pipe(counter).pipe(out);
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }

  private claim(path: string): void {
    if (this.paths.has(path)) throw new Error(`bundle entry ${path} written twice`);
    this.paths.add(path);
  }

  /** Entries hashed so far (the manifest is built from these once everything before it is written). */
  manifestFiles(): ManifestFile[] {
    return [...this.files];
  }

  addBuffer(path: string, data: Buffer | string, opts: ZipEntryOptions = {}): void {
    this.claim(path);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.files.push({ path, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
    this.zip.addBuffer(buf, path, { mtime: this.mtime, mode: 0o100644, compressionLevel: opts.compressionLevel ?? 6 });
  }

  /**
   * Adds an entry whose content is produced when the zip reaches it (so only one entry's
   * source is open at a time). The promise settles when the entry has been fully written.
   */
  addLazy(path: string, produce: () => Promise<Readable | Buffer | string>, opts: ZipEntryOptions = {}): Promise<ManifestFile> {
    this.claim(path);
    return new Promise<ManifestFile>((resolveEntry, rejectEntry) => {
      this.zip.addReadStreamLazy(path, { mtime: this.mtime, mode: 0o100644, compressionLevel: opts.compressionLevel ?? 6 }, (cb) => {
        produce().then(
          (content) => {
            const source = content instanceof Readable ? content : Readable.from([typeof content === 'string' ? Buffer.from(content, 'utf8') : content]);
            const counter = new HashingCounter((size, sha256) => {
              const file = { path, size, sha256 };
              this.files.push(file);
              resolveEntry(file);
            });
            source.on('error', (err) => {
              counter.destroy(err);
              rejectEntry(err);
              this.fail(err);
            });
            cb(null, source.pipe(counter));
          },
          (err: Error) => {
            rejectEntry(err);
            this.fail(err);
            cb(err, undefined as unknown as Readable);
          },
        );
      });
    });
  }

  /** Ends the zip, flushes it to disk and renames it into place. */
  async commit(): Promise<{ path: string; size: number; sha256: string }> {
    this.zip.end();
    try {
      await this.finished;
      if (this.failure) throw this.failure;
      const fh = await open(this.temp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.temp, this.target);
      return { path: this.target, size: this.digest?.size ?? statSync(this.target).size, sha256: this.digest?.sha256 ?? '' };
    } catch (err) {
      await this.abort();
      if (err instanceof RoadsideError) throw err;
      throw new RoadsideError('internal', `the bundle was not written: ${describeWriteError(err, this.target)}`);
    }
  }

  /** Drops everything written so far. */
  async abort(reason?: Error): Promise<void> {
    if (reason) this.fail(reason);
    this.zip.outputStream.unpipe();
    if (this.out && !this.out.closed) {
      const out = this.out;
      await new Promise<void>((res) => {
        out.once('close', () => res());
        out.destroy();
      });
    }
    await rm(this.temp, { force: true });
  }
}

// Attachment content, addressed by its sha256. Large content lives as a file
// beside the database (<dataDir>/attachments/ab/<sha256>), written to a temporary
// name, fsynced and renamed before the database row that points at it commits,
// so an acknowledged attachment is on disk. A crash in between leaves at most an
// unreferenced file, never a row without content.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INCIDENT_LIMITS } from '../../shared/incidents';
import { InvalidIncidentInputError, TooLargeError } from './errors';

export interface StagedAttachment {
  sha256: string;
  size: number;
  /** Content to keep inside the database; undefined when it was written as a file. */
  inlineContent?: Buffer;
  /** Text for the search index when the content is text. */
  indexText?: string;
  indexTextTruncated: boolean;
}

export type AttachmentSource = { data: Buffer | Uint8Array } | { path: string };

export function attachmentFilePath(dataDir: string, sha256: string): string {
  return join(dataDir, 'attachments', sha256.slice(0, 2), sha256);
}

export async function stageAttachment(
  dataDir: string,
  source: AttachmentSource,
  mediaType: string,
): Promise<StagedAttachment> {
  const limit = INCIDENT_LIMITS.attachmentBytes;
  if ('data' in source) {
    const data = Buffer.isBuffer(source.data) ? source.data : Buffer.from(source.data);
    if (data.length > limit) throw new TooLargeError('Attachment', data.length, limit);
    return stageBuffer(dataDir, data, mediaType);
  }
  let size: number;
  try {
    const info = await stat(source.path);
    if (!info.isFile()) throw new InvalidIncidentInputError(`${source.path} is not a file`, { path: source.path });
    size = info.size;
  } catch (err) {
    if (err instanceof InvalidIncidentInputError) throw err;
    throw new InvalidIncidentInputError(`Cannot read ${source.path}: ${(err as Error).message}`, { path: source.path });
  }
  if (size > limit) throw new TooLargeError(`Attachment ${source.path}`, size, limit);
  if (size <= INCIDENT_LIMITS.inlineAttachmentBytes) return stageBuffer(dataDir, readFileSync(source.path), mediaType);
  return stageLargeFile(dataDir, source.path, mediaType);
}

async function stageBuffer(dataDir: string, data: Buffer, mediaType: string): Promise<StagedAttachment> {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const text = extractIndexText(data.subarray(0, INCIDENT_LIMITS.indexedAttachmentTextBytes + 4), data.length, mediaType);
  if (data.length <= INCIDENT_LIMITS.inlineAttachmentBytes) {
    return { sha256, size: data.length, inlineContent: data, ...text };
  }
  const finalPath = attachmentFilePath(dataDir, sha256);
  if (!hasCompleteFile(finalPath, data.length)) {
    await writeDurably(finalPath, async (handle) => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, Math.min(8 * 1024 * 1024, data.length - offset));
        offset += bytesWritten;
      }
    });
  }
  return { sha256, size: data.length, ...text };
}

async function stageLargeFile(dataDir: string, sourcePath: string, mediaType: string): Promise<StagedAttachment> {
  const hash = createHash('sha256');
  const limit = INCIDENT_LIMITS.attachmentBytes;
  const headLimit = INCIDENT_LIMITS.indexedAttachmentTextBytes + 4;
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const tempPath = join(dataDir, 'attachments', `.incoming-${randomBytes(8).toString('hex')}`);
  mkdirSync(join(dataDir, 'attachments'), { recursive: true });
  const handle = await open(tempPath, 'w');
  try {
    for await (const chunk of createReadStream(sourcePath, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      // The file can grow while it is read; the limit holds for what was actually read.
      if (size > limit) throw new TooLargeError(`Attachment ${sourcePath}`, size, limit);
      hash.update(chunk);
      if (headLength < headLimit) {
        headChunks.push(chunk.subarray(0, headLimit - headLength));
        headLength += Math.min(chunk.length, headLimit - headLength);
      }
      let offset = 0;
      while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tempPath, { force: true });
    throw err;
  }
  await handle.close();
  const sha256 = hash.digest('hex');
  const finalPath = attachmentFilePath(dataDir, sha256);
  if (hasCompleteFile(finalPath, size)) {
    await rm(tempPath, { force: true });
  } else {
    mkdirSync(join(finalPath, '..'), { recursive: true });
    await rename(tempPath, finalPath);
    await syncDirectory(join(finalPath, '..'));
  }
  return { sha256, size, ...extractIndexText(Buffer.concat(headChunks), size, mediaType) };
}

function hasCompleteFile(path: string, size: number): boolean {
  try {
    return existsSync(path) && statSync(path).size === size;
  } catch {
    return false;
  }
}

/** Writes to a temporary name in the target folder, fsyncs, renames, fsyncs the folder. */
export async function writeDurably(finalPath: string, write: (handle: import('node:fs/promises').FileHandle) => Promise<void>): Promise<void> {
  const folder = join(finalPath, '..');
  mkdirSync(folder, { recursive: true });
  const tempPath = join(folder, `.incoming-${randomBytes(8).toString('hex')}`);
  const handle = await open(tempPath, 'w');
  try {
    await write(handle);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tempPath, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tempPath, finalPath);
  await syncDirectory(folder);
}

async function syncDirectory(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  }
}

const TEXT_MEDIA_TYPES = /^(text\/|application\/(json|x-ndjson|yaml|x-yaml|xml|javascript|x-sh|x-shellscript|sql|toml|x-log)\b)|\+(json|xml|yaml)\b/i;
const BINARY_MEDIA_TYPES = /^(image|audio|video|font)\/|^application\/(zip|gzip|x-gzip|x-tar|pdf|octet-stream\b.*compressed)/i;

/**
 * Text of a text attachment, cut at the indexing limit. Text is recognised by media
 * type, or for unspecific types by decoding as UTF-8 without NUL bytes. A charset
 * in the media type is honoured; text/* that is not UTF-8 falls back to windows-1252.
 */
export function extractIndexText(
  head: Buffer,
  totalSize: number,
  mediaType: string,
): { indexText?: string; indexTextTruncated: boolean } {
  const cap = INCIDENT_LIMITS.indexedAttachmentTextBytes;
  if (BINARY_MEDIA_TYPES.test(mediaType) || head.length === 0) return { indexTextTruncated: false };
  const declaredText = TEXT_MEDIA_TYPES.test(mediaType);
  const slice = head.subarray(0, cap);
  const truncated = totalSize > cap;
  const charset = /charset="?([\w.:-]+)"?/i.exec(mediaType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    try {
      return { indexText: new TextDecoder(charset).decode(slice), indexTextTruncated: truncated };
    } catch {
      // Unknown charset: treat like no charset.
    }
  }
  if (slice.subarray(0, 8192).includes(0)) return { indexTextTruncated: false };
  try {
    // stream: true keeps a multi-byte character cut by the cap from counting as invalid.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(slice, { stream: truncated });
    return { indexText: text, indexTextTruncated: truncated };
  } catch {
    if (!declaredText) return { indexTextTruncated: false };
    return { indexText: new TextDecoder('windows-1252').decode(slice), indexTextTruncated: truncated };
  }
}

export function readAttachmentFile(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

// OpenSSH known_hosts files: plain and hashed (|1|salt|hash) host names, [host]:port entries for
// non-standard ports, wildcards and negations, @revoked markers. Roadside reads ~/.ssh/known_hosts
// and its own file in the data folder, and writes only its own.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host-name field as written (comma list, or one hashed name). */
  hosts: string;
  keyType: string;
  /** The key blob, base64. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'trusted'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypesKnown: string[] }
  | { status: 'changed'; known: Array<{ keyType: string; fingerprint: string; file: string; line: number }> }
  | { status: 'revoked'; entry: KnownHostEntry };

/** "SHA256:…" of a key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name inside a key blob (its first SSH string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** How OpenSSH writes a host in known_hosts: the bare name on port 22, else [host]:port. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    if (fields.length < 3) return;
    const [hosts, keyType, key] = fields;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return;
    entries.push({ file, line: i + 1, ...(marker ? { marker } : {}), hosts, keyType, key });
  });
  return entries;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|');
  // |1|salt|hash → ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether an entry's host field names this host (OpenSSH rules: any positive match, no negated one). */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (field.startsWith('|')) return hashedMatch(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (!pattern) continue;
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (wildcardMatch(p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function readEntries(files: readonly string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // absent or unreadable: no keys from it
    }
    entries.push(...parseKnownHosts(text, file));
  }
  return entries;
}

function sameKeyFamily(a: string, b: string): boolean {
  const family = (t: string) => (t.startsWith('rsa-sha2-') || t === 'ssh-rsa' ? 'ssh-rsa' : t);
  return family(a) === family(b);
}

/** Checks a host's key against the known_hosts files. */
export function verifyHostKey(files: readonly string[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const keyType = keyTypeOf(keyBlob);
  const key64 = keyBlob.toString('base64');
  const matching = readEntries(files).filter((e) => hostFieldMatches(e.hosts, host, port));
  const revoked = matching.find((e) => e.marker === 'revoked' && e.key === key64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = matching.filter((e) => !e.marker);
  const trusted = plain.find((e) => e.key === key64);
  if (trusted) return { status: 'trusted', entry: trusted };
  const sameType = plain.filter((e) => sameKeyFamily(e.keyType, keyType));
  if (sameType.length) {
    return {
      status: 'changed',
      known: sameType.map((e) => ({ keyType: e.keyType, fingerprint: fingerprintOf(Buffer.from(e.key, 'base64')), file: e.file, line: e.line })),
    };
  }
  return { status: 'unknown', otherTypesKnown: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types known for a host, so the handshake asks for one of those first (as OpenSSH does). */
export function knownKeyTypes(files: readonly string[], host: string, port: number): string[] {
  return [...new Set(readEntries(files).filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port)).map((e) => e.keyType))];
}

/** Appends a host key to Roadside's own known_hosts file, with the host name hashed as OpenSSH does. */
export function rememberHostKey(file: string, host: string, port: number, keyBlob: Buffer): void {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(knownHostName(host, port)).digest();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `|1|${salt.toString('base64')}|${hash.toString('base64')} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}

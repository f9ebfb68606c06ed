// known_hosts matching (plain, hashed, [host]:port, wildcards, negation, @revoked) and the
// parsers of node command output.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintOf, hostFieldMatches, knownHostName, verifyHostKey } from '../../src/main/ssh/known-hosts';
import { diskVerdict, parseChronyTracking, parseDf, parseDu, parseTimedatectl } from '../../src/main/checks/runbook/node';
import { parseHostPort, parseUserHostPort } from '../../src/shared/ssh';

// Two ed25519 public key blobs (test values, not secrets).
const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIJodr8NiOqavGKVVwDCA982zHB0e9KhbOQr1bzeoOedr';
const blob = (k: string) => Buffer.from(k, 'base64');
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

const dir = mkdtempSync(join(tmpdir(), 'roadside-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('known_hosts', () => {
  it('names hosts as OpenSSH does: bare on 22, [host]:port otherwise', () => {
    expect(knownHostName('bastion.example', 22)).toBe('bastion.example');
    expect(knownHostName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('matches comma lists, wildcards, negations and hashed names, port included', () => {
    expect(hostFieldMatches('a.example,10.0.0.5', '10.0.0.5', 22)).toBe(true);
    expect(hostFieldMatches('10.0.0.5', '10.0.0.5', 2222)).toBe(false);
    expect(hostFieldMatches('[10.0.0.5]:2222', '10.0.0.5', 2222)).toBe(true);
    expect(hostFieldMatches('*.prod.example,!db.prod.example', 'web.prod.example', 22)).toBe(true);
    expect(hostFieldMatches('*.prod.example,!db.prod.example', 'db.prod.example', 22)).toBe(false);
    expect(hostFieldMatches(hashed('[127.0.0.1]:2022'), '127.0.0.1', 2022)).toBe(true);
    expect(hostFieldMatches(hashed('[127.0.0.1]:2022'), '127.0.0.1', 2023)).toBe(false);
    expect(hostFieldMatches(hashed('bastion'), 'bastion', 22)).toBe(true);
  });

  it('trusts, calls changed, calls unknown, and honours @revoked', () => {
    const f = file('kh', `# comment\n${hashed('[127.0.0.1]:2022')} ssh-ed25519 ${KEY_A}\n@revoked * ssh-ed25519 ${KEY_B}\n`);
    expect(verifyHostKey([f], '127.0.0.1', 2022, blob(KEY_A)).status).toBe('trusted');
    const changed = verifyHostKey([file('kh2', `[127.0.0.1]:2022 ssh-ed25519 ${KEY_B}\n`)], '127.0.0.1', 2022, blob(KEY_A));
    expect(changed).toMatchObject({ status: 'changed', known: [{ fingerprint: fingerprintOf(blob(KEY_B)) }] });
    expect(verifyHostKey([f], 'other', 22, blob(KEY_A))).toEqual({ status: 'unknown', otherTypesKnown: [] });
    expect(verifyHostKey([f], 'anything', 22, blob(KEY_B)).status).toBe('revoked');
    expect(verifyHostKey([join(dir, 'missing')], 'x', 22, blob(KEY_A)).status).toBe('unknown');
  });

  it('fingerprints like ssh-keygen -l', () => {
    expect(fingerprintOf(blob(KEY_A))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('node command output', () => {
  it('reads df -P and folds duplicate mounts; warns from 80 %, fails from 95 %', () => {
    const rows = parseDf(
      'Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/vda1 100 81 19 81% /\n/dev/vda1 100 81 19 81% /\n/dev/vdb 1000 960 40 96% /var/lib/containerd\n',
    );
    expect(rows.map((r) => [r.mount, r.percent])).toEqual([
      ['/', 81],
      ['/var/lib/containerd', 96],
    ]);
    expect([diskVerdict(79), diskVerdict(80), diskVerdict(94), diskVerdict(95)]).toEqual(['pass', 'warn', 'warn', 'fail']);
  });

  it('reads du output biggest first', () => {
    expect(parseDu('4\t/var/log/apt\n2048\t/var/log/journal\ndu: cannot access x\n').map((d) => d.path)).toEqual(['/var/log/journal', '/var/log/apt']);
  });

  it('reads timedatectl show and chronyc tracking', () => {
    expect(parseTimedatectl('Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n')).toEqual({ synchronized: false, source: 'timedatectl' });
    expect(parseChronyTracking('Reference ID    : A29FC87B\nSystem time     : 0.000012345 seconds slow of NTP time\nLeap status     : Normal\n')).toEqual({
      synchronized: true,
      source: 'chronyc',
      ntpOffsetSeconds: -0.000012345,
    });
    expect(parseChronyTracking('Leap status     : Not synchronised\n')?.synchronized).toBe(false);
  });

  it('parses the CLI\'s address forms', () => {
    expect(parseHostPort('10.0.0.5')).toEqual({ host: '10.0.0.5', port: 22 });
    expect(parseHostPort('127.0.0.1:2222')).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(parseHostPort('[::1]:2222')).toEqual({ host: '::1', port: 2222 });
    expect(parseHostPort('host:99999')).toBeUndefined();
    expect(parseUserHostPort('ops@bastion.example:2200')).toEqual({ user: 'ops', host: 'bastion.example', port: 2200 });
    expect(parseUserHostPort('bastion.example')).toBeUndefined();
  });
});

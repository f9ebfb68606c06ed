import { describe, expect, it } from 'vitest';
import { snippetFromText, splitSnippet, toFtsMatch, MATCH_END, MATCH_START } from '../../src/main/incidents/search-query';
import { toClusterEventOccurrence } from '../../src/main/incidents/cluster-events';
import { toEpochMs } from '../../src/main/incidents/timestamps';
import { checkMigrationRegistry, MIGRATIONS } from '../../src/main/incidents/migrations';
import { extractIndexText } from '../../src/main/incidents/attachment-files';

describe('search box text → FTS5 match', () => {
  it('quotes every word and lets the last one match as a prefix', () => {
    expect(toFtsMatch('postgres timeo')).toBe('"postgres" "timeo"*');
  });
  it('keeps quoted phrases and does not prefix after a closing quote or a space', () => {
    expect(toFtsMatch('"connection refused" backend ')).toBe('"connection refused" "backend"');
    expect(toFtsMatch('backend "disk full"')).toBe('"disk full" "backend"');
  });
  it('never passes FTS5 syntax through', () => {
    expect(toFtsMatch('AND ( NEAR "')).toBe('"AND" "NEAR"');
    expect(toFtsMatch('col:value OR -x*')).toBe('"col" "value" "OR" "x"');
    expect(toFtsMatch('  !!! ')).toBeNull();
  });
  it('keeps accented words whole', () => {
    expect(toFtsMatch('conexión lenta')).toBe('"conexión" "lenta"*');
  });
});

describe('snippets', () => {
  it('splits marked matches into parts and renders them with « »', () => {
    const { snippet, parts } = splitSnippet(`pod ${MATCH_START}crashloop${MATCH_END} after <b>deploy</b>`);
    expect(snippet).toBe('pod «crashloop» after <b>deploy</b>');
    expect(parts).toEqual([
      { text: 'pod ', match: false },
      { text: 'crashloop', match: true },
      { text: ' after <b>deploy</b>', match: false },
    ]);
  });
});

describe('snippets of long texts', () => {
  it('finds the first match folding case and accents, marks matches in a short window', () => {
    const log = `${'worker ok\n'.repeat(5000)}ERROR Conexión rechazada: conexion reset\n${'worker ok\n'.repeat(5000)}`;
    const raw = snippetFromText(log, 'CONEXION rech')!;
    const { snippet } = splitSnippet(raw);
    expect(snippet).toContain('ERROR «Conexión» «rechazada»: «conexion» reset');
    expect(snippet.length).toBeLessThan(250);
    expect(snippetFromText(log, 'absent')).toBeNull();
  });
});

describe('cluster Warning events', () => {
  const base = {
    metadata: { uid: 'u-1', name: 'backend.17a', namespace: 'traffic-system' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    involvedObject: { kind: 'Pod', name: 'backend-7d9f', namespace: 'traffic-system' },
    count: 3,
    firstTimestamp: '2024-06-01T08:00:00Z',
    lastTimestamp: '2024-06-01T08:05:00Z',
  };
  it('keeps the cluster time and identifies an occurrence by uid and count', () => {
    const occurrence = toClusterEventOccurrence(base)!;
    expect(occurrence.uid).toBe('u-1');
    expect(occurrence.count).toBe(3);
    expect(new Date(occurrence.atMs!).toISOString()).toBe('2024-06-01T08:05:00.000Z');
    expect(occurrence.title).toBe('BackOff: pod/backend-7d9f');
    expect(occurrence.body).toContain('seen 3 times');
  });
  it('skips Normal events and takes Date objects as client-node gives them', () => {
    expect(toClusterEventOccurrence({ ...base, type: 'Normal' })).toBeNull();
    const occurrence = toClusterEventOccurrence({ ...base, lastTimestamp: new Date('2024-06-01T09:00:00Z') })!;
    expect(occurrence.atMs).toBe(Date.parse('2024-06-01T09:00:00Z'));
  });
  it('uses series.count for events.k8s.io-style series', () => {
    expect(toClusterEventOccurrence({ ...base, count: undefined, series: { count: 7 } })!.count).toBe(7);
  });
});

describe('times', () => {
  it('accepts zoned ISO times, Dates and epoch ms, and refuses zone-less text', () => {
    expect(toEpochMs('2024-06-01T10:00:00+02:00', 'at')).toBe(Date.parse('2024-06-01T08:00:00Z'));
    expect(toEpochMs(new Date(5), 'at')).toBe(5);
    expect(() => toEpochMs('2024-06-01T10:00:00', 'at')).toThrow(/zone/);
    expect(() => toEpochMs('yesterday', 'at')).toThrow(/ISO 8601/);
  });
});

describe('migration registry', () => {
  it('is in order', () => {
    expect(() => checkMigrationRegistry(MIGRATIONS)).not.toThrow();
  });
  it('refuses a gap or a repeat', () => {
    expect(() => checkMigrationRegistry([MIGRATIONS[0], MIGRATIONS[2]])).toThrow(/position 2 holds version 3/);
    expect(() => checkMigrationRegistry([MIGRATIONS[0], MIGRATIONS[0]])).toThrow(/out of order/);
  });
});

describe('attachment text for the index', () => {
  it('indexes UTF-8 text, skips binary, honours a charset', () => {
    expect(extractIndexText(Buffer.from('ERROR timeout'), 13, 'text/plain').indexText).toBe('ERROR timeout');
    expect(extractIndexText(Buffer.from([0, 1, 2, 255]), 4, 'application/octet-stream').indexText).toBeUndefined();
    const latin1 = Buffer.from([0x63, 0x6f, 0x6e, 0x65, 0x78, 0x69, 0xf3, 0x6e]);
    expect(extractIndexText(latin1, latin1.length, 'text/plain; charset=iso-8859-1').indexText).toBe('conexión');
    expect(extractIndexText(latin1, latin1.length, 'text/plain').indexText).toBe('conexión');
    expect(extractIndexText(latin1, latin1.length, 'application/octet-stream').indexText).toBeUndefined();
  });
});

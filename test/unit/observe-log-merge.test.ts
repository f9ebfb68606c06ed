// The merge of per-container logs into one stream ordered by time.
import { describe, expect, it } from 'vitest';
import { LineSplitter, mergeByTime, parseLogLine, parseLogText } from '../../src/main/observe/log-merge';

const merged = (inputs: Array<{ stream: number; text: string }>) =>
  mergeByTime(inputs.map((i) => ({ stream: i.stream, lines: parseLogText(i.text) }))).map((l) => `${l.stream}:${l.text}`);

describe('parseLogLine', () => {
  it('reads the RFC 3339 timestamp the API server puts before each line, to the nanosecond', () => {
    const a = parseLogLine('2026-01-10T09:57:12.123456789Z [ERROR] boot failed');
    expect(a.time).toBe('2026-01-10T09:57:12.123456789Z');
    expect(a.text).toBe('[ERROR] boot failed');
    expect(a.ms).toBe(Date.parse('2026-01-10T09:57:12.123Z'));
    expect(a.ns).toBe(456789);
    // The kubelet trims trailing zeros: .9Z is 900 ms.
    expect(parseLogLine('2026-01-10T09:57:12.9Z x').ms).toBe(Date.parse('2026-01-10T09:57:12.900Z'));
    expect(parseLogLine('2026-01-10T10:57:12+01:00 x').ms).toBe(Date.parse('2026-01-10T09:57:12Z'));
  });

  it('leaves a line without a timestamp as it is', () => {
    const l = parseLogLine('  File "manage.py", line 22, in <module>');
    expect(Number.isNaN(l.ms)).toBe(true);
    expect(l.time).toBeUndefined();
    expect(l.text).toBe('  File "manage.py", line 22, in <module>');
  });
});

describe('LineSplitter', () => {
  it('keeps a line cut between two chunks whole, and handles CRLF', () => {
    const s = new LineSplitter();
    expect(s.push('2026-01-10T09:00:00Z one\r\n2026-01-10T09:00:01Z tw')).toEqual(['2026-01-10T09:00:00Z one']);
    expect(s.push('o\n')).toEqual(['2026-01-10T09:00:01Z two']);
    expect(s.push('tail without newline')).toEqual([]);
    expect(s.end()).toEqual(['tail without newline']);
  });
});

describe('mergeByTime', () => {
  it('orders the lines of several containers by timestamp', () => {
    const out = merged([
      { stream: 0, text: '2026-01-10T09:00:01Z a1\n2026-01-10T09:00:04Z a2\n2026-01-10T09:00:09Z a3\n' },
      { stream: 1, text: '2026-01-10T09:00:02Z b1\n2026-01-10T09:00:03Z b2\n2026-01-10T09:00:10Z b3\n' },
      { stream: 2, text: '2026-01-10T09:00:00Z c1\n2026-01-10T09:00:05.5Z c2\n' },
    ]);
    expect(out).toEqual(['2:c1', '0:a1', '1:b1', '1:b2', '0:a2', '2:c2', '0:a3', '1:b3']);
  });

  it('orders by nanoseconds below the millisecond', () => {
    const out = merged([
      { stream: 0, text: '2026-01-10T09:00:00.000000900Z late\n' },
      { stream: 1, text: '2026-01-10T09:00:00.000000100Z early\n' },
    ]);
    expect(out).toEqual(['1:early', '0:late']);
  });

  it('keeps the order of the inputs for equal timestamps, and each stream its own order', () => {
    const t = '2026-01-10T09:00:00.5Z';
    const out = merged([
      { stream: 3, text: `${t} x1\n${t} x2\n` },
      { stream: 7, text: `${t} y1\n${t} y2\n` },
    ]);
    expect(out).toEqual(['3:x1', '3:x2', '7:y1', '7:y2']);
  });

  it('keeps the untimestamped lines of a multi-line message with the line they continue', () => {
    const out = merged([
      {
        stream: 0,
        text: [
          '2026-01-10T09:00:01Z Traceback (most recent call last):',
          '  File "manage.py", line 22, in <module>',
          'ModuleNotFoundError: No module named traffic.settings.prod',
          '2026-01-10T09:00:05Z Worker exiting',
          '',
        ].join('\n'),
      },
      { stream: 1, text: '2026-01-10T09:00:01.5Z other pod\n2026-01-10T09:00:01Z same second\n' },
    ]);
    expect(out).toEqual([
      '0:Traceback (most recent call last):',
      '0:  File "manage.py", line 22, in <module>',
      '0:ModuleNotFoundError: No module named traffic.settings.prod',
      '1:other pod',
      '1:same second',
      '0:Worker exiting',
    ]);
  });

  it('sorts lines before a stream\'s first timestamp with that timestamp; a stream without any comes first', () => {
    const out = merged([
      { stream: 0, text: '2026-01-10T09:00:00Z a\n2026-01-10T09:00:10Z b\n' },
      { stream: 1, text: 'banner line\n2026-01-10T09:00:05Z started\n' },
      { stream: 2, text: 'no timestamps at all\n' },
    ]);
    expect(out).toEqual(['2:no timestamps at all', '0:a', '1:banner line', '1:started', '0:b']);
  });

  it('merges many streams without losing or duplicating a line', () => {
    const streams = Array.from({ length: 40 }, (_, s) => ({
      stream: s,
      lines: Array.from({ length: 500 }, (_, i) => parseLogLine(`${new Date(Date.UTC(2026, 0, 10, 9) + ((i * 40 + ((s * 7) % 40)) * 13)).toISOString()} s${s} l${i}`)),
    }));
    const out = mergeByTime(streams);
    expect(out).toHaveLength(20_000);
    for (let i = 1; i < out.length; i++) expect(out[i].ms).toBeGreaterThanOrEqual(out[i - 1].ms);
    expect(new Set(out.map((l) => l.text)).size).toBe(20_000);
  });
});

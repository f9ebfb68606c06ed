// Pod colours (stable, distinct, readable on both themes), the log filter and kubectl ages.
import { describe, expect, it } from 'vitest';
import {
  POD_COLOR_SLOTS,
  ageOf,
  assignPodSlots,
  compileLogFilter,
  contrastRatio,
  formatLogLine,
  humanDuration,
  streamColor,
} from '../../src/shared/observe-logs';
import type { LogLine } from '../../src/shared/contract-observe';

// The --panel and --bg colours of styles.css in each theme.
const LIGHT_BACKGROUNDS = ['#ffffff', '#f6f7f9'];
const DARK_BACKGROUNDS = ['#161c24', '#0f141a'];

const PODS = [
  'traffic-system-backend-7c9d8f6b5d-h2x8r',
  'traffic-system-backend-7c9d8f6b5d-m5t9w',
  'traffic-system-frontend-6d8f7c9b54-q9m4n',
  'traffic-system-frontend-6d8f7c9b54-x7k2p',
  'traffic-system-minio-84d6c5f9b7-t6w4z',
  'traffic-system-ml-service-5f7b9c8d46-k8v2c',
  'traffic-system-ml-service-5f7b9c8d46-r3n7j',
  'traffic-system-postgresql-0',
  'traffic-system-prometheus-server-6b9f4d7c85-p2l8s',
];

describe('pod colours', () => {
  it('gives each pod the same slot whatever the order it is listed in', () => {
    const a = assignPodSlots(PODS);
    const b = assignPodSlots([...PODS].reverse());
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });

  it('gives up to twelve pods twelve different colours', () => {
    const twelve = [...PODS, 'a-0', 'b-1', 'c-2'];
    const slots = assignPodSlots(twelve);
    expect(new Set(slots.values()).size).toBe(twelve.length);
    const colors = new Set(twelve.map((p) => streamColor(slots.get(p)!, 0, 'light')));
    expect(colors.size).toBe(twelve.length);
    // Beyond twelve, colours repeat but every pod still has one.
    const many = assignPodSlots(Array.from({ length: 30 }, (_, i) => `pod-${i}`));
    expect(many.size).toBe(30);
    for (const slot of many.values()) expect(slot).toBeLessThan(POD_COLOR_SLOTS);
  });

  it('every pod and container colour reads at WCAG AA contrast (4.5:1) on both themes', () => {
    for (let slot = 0; slot < POD_COLOR_SLOTS; slot++) {
      for (let container = 0; container < 4; container++) {
        for (const bg of LIGHT_BACKGROUNDS) expect(contrastRatio(streamColor(slot, container, 'light'), bg), `slot ${slot}/${container} on ${bg}`).toBeGreaterThanOrEqual(4.5);
        for (const bg of DARK_BACKGROUNDS) expect(contrastRatio(streamColor(slot, container, 'dark'), bg), `slot ${slot}/${container} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('tells containers of one pod apart', () => {
    expect(streamColor(3, 0, 'light')).not.toBe(streamColor(3, 1, 'light'));
    expect(streamColor(3, 0, 'dark')).not.toBe(streamColor(3, 1, 'dark'));
  });
});

describe('log filter', () => {
  const line = (text: string, stream = 0): LogLine => ({ seq: 1, stream, text });

  it('matches text case-insensitively', () => {
    const f = compileLogFilter({ text: 'worker FAILED' });
    expect(f.test(line('[INFO] gunicorn.error: Reason: Worker failed to boot.'))).toBe(true);
    expect(f.test(line('GET /health 200'))).toBe(false);
    expect(f.active).toBe(true);
  });

  it('takes a regular expression, and says so when it is not valid (then hides nothing)', () => {
    const f = compileLogFilter({ text: 'status=(5\\d\\d)', regex: true });
    expect(f.test(line('upstream status=502'))).toBe(true);
    expect(f.test(line('upstream status=200'))).toBe(false);
    const bad = compileLogFilter({ text: '([', regex: true });
    expect(bad.error).toBeTruthy();
    expect(bad.active).toBe(false);
    expect(bad.test(line('anything'))).toBe(true);
  });

  it('hides the pods switched off', () => {
    const f = compileLogFilter({ text: '', hiddenStreams: [2] });
    expect(f.test(line('x', 1))).toBe(true);
    expect(f.test(line('x', 2))).toBe(false);
  });

  it('formats a saved line as kubectl logs --prefix --timestamps does', () => {
    expect(formatLogLine({ seq: 1, stream: 0, time: '2026-01-10T09:00:00.1Z', text: 'hello' }, [{ pod: 'p-1', container: 'c' }])).toBe(
      '[pod/p-1/c] 2026-01-10T09:00:00.1Z hello',
    );
  });
});

describe('ages as kubectl prints them', () => {
  it.each([
    [45_000, '45s'],
    [119_000, '119s'],
    [169_000, '2m49s'],
    [180_000, '3m'],
    [65 * 60_000, '65m'],
    [5 * 3600_000 + 7 * 60_000, '5h7m'],
    [30 * 3600_000, '30h'],
    [(4 * 24 + 17) * 3600_000, '4d17h'],
    [67 * 24 * 3600_000, '67d'],
    [(3 * 365 + 12) * 24 * 3600_000, '3y12d'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('says <unknown> without a timestamp', () => {
    expect(ageOf(undefined, Date.now())).toBe('<unknown>');
    expect(ageOf('2026-01-10T09:00:00Z', Date.parse('2026-01-10T09:02:49Z'))).toBe('2m49s');
  });
});

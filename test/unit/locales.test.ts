// Every UI string exists in Spanish and English.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../src/renderer/src/locales');

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('locales', () => {
  const areas = readdirSync(join(root, 'en')).filter((f) => f.endsWith('.json'));
  it.each(areas)('%s has the same keys in es and en, none empty', (file) => {
    const en = JSON.parse(readFileSync(join(root, 'en', file), 'utf8'));
    const es = JSON.parse(readFileSync(join(root, 'es', file), 'utf8'));
    expect(keys(es).sort()).toEqual(keys(en).sort());
    for (const k of keys(es)) expect(k.split('.').reduce((o: any, p) => o[p], es)).not.toBe('');
  });
  it('no two area files define the same top-level key', () => {
    const seen = new Map<string, string>();
    for (const file of areas) {
      for (const k of Object.keys(JSON.parse(readFileSync(join(root, 'en', file), 'utf8')))) {
        expect(seen.get(k), `${k} in ${file} and ${seen.get(k)}`).toBeUndefined();
        seen.set(k, file);
      }
    }
  });
});

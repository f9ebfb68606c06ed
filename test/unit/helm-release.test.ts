import { describe, expect, it } from 'vitest';
import {
  HelmReleaseDecodeError,
  decodeHelmReleaseSecret,
  decodeReleasePayload,
  readReleaseSecret,
  releaseSecrets,
} from '../../src/main/checks/helm-release';
import type { KObject } from '../../src/main/checks/types';
import { encodeRelease, releaseSecret } from './checks-sections-fixtures';

describe('decodeReleasePayload', () => {
  it('decodes base64(base64(gzip(json)))', () => {
    const decoded = decodeReleasePayload(encodeRelease({ name: 'x', version: 7 })) as any;
    expect(decoded).toEqual({ name: 'x', version: 7 });
  });

  it('accepts records Helm stored without gzip', () => {
    expect(decodeReleasePayload(encodeRelease({ name: 'plain' }, { gzip: false }))).toEqual({ name: 'plain' });
  });

  it('reports corrupt records as decode errors', () => {
    const helm = Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]).toString('base64');
    expect(() => decodeReleasePayload(Buffer.from(helm).toString('base64'))).toThrow(HelmReleaseDecodeError);
    expect(() => decodeReleasePayload(Buffer.from(Buffer.from('not json').toString('base64')).toString('base64'))).toThrow(/not JSON/);
    expect(() => decodeReleasePayload('')).toThrow(/empty/);
  });
});

describe('decodeHelmReleaseSecret', () => {
  it('returns identity and state only, never values, config or manifest', () => {
    const summary = decodeHelmReleaseSecret(releaseSecret(3, 'deployed'));
    expect(summary).toEqual({
      name: 'traffic-system',
      namespace: 'traffic-system',
      revision: 3,
      status: 'deployed',
      chart: 'traffic-system',
      chartVersion: '2.4.3',
      appVersion: '2.4.3',
      firstDeployed: '2025-11-03T14:20:00Z',
      lastDeployed: '2026-01-03T10:00:00Z',
      description: 'Upgrade complete',
    });
    const text = JSON.stringify(summary);
    for (const secret of ['super-secret-value-123', 'pg-password-xyz', 'chart-default-hunter2', 'cGctcGFzc3dvcmQteHl6', 'NOTES']) expect(text).not.toContain(secret);
  });
});

describe('readReleaseSecret and releaseSecrets', () => {
  it('falls back to the labels when the record cannot be decoded', () => {
    const broken = releaseSecret(4, 'failed', Buffer.from('garbage!').toString('base64'));
    const { summary, decodeError } = readReleaseSecret(broken);
    expect(summary).toMatchObject({ name: 'traffic-system', revision: 4, status: 'failed' });
    expect(decodeError).toBeTruthy();
  });

  it('keeps only the named release’s helm-owned records, newest first', () => {
    const other = releaseSecret(9, 'deployed', undefined, 'other-release');
    const notHelm: KObject = { ...releaseSecret(8, 'deployed'), type: 'Opaque' };
    const sorted = releaseSecrets([releaseSecret(2, 'superseded'), other, releaseSecret(10, 'deployed'), notHelm, releaseSecret(3, 'superseded')], 'traffic-system');
    expect(sorted.map((s) => s.metadata.labels!.version)).toEqual(['10', '3', '2']);
  });
});

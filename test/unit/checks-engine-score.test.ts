import { describe, expect, it } from 'vitest';
import { computeHealthScore, summarizeFindings } from '../../src/main/checks/score';

describe('computeHealthScore', () => {
  it('is 100 when everything passes and 0 when everything fails', () => {
    expect(computeHealthScore([{ section: 'database', status: 'pass', severity: 'high' }]).overall).toBe(100);
    expect(computeHealthScore([{ section: 'database', status: 'fail', severity: 'high' }]).overall).toBe(0);
  });

  it('weights by severity: a failing critical check costs more than a failing low one', () => {
    const criticalFails = computeHealthScore([
      { section: 'connectivity', status: 'fail', severity: 'critical' },
      { section: 'connectivity', status: 'pass', severity: 'low' },
    ]);
    const lowFails = computeHealthScore([
      { section: 'connectivity', status: 'pass', severity: 'critical' },
      { section: 'connectivity', status: 'fail', severity: 'low' },
    ]);
    expect(criticalFails.overall).toBe(20); // 1 of 5
    expect(lowFails.overall).toBe(80); // 4 of 5
  });

  it('counts a warning as half, an error as a failure, and leaves skipped checks out', () => {
    const score = computeHealthScore([
      { section: 'performance', status: 'warn', severity: 'medium' }, // 1 of 2
      { section: 'performance', status: 'error', severity: 'medium' }, // 0 of 2
      { section: 'performance', status: 'skipped', severity: 'critical' },
      { section: 'storage', status: 'pass', severity: 'high' }, // 3 of 3
    ]);
    expect(score.sections).toEqual({ performance: 25, storage: 100 });
    expect(score.overall).toBe(57); // 4 of 7, rounded
  });

  it('is null where nothing was counted', () => {
    expect(computeHealthScore([])).toEqual({ overall: null, sections: {} });
    expect(computeHealthScore([{ section: 'auth', status: 'skipped', severity: 'high' }])).toEqual({ overall: null, sections: { auth: null } });
  });
});

describe('summarizeFindings', () => {
  it('counts findings by status', () => {
    expect(summarizeFindings([{ status: 'pass' }, { status: 'pass' }, { status: 'skipped' }, { status: 'fail' }])).toEqual({ pass: 2, warn: 0, fail: 1, error: 0, skipped: 1 });
  });
});

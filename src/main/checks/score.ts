// The health score: the share of checks passing, weighted by how much each check matters.
import type { CheckStatus, Finding, FindingSummary, HealthScore, Section, Severity } from '../../shared/checks';

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** What a status is worth; skipped checks do not count at all. */
const STATUS_VALUE: Record<Exclude<CheckStatus, 'skipped'>, number> = { pass: 1, warn: 0.5, fail: 0, error: 0 };

export interface ScoredFinding {
  section: Section;
  status: CheckStatus;
  severity: Severity;
}

function scoreOf(items: ScoredFinding[]): number | null {
  let weight = 0;
  let earned = 0;
  for (const item of items) {
    if (item.status === 'skipped') continue;
    const w = SEVERITY_WEIGHT[item.severity];
    weight += w;
    earned += w * STATUS_VALUE[item.status];
  }
  return weight === 0 ? null : Math.round((earned / weight) * 100);
}

/** 0–100 per section and overall; null where nothing was counted. */
export function computeHealthScore(items: ScoredFinding[]): HealthScore {
  const sections: HealthScore['sections'] = {};
  const bySection = new Map<Section, ScoredFinding[]>();
  for (const item of items) bySection.set(item.section, [...(bySection.get(item.section) ?? []), item]);
  for (const [section, list] of bySection) sections[section] = scoreOf(list);
  return { overall: scoreOf(items), sections };
}

export function summarizeFindings(findings: Pick<Finding, 'status'>[]): FindingSummary {
  const summary: FindingSummary = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const f of findings) summary[f.status]++;
  return summary;
}

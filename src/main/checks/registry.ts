// Every runbook check, in the runbook's order. Check ids are a contract (CLI, reports, scenarios).
import type { CheckInfo } from '../../shared/checks';
import { authChecks } from './runbook/auth';
import { clusterChecks } from './runbook/cluster';
import { connectivityChecks } from './runbook/connectivity';
import { databaseChecks } from './runbook/database';
import { monitoringChecks } from './runbook/monitoring';
import { networkChecks } from './runbook/network';
import { nodeChecks } from './runbook/node';
import { performanceChecks } from './runbook/performance';
import { storageChecks } from './runbook/storage';
import type { Check } from './types';

export const ALL_CHECKS: readonly Check[] = [
  ...connectivityChecks,
  ...databaseChecks,
  ...performanceChecks,
  ...storageChecks,
  ...authChecks,
  ...networkChecks,
  ...monitoringChecks,
  ...clusterChecks,
  // Over SSH; skipped with the reason when node access is not configured.
  ...nodeChecks,
];

const BY_ID = new Map(ALL_CHECKS.map((c) => [c.id, c]));

export function checkById(id: string): Check | undefined {
  return BY_ID.get(id);
}

/** The checks' descriptions without their code (for the UI and `roadside checks`). */
export function listCheckInfo(): CheckInfo[] {
  return ALL_CHECKS.map(({ id, section, title, runbook, severity, optIn, params }) => ({
    id,
    section,
    title,
    runbook,
    severity,
    ...(optIn ? { optIn } : {}),
    ...(params ? { params } : {}),
  }));
}

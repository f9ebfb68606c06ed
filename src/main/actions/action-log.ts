// The local action log: one JSON line per applied action in the data folder, written for
// every action whether or not an incident is active. Secret values never reach it: objects
// are redacted structurally before they get here, and the whole record goes through the
// report redactor as well.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionLogRecord } from '../../shared/actions';
import { createRedactor } from '../report/redaction';

export const ACTION_LOG_FILE = 'actions.log.jsonl';

export function actionLogPath(dataDir: string): string {
  return join(dataDir, ACTION_LOG_FILE);
}

export function appendActionLog(dataDir: string, record: ActionLogRecord): void {
  const { value } = createRedactor().redactObject(record);
  mkdirSync(dataDir, { recursive: true });
  appendFileSync(actionLogPath(dataDir), JSON.stringify(value) + '\n', { mode: 0o600 });
}

/** The newest records first. A damaged line (a crash mid-write) is skipped, not fatal. */
export function readActionLog(dataDir: string, limit = 100): ActionLogRecord[] {
  const file = actionLogPath(dataDir);
  if (!existsSync(file)) return [];
  const records: ActionLogRecord[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = lines.length - 1; i >= 0 && records.length < limit; i--) {
    if (!lines[i].trim()) continue;
    try {
      records.push(JSON.parse(lines[i]) as ActionLogRecord);
    } catch {
      // skip
    }
  }
  return records;
}

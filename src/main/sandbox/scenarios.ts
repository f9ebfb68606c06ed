// The built-in training scenarios under resources/scenarios: `healthy` and one overlay per
// runbook problem (`base: healthy` plus the fault).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadSnapshot, type LoadSnapshotOptions } from './snapshot';
import { scenariosRoot } from './scenarios-root';
import type { Snapshot } from './snapshot-types';
import { ordinal } from '../../shared/ordinal';

export { scenariosRoot } from './scenarios-root';

export interface ScenarioSummary {
  name: string;
  title: { es: string; en: string };
  description: { es: string; en: string };
  /** The scenario this one is an overlay of, if any. */
  base?: string;
}

export class UnknownScenarioError extends Error {
  override name = 'UnknownScenarioError';
  constructor(
    readonly scenario: string,
    readonly available: string[],
  ) {
    super(`no built-in scenario named "${scenario}"; available: ${available.join(', ')}`);
  }
}

const NAME = /^[a-z0-9-]+$/;

/** Built-in scenarios, `healthy` first, then by name. Reads only each scenario.yaml. */
export async function listScenarios(root: string = scenariosRoot()): Promise<ScenarioSummary[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const out: ScenarioSummary[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !NAME.test(e.name)) continue;
    let raw: Record<string, unknown> | undefined;
    try {
      raw = parse(await readFile(join(root, e.name, 'scenario.yaml'), 'utf8')) as Record<string, unknown>;
    } catch {
      continue; // not a scenario folder
    }
    const title = (raw?.title as ScenarioSummary['title'] | undefined) ?? { es: e.name, en: e.name };
    const description = (raw?.description as ScenarioSummary['description'] | undefined) ?? { es: '', en: '' };
    const summary: ScenarioSummary = { name: e.name, title, description };
    if (typeof raw?.base === 'string') summary.base = raw.base;
    out.push(summary);
  }
  return out.sort((a, b) => (a.name === 'healthy' ? -1 : b.name === 'healthy' ? 1 : ordinal(a.name, b.name)));
}

/** Loads a built-in scenario with its base resolved; `source` is the scenario's name. */
export async function loadScenario(
  name: string,
  opts: { now?: Date; root?: string } = {},
): Promise<Snapshot> {
  const root = opts.root ?? scenariosRoot();
  const available = (await listScenarios(root)).map((s) => s.name);
  if (!NAME.test(name) || !available.includes(name)) throw new UnknownScenarioError(name, available);
  const loadOpts: LoadSnapshotOptions = { now: opts.now, scenariosDir: root };
  const snapshot = await loadSnapshot(join(root, name), loadOpts);
  return { ...snapshot, source: name };
}

import { randomUUID } from 'node:crypto';
import { SECTIONS, type CheckStatus, type DiagnoseResult, type Section } from '../../../shared/checks';
import { createCliService } from '../service-factory';
import { CliError, color, EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, formatTable, printJson } from '../io';

export interface DiagnoseOptions {
  context?: string;
  namespace?: string;
  section: string[];
  check: string[];
  param: string[];
  json?: boolean;
  concurrency?: number;
  timeout?: number;
  kubeconfig: string[];
  incident?: string;
}

const SYMBOL: Record<CheckStatus, string> = {
  pass: color.green('✔ pass'),
  warn: color.yellow('▲ warn'),
  fail: color.red('✖ fail'),
  error: color.red('! error'),
  skipped: color.dim('- skip'),
};

function parseParams(list: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new CliError(`--param must look like key=value, got "${item}"`, EXIT_USAGE);
    params[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return params;
}

export async function runChecksList(opts: { json?: boolean }): Promise<number> {
  const checks = await createCliService().call('checks.list', {});
  if (opts.json) {
    printJson(checks);
    return EXIT_OK;
  }
  const lang = (process.env.LC_ALL || process.env.LANG || '').toLowerCase().startsWith('es') ? 'es' : 'en';
  process.stdout.write(
    formatTable(
      ['ID', 'SEVERITY', 'TITLE'],
      checks.map((c) => [c.id, c.severity, c.title[lang] + (c.optIn ? color.dim(' (opt-in)') : '') + (c.params?.length ? color.dim(` (--param ${c.params.join(', ')})`) : '')]),
    ),
  );
  return EXIT_OK;
}

export function exitCodeForDiagnosis(result: DiagnoseResult): number {
  if (result.unreachable) return EXIT_UNREACHABLE;
  if (result.summary.fail > 0 || result.summary.error > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}

export function printDiagnosis(result: DiagnoseResult): void {
  const out = process.stdout;
  out.write(color.bold(`Roadside diagnosis of ${result.context} / ${result.namespace}`) + color.dim(`  (${result.startedAt})\n`));
  if (result.unreachable) out.write(color.red(`\nThe cluster could not be reached: ${result.unreachable}\n`));
  for (const section of SECTIONS) {
    const findings = result.findings.filter((f) => f.section === section);
    if (!findings.length) continue;
    const score = result.score.sections[section];
    out.write(`\n${color.bold(section)}${score === null || score === undefined ? '' : color.dim(`  score ${score}`)}\n`);
    for (const f of findings) {
      out.write(`  ${SYMBOL[f.status]}  ${f.check.padEnd(34)} ${f.message}\n`);
      if (f.status === 'fail' || f.status === 'warn' || f.status === 'error') {
        for (const cmd of f.kubectl.slice(0, 2)) out.write(color.dim(`           $ ${cmd}\n`));
        for (const r of f.remediation.slice(0, 2)) out.write(color.dim(`           → ${r.text.en}${r.command ? `: ${r.command.split('\n')[0]}` : ''}\n`));
      }
    }
  }
  const s = result.summary;
  out.write(
    `\n${color.bold('Summary')}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.error} error, ${s.skipped} skipped` +
      `  · health score ${result.score.overall ?? '—'}` +
      color.dim(`  · ${result.durationMs} ms, ${result.requests} API requests`) +
      (result.cancelled ? color.yellow('  · cancelled') : '') +
      '\n',
  );
}

export async function runDiagnose(opts: DiagnoseOptions): Promise<number> {
  const unknownSections = opts.section.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknownSections.length)
    throw new CliError(`--section ${unknownSections.join(', ')}: unknown section (choose from ${SECTIONS.join(', ')})`, EXIT_USAGE);
  const params = parseParams(opts.param);
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  if (opts.check.length) {
    const known = new Set((await service.call('checks.list', {})).map((c) => c.id));
    const unknown = opts.check.filter((c) => !known.has(c));
    if (unknown.length) throw new CliError(`--check ${unknown.join(', ')}: no such check (see roadside checks)`, EXIT_USAGE);
  }
  const runId = randomUUID();
  const showProgress = !opts.json && process.stderr.isTTY;
  const off = service.onEvent((event) => {
    if (event.type !== 'diagnose-progress' || !showProgress) return;
    const p = event.progress;
    process.stderr.write(`\r\x1b[K${color.dim(`checking ${p.done}/${p.total}${p.check ? ` ${p.check}` : ''}`)}`);
  });
  const onInterrupt = () => {
    process.stderr.write('\nCancelling…\n');
    void service.call('diagnose.cancel', { runId });
  };
  process.once('SIGINT', onInterrupt);
  try {
    const result = await service.call('diagnose.run', {
      runId,
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.section.length ? { sections: opts.section as Section[] } : {}),
      ...(opts.check.length ? { checks: opts.check } : {}),
      ...(Object.keys(params).length ? { params } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
      ...(opts.incident ? { incidentId: opts.incident } : {}),
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    if (opts.json) printJson(result);
    else printDiagnosis(result);
    return exitCodeForDiagnosis(result);
  } finally {
    off();
    process.removeListener('SIGINT', onInterrupt);
  }
}

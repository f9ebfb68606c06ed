import { parseEscalationLevel, ESCALATION_CHANNEL_KINDS, type EscalationChannelKind, type ReportRequest } from '../../../shared/contract-report';
import { parseDuration } from '../../report/durations';
import { CliError, color, EXIT_OK, EXIT_USAGE, formatTable, printJson } from '../io';
import { createCliService } from '../service-factory';

export interface ReportBuildOptions {
  incident: string;
  out: string;
  level?: string;
  channel?: string;
  since?: string;
  tail?: number;
  pod: string[];
  live: boolean;
  context?: string;
  namespace?: string;
  kubeconfig: string[];
  engineer?: string;
  redact: string[];
  redactPattern: string[];
  overwrite?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

function reportInput(opts: ReportBuildOptions): ReportRequest {
  const level = opts.level === undefined ? undefined : parseEscalationLevel(opts.level);
  if (opts.level !== undefined && !level) throw new CliError(`--level must be L1, L2, L3 or emergency, got "${opts.level}"`, EXIT_USAGE);
  if (opts.channel !== undefined && !ESCALATION_CHANNEL_KINDS.includes(opts.channel as EscalationChannelKind)) {
    throw new CliError(`--channel must be one of ${ESCALATION_CHANNEL_KINDS.join(', ')}, got "${opts.channel}"`, EXIT_USAGE);
  }
  const sinceSeconds = opts.since === undefined ? undefined : parseDuration(opts.since);
  if (opts.since !== undefined && !sinceSeconds) throw new CliError(`--since must be a duration such as 30m, 2h or 1d, got "${opts.since}"`, EXIT_USAGE);
  return {
    incidentId: opts.incident,
    ...(opts.context ? { context: opts.context } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    live: opts.live,
    ...(level ? { level } : {}),
    ...(opts.channel ? { channel: opts.channel as EscalationChannelKind } : {}),
    ...(opts.engineer ? { engineer: opts.engineer } : {}),
    logs: { ...(sinceSeconds ? { sinceSeconds } : {}), ...(opts.tail ? { tailLines: opts.tail } : {}), ...(opts.pod.length ? { pods: opts.pod } : {}) },
    redaction: { customLiterals: opts.redact, customPatterns: opts.redactPattern, exemptions: [] },
  };
}

export async function runReportBuild(opts: ReportBuildOptions): Promise<number> {
  const input = reportInput(opts);
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  const progress = !opts.json && process.stderr.isTTY;
  if (progress) {
    service.onEvent((e) => {
      if (e.type === 'report-progress' && (e.done === e.total || e.done % 10 === 0)) process.stderr.write(`\r${e.phase} ${e.done}/${e.total}   `);
    });
  }
  if (opts.dryRun) {
    const preview = await service.call('report.preview', input);
    if (opts.json) printJson(preview);
    else {
      if (preview.liveError) process.stdout.write(`${color.yellow('live collection failed')}: ${preview.liveError}\n`);
      const rows = preview.files.map((f) => [f.path, String(f.size), String(f.total), Object.entries(f.counts).map(([r, n]) => `${r}=${n}`).join(' ')]);
      process.stdout.write(formatTable(['FILE', 'BYTES', 'HIDDEN', 'BY RULE'], rows));
      for (const x of preview.excluded) process.stdout.write(`${color.yellow('left out')} ${x.path}: ${x.reason}\n`);
      process.stdout.write(`\n${preview.total} values would be hidden. Nothing was written (--dry-run).\n`);
    }
    return EXIT_OK;
  }
  const result = await service.call('report.build', { ...input, out: opts.out, confirmed: true, ...(opts.overwrite ? { overwrite: true } : {}) });
  if (progress) process.stderr.write('\n');
  if (opts.json) {
    printJson(result);
    return EXIT_OK;
  }
  if (result.liveError) process.stderr.write(`${color.yellow('live collection failed')}: ${result.liveError}\nThe bundle holds what the incident already recorded; the report says so.\n`);
  process.stdout.write(
    `${color.green('Bundle written')}: ${result.path}\n` +
      `  ${result.files} files, ${result.size} bytes, sha256 ${result.sha256}\n` +
      `  ${result.redactedValues} values redacted (counts per file and rule in redactions.json)\n` +
      `  ${(result.durationMs / 1000).toFixed(1)} s\n`,
  );
  for (const n of result.notes) process.stdout.write(`  note: ${n}\n`);
  process.stdout.write(`\nSummary for the chat:\n\n${result.summary}\n`);
  return EXIT_OK;
}

// `roadside report …` and `roadside bundle …`; modules load when the command runs.
import type { Command } from 'commander';
import { collect, parsePositiveInt } from './io';

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('escalation reports: the runbook\'s six sections, a redacted bundle for L1/L2/L3/Emergency');
  report
    .command('build')
    .description('write an escalation bundle (.zip) for an incident: report, incident timeline, cluster snapshot, logs; secrets redacted')
    .requiredOption('--incident <id>', 'incident id (see the Incidents view or roadside incidents list)')
    .requiredOption('--out <file.zip>', 'where to write the bundle (written atomically)')
    .option('--level <level>', 'escalation level: L1, L2, L3 or emergency (default: from the incident)')
    .option('--channel <channel>', 'slack, email, phone or pagerduty (default: by level)')
    .option('--since <duration>', 'only log lines newer than this, e.g. 30m, 2h, 1d')
    .option('--tail <lines>', 'at most this many lines per container log', parsePositiveInt('--tail', 1, 10_000_000))
    .option('--pod <name>', 'only the logs of this pod (repeatable)', collect, [])
    .option('--no-live', 'do not read the cluster: only what the incident holds')
    .option('--context <name>', 'kubeconfig context (default: the incident\'s, else the selected one)')
    .option('--namespace <ns>', 'namespace (default: the incident\'s, else traffic-system)')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .option('--engineer <name>', 'who escalates (default: the incident\'s author)')
    .option('--redact <literal>', 'also hide this exact text everywhere (repeatable)', collect, [])
    .option('--redact-pattern <regex>', 'also hide what this regular expression matches (repeatable)', collect, [])
    .option('--overwrite', 'replace an existing file at --out')
    .option('--dry-run', 'show the redaction preview (files and counts per rule) and write nothing')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExit codes: 0 written, 1 failed, 2 bad usage or input (unknown incident, unwritable destination).')
    .action(async (opts) => {
      const { runReportBuild } = await import('./commands/report');
      process.exitCode = await runReportBuild(opts);
    });

  const bundle = program.command('bundle').description('open escalation bundles: verify them, replay their cluster in the sandbox');
  bundle
    .command('verify')
    .description('check every file of a bundle against its manifest (names, sizes, sha256) and print what it holds')
    .argument('<file.zip>', 'the bundle')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExit codes: 0 verified, 1 refused (tampered, unsafe entry), 2 not found or not a zip.')
    .action(async (file, opts) => {
      const { runBundleVerify } = await import('./commands/bundle');
      process.exitCode = await runBundleVerify(file, opts);
    });
  bundle
    .command('replay')
    .description('verify and unpack a bundle into the data folder and serve its cluster/ part with the sandbox until Ctrl+C')
    .argument('<file.zip>', 'the bundle')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', parsePositiveInt('--port', 1, 65535))
    .option('--kubeconfig-out <file>', 'also write the kubeconfig (context roadside-sandbox) to this file')
    .option('--json', 'print the status as JSON')
    .action(async (file, opts) => {
      const { runBundleReplay } = await import('./commands/bundle');
      process.exitCode = await runBundleReplay(file, opts);
    });
}

// `roadside logs`: the runbook's log aggregation in a terminal. Every container of the
// pods a label selector matches, the last lines of each, merged by timestamp, optionally
// followed until Ctrl+C.
import { DEFAULT_LOG_SELECTOR, DEFAULT_LOG_TAIL, type LogLine, type LogStreamInfo } from '../../../shared/contract-observe';
import { assignPodSlots, compileLogFilter, formatLogLine } from '../../../shared/observe-logs';
import { parseDuration } from '../../report/durations';
import { resolveTarget } from '../../handlers/observe';
import { LogSession } from '../../observe/log-session';
import { createCliService } from '../service-factory';
import { CliError, color, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE } from '../io';

export interface LogsOptions {
  context?: string;
  namespace?: string;
  selector?: string;
  tail?: number;
  since?: string;
  follow?: boolean;
  grep?: string;
  regex?: boolean;
  json?: boolean;
  kubeconfig: string[];
}

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const PALETTE = [36, 32, 33, 35, 34, 31, 96, 92, 93, 95, 94, 91];

function printer(streams: LogStreamInfo[], json: boolean) {
  const slots = assignPodSlots(streams.map((s) => s.pod));
  return (line: LogLine) => {
    const s = streams[line.stream];
    if (json) {
      process.stdout.write(JSON.stringify({ time: line.time ?? null, pod: s.pod, container: s.container, text: line.text }) + '\n');
      return;
    }
    const text = formatLogLine(line, streams);
    if (!useColor) {
      process.stdout.write(text + '\n');
      return;
    }
    const prefix = `[pod/${s.pod}/${s.container}]`;
    process.stdout.write(`\x1b[${PALETTE[slots.get(s.pod)! % PALETTE.length]}m${prefix}\x1b[0m${text.slice(prefix.length)}\n`);
  };
}

export async function runLogs(opts: LogsOptions): Promise<number> {
  let sinceSeconds: number | undefined;
  if (opts.since !== undefined) {
    sinceSeconds = parseDuration(opts.since);
    if (sinceSeconds === undefined) throw new CliError(`--since must be a duration like 90s, 30m, 1h or 2d, got "${opts.since}"`, EXIT_USAGE);
  }
  // `roadside logs | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    throw err;
  });
  const filter = compileLogFilter(opts.grep ? { text: opts.grep, regex: !!opts.regex } : undefined);
  if (filter.error) throw new CliError(`--grep is not a valid regular expression: ${filter.error}`, EXIT_USAGE);
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  const target = await resolveTarget(service, opts.context, opts.namespace);
  const selector = opts.selector ?? DEFAULT_LOG_SELECTOR;
  let print: (line: LogLine) => void = () => undefined;
  let followEnded: () => void = () => undefined;
  const session = await LogSession.open({
    kubeConfig: target.kc,
    context: target.name,
    namespace: target.namespace,
    selector,
    tailLines: opts.tail ?? DEFAULT_LOG_TAIL,
    ...(sinceSeconds ? { sinceSeconds } : {}),
    ...(opts.follow ? { follow: true } : {}),
    onLines: (lines) => {
      for (const l of lines) if (filter.test(l)) print(l);
    },
    onFollowEnded: () => followEnded(),
  });
  const result = session.startResult('cli');
  if (result.problem) {
    process.stderr.write(`roadside: ${result.problem.message}\n`);
    return result.problem.kind === 'forbidden' || result.problem.kind === 'unreachable' ? EXIT_UNREACHABLE : 1;
  }
  if (result.pods === 0) {
    process.stderr.write(`No pod matches -l ${selector} in namespace ${target.namespace} (context ${target.name}).\n`);
    return EXIT_OK;
  }
  print = printer(result.streams, !!opts.json);
  for (const l of session.allLines) if (filter.test(l)) print(l);
  for (const s of result.streams) if (s.error) process.stderr.write(color.yellow(`warning: ${s.pod}/${s.container}: ${s.error}\n`));
  if (result.skippedStreams) process.stderr.write(color.yellow(`warning: ${result.skippedStreams} containers not read (at most ${result.streams.length} at once)\n`));
  if (result.dropped) process.stderr.write(color.yellow(`warning: the ${result.dropped} oldest lines were left out (at most ${session.allLines.length} lines)\n`));
  if (!opts.follow || !session.isFollowing) return EXIT_OK;

  // Listen for Ctrl+C before saying so: whoever reads the line may press it at once.
  const stopped = new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    followEnded = stop;
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write(color.dim(`Following ${result.streams.filter((s) => !s.error).length} containers; press Ctrl+C to stop.\n`));
  await stopped;
  await session.stopFollowing();
  return EXIT_OK;
}

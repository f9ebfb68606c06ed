// `roadside act ACTION`: preview, confirmation on the terminal (typed for destructive
// actions), apply, and the outcome. Exit codes: 0 applied or previewed, 1 failed on the
// cluster, 2 bad usage / refused / read-only, 3 unreachable / unauthorized / forbidden.
import { createInterface } from 'node:readline/promises';
import { ACTION_IDS, isActionId, type ActionId, type ActionOutcome, type ActionPlan } from '../../../shared/actions';
import { RoadsideError } from '../../errors';
import { actionDeskFor } from '../../handlers/actions';
import type { RoadsideService } from '../../service';
import { createCliService } from '../service-factory';
import { CliError, color, EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, formatTable, printJson } from '../io';

export interface ActOptions {
  target?: string;
  context?: string;
  namespace?: string;
  param: string[];
  dryRun?: boolean;
  yes?: boolean;
  readOnly?: boolean;
  incident?: string;
  json?: boolean;
  kubeconfig: string[];
}

/** Which parameter --target names for actions whose id has no target part. */
const TARGET_PARAM: Partial<Record<ActionId, string>> = { 'expand-pvc': 'pvc', 'add-user-to-group': 'username' };

export function exitCodeForActionError(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof RoadsideError) {
    if (err.code === 'unreachable' || err.code === 'unauthorized' || err.code === 'forbidden' || err.code === 'timeout') return EXIT_UNREACHABLE;
    if (err.code === 'internal') return EXIT_FINDINGS;
    return EXIT_USAGE;
  }
  return EXIT_FINDINGS;
}

function parseParams(list: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new CliError(`--param must look like key=value, got "${item}"`, EXIT_USAGE);
    params[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return params;
}

/** ACTION and --target as an action id and parameters: rollout-restart --target backend is rollout-restart:backend. */
export function resolveAction(action: string, target: string | undefined, params: Record<string, string>): { actionId: ActionId; params: Record<string, string>; checkTarget?: string } {
  let id = action;
  let checkTarget: string | undefined;
  if (!isActionId(id) && target && isActionId(`${action}:${target}`)) id = `${action}:${target}`;
  else if (target && isActionId(id)) {
    const param = TARGET_PARAM[id];
    if (param) {
      if (params[param] !== undefined && params[param] !== target) throw new CliError(`--target ${target} and --param ${param}=${params[param]} disagree`, EXIT_USAGE);
      params = { ...params, [param]: target };
    } else if (id.includes(':') && id.split(':')[1] !== target) {
      throw new CliError(`--target ${target} does not match ${id}`, EXIT_USAGE);
    } else if (!id.includes(':')) checkTarget = target;
  }
  if (!isActionId(id)) {
    const families = [...new Set(ACTION_IDS.map((a) => a.split(':')[0]))];
    const hint = families.includes(action) ? ` (give --target: ${ACTION_IDS.filter((a) => a.startsWith(`${action}:`)).map((a) => a.split(':')[1]).join(', ')})` : '';
    throw new CliError(`unknown action "${action}${target && !hint ? `:${target}` : ''}"${hint}; run roadside act to list them`, EXIT_USAGE);
  }
  return { actionId: id, params, ...(checkTarget ? { checkTarget } : {}) };
}

export function printPlan(plan: ActionPlan, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${color.bold(`${plan.title.en}`)} ${color.dim(`(${plan.actionId})`)}\n`);
  out.write(`  target:  ${plan.target}\n  context: ${plan.context} / ${plan.namespace}\n`);
  if (Object.keys(plan.params).length) out.write(`  params:  ${Object.entries(plan.params).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  for (const change of plan.changes) {
    out.write(`\n${color.bold(`${change.operation} ${change.kind.toLowerCase()}/${change.name}${change.subresource ? ` (${change.subresource})` : ''}`)}${color.dim(`  server-side dry run`)}\n`);
    out.write(color.dim(`  $ ${change.command.split('\n')[0]}\n`));
    if (!change.diff) out.write('  (no change: the object already looks like this)\n');
    for (const line of change.diff.split('\n')) {
      if (!line || line.startsWith('===') || line.startsWith('Index: ')) continue;
      const painted = line.startsWith('+') && !line.startsWith('+++') ? color.green(line) : line.startsWith('-') && !line.startsWith('---') ? color.red(line) : line.startsWith('@@') ? color.cyan(line) : line;
      out.write(`  ${painted}\n`);
    }
  }
  for (const cmd of plan.commands) {
    out.write(`\n${color.bold(`exec in pod/${cmd.pod}`)} ${color.dim(`[${cmd.container}]`)}\n  $ ${cmd.command}\n`);
    if (cmd.previewOutput) out.write(color.dim(cmd.previewOutput.trimEnd().split('\n').map((l) => `    │ ${l}`).join('\n') + '\n'));
  }
  for (const cmd of plan.localCommands) out.write(`\n${color.bold('on this machine')}\n  $ ${cmd}\n`);
  if (plan.localFiles.length) out.write(`\nwrites: ${plan.localFiles.join(', ')}\n`);
  for (const note of plan.notes) out.write(color.yellow(`\n! ${note.en}`));
  if (plan.notes.length) out.write('\n');
  if (plan.manual) out.write(color.yellow(`\nRoadside cannot run this here: ${plan.manual.reason}.\nRun it yourself:\n  ${plan.manual.command}\n`));
}

function printOutcome(outcome: ActionOutcome): void {
  const out = process.stdout;
  out.write(`\n${outcome.result === 'succeeded' ? color.green('✔ applied') : color.red('✖ failed')}: ${outcome.message}\n`);
  for (const o of outcome.outputs) if (o.text.trim()) out.write(color.dim(`${o.pod ? `[${o.pod}] ` : ''}${o.text.trim().split('\n').slice(0, 20).join('\n')}\n`));
  out.write(color.dim(`recorded in the action log${outcome.incidentId ? ` and incident ${outcome.incidentId}` : ''} by ${outcome.user}\n`));
}

async function confirmOnTerminal(plan: ActionPlan): Promise<{ ok: boolean; typed?: string }> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (plan.destructive && plan.confirmWord) {
      const typed = (await rl.question(`\nThis is destructive. Type ${color.bold(plan.confirmWord)} to apply (anything else cancels): `)).trim();
      return { ok: typed === plan.confirmWord, typed };
    }
    const answer = (await rl.question('\nApply? [y/N] ')).trim().toLowerCase();
    return { ok: answer === 'y' || answer === 'yes' };
  } finally {
    rl.close();
  }
}

async function listActions(service: RoadsideService, json: boolean | undefined): Promise<number> {
  const list = await service.call('actions.list', {});
  if (json) printJson(list);
  else
    process.stdout.write(
      formatTable(
        ['ACTION', 'KIND', 'PARAMS', 'WHAT'],
        list.map((a) => [
          a.id,
          `${a.mode}${a.destructive === true ? ', typed' : a.destructive === 'depends' ? ', typed at 0' : ''}`,
          a.params.map((p) => `${p.name}${p.required ? '' : `=${p.default ?? '…'}`}`).join(' ') || '—',
          a.title.en,
        ]),
      ),
    );
  return EXIT_OK;
}

export async function runAct(action: string | undefined, opts: ActOptions): Promise<number> {
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  try {
    if (!action) return await listActions(service, opts.json);
    const { actionId, params, checkTarget } = resolveAction(action, opts.target, parseParams(opts.param));
    const desk = actionDeskFor(service);
    if (opts.readOnly) desk.forceReadOnly = true;
    if (opts.incident) await service.call('incidents.setActive', { id: opts.incident });
    const plan = await service.call('actions.preview', {
      actionId,
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(Object.keys(params).length ? { params } : {}),
    });
    if (checkTarget && !plan.target.includes(checkTarget) && plan.confirmWord !== checkTarget) {
      throw new CliError(`--target ${checkTarget} does not match what ${actionId} acts on: ${plan.target}`, EXIT_USAGE);
    }
    if (!opts.json) printPlan(plan);
    if (opts.dryRun) {
      if (opts.json) printJson({ plan });
      return EXIT_OK;
    }
    if (plan.manual) {
      if (opts.json) printJson({ plan });
      return EXIT_USAGE;
    }
    let typed: string | undefined;
    if (opts.yes) typed = plan.confirmWord;
    else {
      if (!process.stdin.isTTY) {
        if (opts.json) printJson({ plan });
        process.stderr.write(`roadside: not applied: there is no terminal to confirm on. Re-run with --yes to apply this preview${plan.destructive ? ' (destructive)' : ''}.\n`);
        return EXIT_USAGE;
      }
      const answer = await confirmOnTerminal(plan);
      if (!answer.ok) {
        process.stderr.write('Cancelled: nothing was changed.\n');
        return EXIT_USAGE;
      }
      typed = answer.typed;
    }
    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, ...(typed ? { typed } : {}) });
    if (opts.json) printJson({ plan, outcome });
    else printOutcome(outcome);
    return outcome.result === 'succeeded' ? EXIT_OK : EXIT_FINDINGS;
  } catch (err) {
    const code = exitCodeForActionError(err);
    process.stderr.write(`roadside: ${(err as Error).message}\n`);
    return code;
  } finally {
    await service.shutdown();
  }
}

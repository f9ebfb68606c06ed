// The actions of one service: plans waiting for confirmation (by id, single use, expiring),
// the read-only switch of this process (--read-only) on top of the setting, and apply with
// its recording (action log always, the active incident's timeline when there is one).
import { hostname, userInfo } from 'node:os';
import type { ActionAvailability, ActionOutcome, ActionPlan } from '../../shared/actions';
import type { ActionData } from '../../shared/incidents';
import { RoadsideError } from '../errors';
import { appendActionLog } from './action-log';
import { executePlan } from './executor';
import { checkAvailability, previewAction, READ_ONLY_REASON, type ActionTarget, type StoredPlan } from './planner';

export interface ActionDeskDeps {
  dataDir: string;
  settingsReadOnly(): boolean;
  /** Records to the active incident; undefined when none is active. */
  recordToIncident(data: ActionData & { title: string; body: string }): { incidentId: string; entryId: number } | undefined;
  onProgress?(planId: string, step: string, done: number, total: number): void;
  onApplied?(outcome: ActionOutcome): void;
}

export function currentUser(): string {
  try {
    return userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export class ActionDesk {
  /** Set by `--read-only`: blocks actions in this process whatever the setting says. */
  forceReadOnly = false;
  private readonly plans = new Map<string, StoredPlan>();

  constructor(private readonly deps: ActionDeskDeps) {}

  get readOnly(): boolean {
    return this.forceReadOnly || this.deps.settingsReadOnly();
  }

  availability(target: Omit<ActionTarget, 'readOnly' | 'dataDir'>): Promise<ActionAvailability> {
    return checkAvailability({ ...target, readOnly: this.readOnly, dataDir: this.deps.dataDir });
  }

  async preview(target: Omit<ActionTarget, 'readOnly' | 'dataDir'>): Promise<ActionPlan> {
    this.dropExpired();
    const { plan, steps, expectations } = await previewAction({ ...target, readOnly: this.readOnly, dataDir: this.deps.dataDir });
    this.plans.set(plan.planId, { plan, steps, expectations, kc: target.kc, expiresAt: Date.parse(plan.expiresAt) });
    return plan;
  }

  discard(planId: string): boolean {
    return this.plans.delete(planId);
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [id, p] of this.plans) if (p.expiresAt < now) this.plans.delete(id);
  }

  async apply(req: { planId: string; hash: string; confirmed: true; typed?: string }): Promise<ActionOutcome> {
    if (this.readOnly) throw new RoadsideError('read-only', READ_ONLY_REASON);
    this.dropExpired();
    const stored = this.plans.get(req.planId);
    if (!stored) throw new RoadsideError('not-found', 'no preview with that id (it expired, was applied or discarded): preview the action again');
    const { plan } = stored;
    if (req.hash !== plan.hash) throw new RoadsideError('conflict', 'the confirmation names a different plan than the preview: preview the action again');
    if (plan.manual) throw new RoadsideError('invalid-input', `${plan.actionId} cannot run here: ${plan.manual.reason}. Run it yourself: ${plan.manual.command}`);
    if (plan.destructive && plan.confirmWord && req.typed !== plan.confirmWord) {
      throw new RoadsideError('invalid-input', `${plan.actionId} is destructive: type "${plan.confirmWord}" to confirm`);
    }
    // Single use: a second click or a replay cannot apply it twice.
    this.plans.delete(plan.planId);
    const user = currentUser();
    const startedAt = new Date().toISOString();
    const execution = await executePlan(stored, (step, done, total) => this.deps.onProgress?.(plan.planId, step, done, total));
    const finishedAt = new Date().toISOString();
    const failed = execution.error !== undefined;
    const before = Object.fromEntries(execution.records.map((r) => [r.target, r.before]));
    const after = Object.fromEntries(execution.records.map((r) => [r.target, r.after]));
    const message = failed
      ? `${plan.actionId} failed at step ${execution.failedStep}: ${execution.error}`
      : `${plan.actionId} applied to ${plan.target}${execution.files.length ? ` · saved ${execution.files.join(', ')}` : ''}`;
    const outcome: ActionOutcome = {
      planId: plan.planId,
      actionId: plan.actionId,
      context: plan.context,
      namespace: plan.namespace,
      target: plan.target,
      result: failed ? 'failed' : 'succeeded',
      message,
      startedAt,
      finishedAt,
      user,
      before,
      after,
      outputs: execution.outputs,
      files: execution.files,
      ...(failed ? { error: execution.error } : {}),
    };
    let recorded: { incidentId: string; entryId: number } | undefined;
    let incidentError: string | undefined;
    try {
      recorded = this.deps.recordToIncident({
        actionId: plan.actionId,
        target: `${plan.target} (context ${plan.context})`,
        before,
        after,
        result: outcome.result,
        command: execution.commands.join('\n'),
        ...(failed ? { error: execution.error } : {}),
        title: `${failed ? 'FAILED ' : ''}${plan.title.en}: ${plan.target}`.slice(0, 200),
        body: `${message}\nby ${user} on ${plan.context} / ${plan.namespace}`,
      });
    } catch (err) {
      incidentError = (err as Error).message;
    }
    if (recorded) {
      outcome.incidentId = recorded.incidentId;
      outcome.incidentEntryId = recorded.entryId;
    }
    appendActionLog(this.deps.dataDir, {
      at: finishedAt,
      user,
      host: hostname(),
      planId: plan.planId,
      actionId: plan.actionId,
      context: plan.context,
      namespace: plan.namespace,
      target: plan.target,
      params: plan.params,
      result: outcome.result,
      message: incidentError ? `${message} (not recorded to the incident: ${incidentError})` : message,
      before,
      after,
      commands: execution.commands,
      files: execution.files,
      ...(failed ? { error: execution.error } : {}),
      ...(recorded ? { incidentId: recorded.incidentId } : {}),
    });
    this.deps.onApplied?.(outcome);
    return outcome;
  }
}

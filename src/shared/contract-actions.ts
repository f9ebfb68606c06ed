// The actions part of the RoadsideApi contract: request schemas, responses and events.
import { z } from 'zod';
import { ACTION_IDS, type ActionAvailability, type ActionInfo, type ActionLogRecord, type ActionOutcome, type ActionPlan } from './actions';

const contextName = z.string().min(1).max(253);
const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a valid namespace name');
/** Every parameter travels as a string; each action's own schema checks it (shared/actions.ts). */
const actionParams = z.record(z.string().regex(/^[a-zA-Z][\w-]{0,40}$/), z.string().max(4096));

const actionTarget = z
  .object({
    actionId: z.enum(ACTION_IDS),
    context: contextName.optional(),
    namespace: namespaceName.optional(),
    params: actionParams.optional(),
  })
  .strict();

export const actionRequests = {
  'actions.list': z.object({}).strict(),
  'actions.availability': actionTarget,
  /** Reads the cluster and asks the API server for a dry run; changes nothing. */
  'actions.preview': actionTarget,
  'actions.apply': z
    .object({
      planId: z.string().min(8).max(64),
      hash: z.string().regex(/^[a-f0-9]{64}$/),
      /** The engineer said yes. */
      confirmed: z.literal(true),
      /** For destructive plans: the target's name, typed. */
      typed: z.string().max(253).optional(),
    })
    .strict(),
  'actions.discard': z.object({ planId: z.string().min(8).max(64) }).strict(),
  'actions.log': z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
} as const;

export type ActionChannel = keyof typeof actionRequests;

export interface ActionResponses {
  'actions.list': ActionInfo[];
  'actions.availability': ActionAvailability;
  'actions.preview': ActionPlan;
  'actions.apply': ActionOutcome;
  'actions.discard': { discarded: boolean };
  'actions.log': ActionLogRecord[];
}

export type ActionEvent =
  | { type: 'action-applied'; outcome: ActionOutcome }
  | { type: 'action-progress'; planId: string; step: string; done: number; total: number };

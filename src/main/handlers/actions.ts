// The actions area of the core: the desk of plans per service, wired to the settings'
// read-only switch, the active incident's timeline and the service's events.
import type { ActionChannel } from '../../shared/contract-actions';
import { DEFAULT_NAMESPACE } from '../../shared/kube';
import { readActionLog } from '../actions/action-log';
import { ActionDesk } from '../actions/desk';
import { listActionInfo } from '../actions/registry';
import type { AreaHandlers, RoadsideService } from '../service';
import { recordActionToActiveIncident } from './incidents';

const desks = new WeakMap<RoadsideService, ActionDesk>();

export function actionDeskFor(service: RoadsideService): ActionDesk {
  let desk = desks.get(service);
  if (!desk) {
    desk = new ActionDesk({
      dataDir: service.dataDir,
      settingsReadOnly: () => service.settings.get().readOnly,
      recordToIncident: (data) => {
        const entry = recordActionToActiveIncident(service, data);
        return entry ? { incidentId: entry.incidentId, entryId: entry.id } : undefined;
      },
      onProgress: (planId, step, done, total) => service.emit({ type: 'action-progress', planId, step, done, total }),
      onApplied: (outcome) => service.emit({ type: 'action-applied', outcome }),
    });
    desks.set(service, desk);
  }
  return desk;
}

/** The context and namespace an action works on: as asked, else the selection in Roadside. */
async function resolveTarget(service: RoadsideService, req: { context?: string; namespace?: string }) {
  const { name, kc } = await service.kubeConfigFor(req.context);
  let namespace = req.namespace;
  if (!namespace) {
    const selected = (await service.call('contexts.list', {})).selected;
    const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || undefined;
    namespace = (selected.context === name ? selected.namespace : undefined) ?? contextNamespace ?? DEFAULT_NAMESPACE;
  }
  return { context: name, kc, namespace };
}

export function createActionHandlers(service: RoadsideService): AreaHandlers<ActionChannel> {
  const desk = () => actionDeskFor(service);
  return {
    'actions.list': async () => listActionInfo(),
    'actions.availability': async (req) => desk().availability({ actionId: req.actionId, params: req.params ?? {}, ...(await resolveTarget(service, req)) }),
    'actions.preview': async (req) => desk().preview({ actionId: req.actionId, params: req.params ?? {}, ...(await resolveTarget(service, req)) }),
    'actions.apply': async (req) => desk().apply(req),
    'actions.discard': async ({ planId }) => ({ discarded: desk().discard(planId) }),
    'actions.log': async ({ limit }) => readActionLog(service.dataDir, limit ?? 100),
  };
}

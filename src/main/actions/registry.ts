// Every action the app can run, by id, and what the UI and CLI show of each.
import { ACTION_IDS, actionParamSchemas, type ActionId, type ActionInfo, type ActionParamInfo } from '../../shared/actions';
import { emergencyBackup } from './backup';
import { addUserToGroup, migrateRunSyncdb } from './django';
import { helmRollback } from './helm';
import { maintenanceOff, maintenanceOn } from './maintenance';
import { allowFrontendToBackend } from './network-policy';
import { profileBackend, profileMlService } from './profiling';
import { rolloutRestartActions } from './rollout';
import { scaleMlService, setMlServiceResources } from './scaling';
import { rotateJwtSecret } from './secrets';
import { cleanOldFiles, expandPvc } from './storage';
import type { AnyActionDefinition } from './types';

const DEFINITIONS: AnyActionDefinition[] = [
  ...rolloutRestartActions,
  scaleMlService,
  setMlServiceResources,
  expandPvc,
  cleanOldFiles,
  rotateJwtSecret,
  maintenanceOn,
  maintenanceOff,
  emergencyBackup,
  helmRollback,
  allowFrontendToBackend,
  addUserToGroup,
  migrateRunSyncdb,
  profileBackend,
  profileMlService,
];

const BY_ID = new Map<ActionId, AnyActionDefinition>(DEFINITIONS.map((d) => [d.id, d]));

export function actionDefinition(id: ActionId): AnyActionDefinition {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`no action ${id}`);
  return def;
}

/** Names, defaults and required-ness of an action's parameters, read from its schema. */
function paramInfo(def: AnyActionDefinition): ActionParamInfo[] {
  const schema = actionParamSchemas[def.id as ActionId];
  const shape = (schema as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> }).shape;
  return Object.entries(shape).map(([name, field]) => {
    const empty = field.safeParse(undefined);
    return {
      name,
      required: !empty.success,
      ...(empty.success && empty.data !== undefined ? { default: String(empty.data) } : {}),
      description: def.paramDocs[name] ?? { es: name, en: name },
    };
  });
}

export function listActionInfo(): ActionInfo[] {
  return ACTION_IDS.map((id) => {
    const def = actionDefinition(id);
    return { id, title: def.title, runbook: def.runbook, mode: def.mode, destructive: def.destructive, params: paramInfo(def) };
  });
}

export function registeredActionIds(): ActionId[] {
  return DEFINITIONS.map((d) => d.id);
}

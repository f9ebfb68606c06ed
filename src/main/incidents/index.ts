// The incident store's public surface; types live in src/shared/incidents.ts.
export { IncidentStore, type IncidentStoreOptions, type NewAttachment, type NewDiagnosticRun } from './store';
export { DATABASE_FILE_NAME, LATEST_SCHEMA_VERSION, openIncidentDatabase, type OpenDatabaseOptions } from './database';
export { MIGRATIONS, checkMigrationRegistry, type Migration } from './migrations';
export { type ClusterEventLike } from './cluster-events';
export {
  AttachmentUnavailableError,
  CorruptDatabaseError,
  ImportRefusedError,
  IncidentNotFoundError,
  IncidentStoreError,
  InvalidIncidentInputError,
  InvalidTransitionError,
  NewerDatabaseError,
  TooLargeError,
  type IncidentStoreReason,
} from './errors';

import { initialSchema } from './001-initial';
import { pinsAndClusterEvents } from './002-pins-and-cluster-events';
import { attachmentsAndSearch } from './003-attachments-and-search';
import type { Migration } from './types';

export type { Migration } from './types';

/** Every schema version in order; a new version is a new file appended here. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, pinsAndClusterEvents, attachmentsAndSearch];

/** Throws unless versions run 1, 2, 3… without gaps or repeats. */
export function checkMigrationRegistry(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration registry out of order: position ${index + 1} holds version ${migration.version} (${migration.name})`,
      );
    }
  });
}

checkMigrationRegistry(MIGRATIONS);

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

// SSH key passphrases remembered by the desktop app, encrypted with Electron's safeStorage (the
// OS keychain). safeStorage is handed in by the Electron entry, so this file needs no electron import.
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../data-folder';
import type { SshSecretVault } from '../ssh/access';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** A vault in <data>/ssh/secrets.json holding only safeStorage ciphertexts; none without OS encryption. */
export function createSafeStorageVault(safeStorage: SafeStorageLike, dataDir: string): SshSecretVault | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  const file = join(dataDir, 'ssh', 'secrets.json');
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readTextIfExists(file) ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    read(id) {
      const sealed = read()[id];
      if (!sealed) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        return undefined;
      }
    },
    write(id, secret) {
      const all = read();
      all[id] = safeStorage.encryptString(secret).toString('base64');
      writeFileAtomic(file, JSON.stringify(all, null, 2) + '\n');
    },
  };
}

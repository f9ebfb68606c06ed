import { join } from 'node:path';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../shared/contract';
import { readTextIfExists, writeFileAtomic } from './data-folder';

/**
 * The engineer's choices (language, theme, added kubeconfigs, selected context),
 * kept in the data folder: switching context never writes a kubeconfig.
 */
export class SettingsStore {
  private current: Settings;
  /** Set when the file on disk could not be read; the UI shows it. */
  readonly loadProblem?: string;

  constructor(private readonly dataDir: string) {
    const file = this.file();
    const text = readTextIfExists(file);
    let loaded: Settings = { ...DEFAULT_SETTINGS };
    if (text !== undefined) {
      try {
        const parsed = settingsSchema.partial().safeParse(JSON.parse(text));
        if (parsed.success) loaded = { ...DEFAULT_SETTINGS, ...parsed.data };
        else this.loadProblem = `${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}; defaults used`;
      } catch (err) {
        this.loadProblem = `${file}: ${(err as Error).message}; defaults used`;
      }
    }
    this.current = loaded;
  }

  file(): string {
    return join(this.dataDir, 'settings.json');
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  update(patch: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.current, ...patch });
    writeFileAtomic(this.file(), JSON.stringify(next, null, 2) + '\n');
    this.current = next;
    return this.get();
  }
}

/**
 * The settings file, read and written. Reads go through src/config/file.ts (fs and zod, no conf);
 * writes go through conf (atomic write, 0600). Loaded with a dynamic import by `config`: importing
 * this module loads conf and ajv (~150 files), so code that only reads the settings (the runner)
 * imports src/config/file.ts instead.
 */
import Conf from 'conf';
import { configFileError, PROJECT_NAME, readSettingsFile, readSettingsLeniently, settingsPath, type SettingProblem } from './file.js';
import type { SettingKey, Settings } from './settings.js';
import { UsageError } from '../errors.js';

export interface SettingsStore {
  /** Absolute path of the file (it may not exist yet). */
  readonly path: string;
  /** The settings, validated. @throws UsageError naming the file and the bad key. */
  read(): Settings;
  /** The good settings and the bad values, each checked on its own (see readSettingsLeniently). */
  readLeniently(): { settings: Settings; problems: SettingProblem[] };
  set<K extends SettingKey>(key: K, value: NonNullable<Settings[K]>): void;
  unset(key: SettingKey): void;
}

/**
 * Opens the settings file in `configDir` (default: conf's per-OS location for "aistudio-key").
 * Nothing is read until `read`, `set` or `unset`.
 * @throws UsageError (from `set`/`unset`) when the file exists but is not JSON; ConfigFileError when
 *   the file or its directory cannot be made or written (read-only, a HOME that cannot hold it).
 */
export function openSettingsStore(configDir: string | undefined): SettingsStore {
  const options = {
    projectName: PROJECT_NAME,
    projectSuffix: '',
    ...(configDir ? { cwd: configDir } : {}),
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
  };
  // conf reads the file when constructed: only a write constructs it.
  let conf: Conf<Record<string, unknown>> | undefined;
  const writer = (): Conf<Record<string, unknown>> => {
    if (conf) return conf;
    try {
      conf = new Conf<Record<string, unknown>>(options);
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new UsageError(`The aistudio-key config file ${path} is not valid JSON (${error.message}); fix or delete it.`, { cause: error });
      }
      throw configFileError(error, path, 'write');
    }
    return conf;
  };
  /** A write, its file-system failures (EACCES, EROFS, ENOSPC…) named as such rather than as a bug. */
  const write = (fn: (c: Conf<Record<string, unknown>>) => void): void => {
    const c = writer();
    try {
      fn(c);
    } catch (error) {
      throw typeof (error as { code?: unknown }).code === 'string' ? configFileError(error, path, 'write') : error;
    }
  };
  // The path conf writes to (test/unit/config-store.test.ts checks the two agree).
  const path = settingsPath(configDir);
  return {
    path,
    read: () => readSettingsFile(path),
    readLeniently: () => readSettingsLeniently(path),
    set(key, value) {
      write((c) => c.set(key, value));
    },
    unset(key) {
      write((c) => c.delete(key));
    },
  };
}

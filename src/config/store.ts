/**
 * The conf-backed settings file. Loaded with a dynamic import by the commands that need it: conf
 * pulls in ajv, which `--help` and `--version` should not pay for.
 */
import Conf from 'conf';
import { UsageError } from '../errors.js';
import { SETTING_FLAGS, settingsSchema, type SettingKey, type Settings } from './settings.js';

export interface SettingsStore {
  /** Absolute path of the file (it may not exist yet). */
  readonly path: string;
  /** The settings, validated. @throws UsageError naming the file and the bad key. */
  read(): Settings;
  set<K extends SettingKey>(key: K, value: NonNullable<Settings[K]>): void;
  unset(key: SettingKey): void;
}

/**
 * Opens the settings file in `configDir` (default: conf's per-OS location for "aistudio-key").
 * @throws UsageError when the file exists but is not JSON.
 */
export function openSettingsStore(configDir: string | undefined): SettingsStore {
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf<Record<string, unknown>>({
      projectName: 'aistudio-key',
      projectSuffix: '',
      ...(configDir ? { cwd: configDir } : {}),
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
    });
  } catch (error) {
    throw new UsageError(`The aistudio-key config file is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix or delete it.`, { cause: error });
  }
  return {
    path: conf.path,
    read() {
      const parsed = settingsSchema.safeParse(conf.store);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      const key = String(issue?.path[0] ?? '');
      const flag = SETTING_FLAGS[key as SettingKey] ?? key;
      throw new UsageError(`config ${flag} in ${conf.path}: ${issue?.message ?? 'invalid'}; fix it with \`aistudio-key config set ${flag} <value>\``);
    },
    set(key, value) {
      conf.set(key, value);
    },
    unset(key) {
      conf.delete(key);
    },
  };
}

/**
 * Reading aistudio-key's settings file without conf: the same file conf writes (src/config/store.ts),
 * read with fs and checked with the zod schema. Every command reads its defaults through here; conf
 * (and the ajv it pulls in, ~150 files) loads only for `config set` and `config unset`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SETTING_FLAGS, settingsSchema, type SettingKey, type Settings } from './settings.js';

/** conf's `projectName` for this CLI (with `projectSuffix: ''`). */
export const PROJECT_NAME = 'aistudio-key';

/** Where the defaults come from when no directory is given: conf reads the same (via env-paths). */
export interface PlatformPaths {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

/**
 * The settings file: `<configDir>/config.json`, or conf's per-OS location for "aistudio-key" (env-paths'
 * config directory: $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Preferences on macOS,
 * %APPDATA%\…\Config on Windows). test/unit/config-store.test.ts checks it against conf's own `path`.
 */
export function settingsPath(configDir: string | undefined, paths?: PlatformPaths): string {
  return resolve(configDir || defaultConfigDir(paths ?? processPaths()), 'config.json');
}

/**
 * The running process's platform, environment and home: deps.configDir undefined means "conf's
 * default", which conf (env-paths) computes from these very values, so they are read the same way.
 */
function processPaths(): PlatformPaths {
  // eslint-disable-next-line no-restricted-properties -- mirrors conf/env-paths, which read process.env themselves
  return { platform: process.platform, env: process.env, homedir: homedir() };
}

function defaultConfigDir({ platform, env, homedir: home }: PlatformPaths): string {
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', PROJECT_NAME);
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), PROJECT_NAME, 'Config');
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), PROJECT_NAME);
}

/**
 * Reads and validates the settings file at `path`; an absent file is no settings. Creates nothing.
 * @throws UsageError when the file is not JSON, not an object, unreadable, or a value is invalid.
 */
export function readSettingsFile(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return {};
    throw new UsageError(`The aistudio-key config file ${path} cannot be read (${typeof code === 'string' ? code : String(error)}).`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The aistudio-key config file is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix or delete it.`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`The aistudio-key config file ${path} is not valid JSON (expected an object); fix or delete it.`);
  }
  const parsed = settingsSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = SETTING_FLAGS[key as SettingKey] ?? key;
  throw new UsageError(`config ${flag} in ${path}: ${issue?.message ?? 'invalid'}; fix it with \`aistudio-key config set ${flag} <value>\``);
}

/** The settings in `configDir` (or the default location) and the file's path. Never loads conf. */
export function readSettings(configDir: string | undefined): Settings & { path: string } {
  const path = settingsPath(configDir);
  return { ...readSettingsFile(path), path };
}

/**
 * Reading aistudio-key's settings file without conf: the same file conf writes (src/config/store.ts),
 * read with fs and checked with the zod schema. Every command reads its defaults through here; conf
 * (and the ajv it pulls in, ~150 files) loads only for `config set` and `config unset`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AppError, EXIT_CODES, UsageError } from '../errors.js';
import { ENV } from './env.js';
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

/** The config file (or its directory) cannot be read or written: the file system's doing, not a bug (exit 1). */
export class ConfigFileError extends AppError {
  readonly exitCode = EXIT_CODES.failure;
  readonly code = 'config_file';
}

/** What to do when the config location is unusable. */
const ELSEWHERE = `set ${ENV.configDir} to a directory you can write (or fix its permissions)`;

/**
 * A file-system failure on the config file or its directory, as a ConfigFileError naming the path.
 * @param doing 'read' or 'write'.
 */
export function configFileError(error: unknown, path: string, doing: 'read' | 'write'): ConfigFileError {
  const code = (error as { code?: unknown }).code;
  const why = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  const what = doing === 'read' ? `read the aistudio-key config file ${path}` : `write the aistudio-key config file ${path} (directory ${dirname(path)})`;
  return new ConfigFileError(`Cannot ${what} (${why}).`, { hints: [`To keep aistudio-key's defaults elsewhere, ${ELSEWHERE}.`], cause: error });
}

/** A stored value that fails its check: the key (settings field) and the error naming it, the file and the fix. */
export interface SettingProblem {
  key: SettingKey;
  error: UsageError;
}

/**
 * The file's JSON object, unchecked; an absent file (or a directory that cannot exist) is `{}`.
 * @throws UsageError when it is not a JSON object; ConfigFileError when it cannot be read.
 */
function readObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // ENOTDIR: a file stands where a directory on the path should be, so no config file can be there.
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    throw configFileError(error, path, 'read');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The aistudio-key config file ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix or delete it.`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`The aistudio-key config file ${path} is not valid JSON (expected an object); fix or delete it.`);
  }
  return data as Record<string, unknown>;
}

/**
 * Reads the settings file at `path`, checking each value on its own: good values are returned, bad
 * ones reported, so a bad value blocks only what uses it (never the `config set` that fixes it).
 * Creates nothing.
 * @throws UsageError when the file is not a JSON object; ConfigFileError when it cannot be read.
 */
export function readSettingsLeniently(path: string): { settings: Settings; problems: SettingProblem[] } {
  const data = readObject(path);
  const settings: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const key of Object.keys(SETTING_FLAGS) as SettingKey[]) {
    if (!Object.hasOwn(data, key)) continue;
    const parsed = settingsSchema.safeParse({ [key]: data[key] });
    if (parsed.success) {
      settings[key] = parsed.data[key];
      continue;
    }
    const flag = SETTING_FLAGS[key];
    const message = parsed.error.issues[0]?.message ?? 'invalid';
    problems.push({ key, error: new UsageError(`config ${flag} in ${path}: ${message}; fix it with \`aistudio-key config set ${flag} <value>\` or remove it with \`aistudio-key config unset ${flag}\``) });
  }
  return { settings: settings as Settings, problems };
}

/**
 * Reads and validates the settings file at `path`; an absent file is no settings. Creates nothing.
 * @throws UsageError when the file is not JSON, not an object, or a value is invalid (the first
 *   one); ConfigFileError when it cannot be read.
 */
export function readSettingsFile(path: string): Settings {
  const { settings, problems } = readSettingsLeniently(path);
  if (problems[0]) throw problems[0].error;
  return settings;
}

/** The settings in `configDir` (or the default location) and the file's path. Never loads conf. */
export function readSettings(configDir: string | undefined): Settings & { path: string } {
  const path = settingsPath(configDir);
  return { ...readSettingsFile(path), path };
}

/** readSettingsLeniently on the file in `configDir` (or the default location), with its path. */
export function readSettingsAndProblems(configDir: string | undefined): { settings: Settings & { path: string }; problems: SettingProblem[] } {
  const path = settingsPath(configDir);
  const { settings, problems } = readSettingsLeniently(path);
  return { settings: { ...settings, path }, problems };
}

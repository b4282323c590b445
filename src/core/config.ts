/**
 * The `config` use-case: aistudio-key's own defaults (src/config/store.ts). Only the keys below can
 * be stored, and never a credential: a value that looks like a token, an API key secret or a private
 * key is refused, so the file can be shared or committed without leaking anything.
 * Precedence wherever a setting is used: flag > env > this config > the yc profile.
 */
import { UsageError } from '../errors.js';
import { isResourceId } from '../cloud/shapes.js';
import type { SettingKey } from '../config/settings.js';
import { DEFAULT_FORMATS } from '../formats.js';
import type { SettingsStore } from '../config/store.js';
import { credentialShape } from './credential-shape.js';
import { checkExpiry, parseDuration } from './expiry.js';
import { checkCloudId, checkEndpoint, checkFolderName } from './validate.js';

interface KeySpec {
  key: string;
  description: string;
  /** undefined when fine, else what would be right. */
  check(value: string, now: Date): string | undefined;
}

/**
 * Every settable key, by settings field. Typed over SettingKey, so a new setting does not compile
 * until it has a CLI name and a check here.
 */
const SPECS: Readonly<Record<SettingKey, KeySpec>> = {
  folderId: {
    key: 'folder-id',
    description: 'folder to work in when --folder-id/--folder-name and YC_FOLDER_ID/YC_FOLDER_NAME are absent',
    check: (v) =>
      isResourceId(v)
        ? undefined
        : checkFolderName(v) === undefined
          ? `"${v}" is a folder name, not an ID; use \`aistudio-key config set folder-name ${v}\``
          : `expected a folder ID, 20 lowercase letters and digits like b1g0123456789abcdefg, got "${v}"`,
  },
  folderName: { key: 'folder-name', description: 'folder by name (within cloud-id, or your only cloud)', check: checkFolderName },
  cloudId: { key: 'cloud-id', description: 'cloud holding folder-name', check: checkCloudId },
  endpoint: { key: 'endpoint', description: 'API discovery endpoint host:port (default api.cloud.yandex.net:443)', check: checkEndpoint },
  profile: {
    key: 'profile',
    description: 'yc profile to take credentials and defaults from',
    check: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(v) ? undefined : `expected a yc profile name (letters, digits, . _ -), got "${v}"`),
  },
  expiresIn: {
    key: 'expires-in',
    description: 'default lifetime of a new key: a duration like 90d, 12h, 2w, 1y, or never',
    check: (v, now) => {
      if (v === 'never') return undefined;
      const ms = parseDuration(v);
      if (ms === undefined) return `expected a duration like 90d, 12h, 2w or 1y, or never, got "${v}"`;
      return checkExpiry(new Date(now.getTime() + ms), now);
    },
  },
  format: {
    key: 'format',
    description: `default output format: ${DEFAULT_FORMATS.join(', ')} (a command that cannot print it uses text)`,
    check: (v) => ((DEFAULT_FORMATS as readonly string[]).includes(v) ? undefined : `expected one of ${DEFAULT_FORMATS.join(', ')}, got "${v}"`),
  },
};

const SETTING_KEYS = Object.keys(SPECS) as SettingKey[];

/** The CLI names of every settable key, in display order. */
export const CONFIG_KEYS: readonly string[] = SETTING_KEYS.map((k) => SPECS[k].key);

/** Each key with its description, for help text. */
export function configKeyHelp(): Array<{ key: string; description: string }> {
  return SETTING_KEYS.map((k) => ({ key: SPECS[k].key, description: SPECS[k].description }));
}

const NO_CREDENTIALS =
  'aistudio-key never stores credentials; pass a token through YC_IAM_TOKEN or --iam-token-file, a key file through YC_SERVICE_ACCOUNT_KEY_FILE, or keep it in a yc profile (`aistudio-key config set profile <name>`)';

/** Key names that ask for a credential. */
const SECRET_KEY = /token|secret|password|passwd|credential|private|api-?key|sa-?key|key-?file/i;

/**
 * The settings field a CLI key names.
 * @throws UsageError for a key that is not in the allow-list, saying which keys exist (and, for a
 *   credential-sounding key, that credentials are never stored).
 */
export function settingFor(key: string): SettingKey {
  const shape = credentialShape(key);
  if (shape) throw new UsageError(`<key>: that looks like ${shape}, not a key; ${NO_CREDENTIALS}`);
  const hit = SETTING_KEYS.find((k) => SPECS[k].key === key);
  if (hit) return hit;
  const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');
  const near = SETTING_KEYS.find((k) => SPECS[k].key === kebab);
  if (near) throw new UsageError(`<key>: unknown key "${key}"; did you mean ${SPECS[near].key}?`);
  if (SECRET_KEY.test(key)) throw new UsageError(`<key>: "${key}" cannot be stored: ${NO_CREDENTIALS}`);
  throw new UsageError(`<key>: unknown key "${key}"; the keys are ${CONFIG_KEYS.join(', ')}`);
}

/**
 * Checks a value for a key. Credentials first, and without echoing the value: the message must not
 * put the token it refuses on the screen.
 * @throws UsageError naming the key.
 */
export function checkConfigValue(setting: SettingKey, value: string, now: Date): void {
  const spec = SPECS[setting];
  const shape = credentialShape(value);
  if (shape) throw new UsageError(`<value>: the value for ${spec.key} looks like ${shape}; ${NO_CREDENTIALS}`);
  if (value.trim() === '') throw new UsageError(`<value>: ${spec.key} must not be empty; to remove it run \`aistudio-key config unset ${spec.key}\``);
  const problem = spec.check(value, now);
  if (problem) throw new UsageError(`<value>: ${spec.key}: ${problem}`);
}

export type ConfigResult =
  /** `cleared`: the key that set removed because the two exclude each other (folder-id and folder-name, as in yc). */
  | { action: 'set'; key: string; value: string; cleared: string | undefined; path: string }
  | { action: 'get'; key: string; value: string | undefined; path: string }
  | { action: 'unset'; key: string; removed: boolean; path: string }
  /** Every key, unset ones as undefined. */
  | { action: 'list'; values: Array<{ key: string; value: string | undefined }>; path: string };

/** folder-id and folder-name reset each other, as they do in the yc config. */
const EXCLUSIVE: Partial<Record<SettingKey, SettingKey>> = { folderId: 'folderName', folderName: 'folderId' };

/**
 * `config set <key> <value>`.
 * @throws UsageError (exit 2) for an unknown key, a credential-looking value or a malformed one; nothing is written then.
 */
export function configSet(store: SettingsStore, key: string, value: string, now: Date): ConfigResult {
  const setting = settingFor(key);
  checkConfigValue(setting, value, now);
  // Leniently: a bad stored value (this one or another) must not block the set that fixes it.
  const current = store.readLeniently();
  const other = EXCLUSIVE[setting];
  const stored = (k: SettingKey): boolean => current.settings[k] !== undefined || current.problems.some((p) => p.key === k);
  const cleared = other !== undefined && stored(other) ? other : undefined;
  if (cleared) store.unset(cleared);
  store.set(setting, value as never);
  return { action: 'set', key: SPECS[setting].key, value, cleared: cleared ? SPECS[cleared].key : undefined, path: store.path };
}

/**
 * `config get <key>`: the stored value (undefined when unset); a bad value of another key does not matter.
 * @throws UsageError for an unknown key, a bad value of this key, or a file that is not JSON.
 */
export function configGet(store: SettingsStore, key: string): ConfigResult {
  const setting = settingFor(key);
  const { settings, problems } = store.readLeniently();
  const problem = problems.find((p) => p.key === setting);
  if (problem) throw problem.error;
  const value = settings[setting];
  return { action: 'get', key: SPECS[setting].key, value, path: store.path };
}

/** `config unset <key>`. Works even when the stored value is malformed. @throws UsageError for an unknown key. */
export function configUnset(store: SettingsStore, key: string): ConfigResult {
  const setting = settingFor(key);
  let removed = true;
  try {
    const { settings, problems } = store.readLeniently();
    removed = settings[setting] !== undefined || problems.some((p) => p.key === setting);
  } catch {
    // A file that is not JSON: unsetting is how it gets repaired, so go ahead.
  }
  // Nothing stored: nothing to write (a config directory that cannot be made is no reason to fail).
  if (removed) store.unset(setting);
  return { action: 'unset', key: SPECS[setting].key, removed, path: store.path };
}

/** `config list`: every key, set or not. @throws UsageError for a broken file. */
export function configList(store: SettingsStore): ConfigResult {
  const settings = store.read();
  return { action: 'list', values: SETTING_KEYS.map((k) => ({ key: SPECS[k].key, value: settings[k] })), path: store.path };
}

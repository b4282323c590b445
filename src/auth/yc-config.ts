/**
 * Reading the yc CLI's config file (reference §4.2) and choosing the profile in use: --profile,
 * else YC_PROFILE, else the file's `current`. Read once per resolution by chain.ts.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { ENV } from '../config/env.js';
import type { AuthDeps, AuthFlags, ProfileDefaults } from './types.js';
import { expandHome } from './sa-key.js';
import { errorCode } from './token.js';

export type YcProfileLookup =
  | {
    found: true;
    name: string;
    path: string;
    /** The profile's keys as yc writes them ('folder-id', 'service-account-key'…). */
    profile: Record<string, unknown>;
    /** Chosen with --profile or YC_PROFILE rather than the file's `current`. */
    explicit: boolean;
  }
  /** `error` is set when the config or the chosen profile is broken (not merely absent). */
  | { found: false; path: string; reason: string; explicit: boolean; error?: UsageError };

/** ~/.config/yandex-cloud/config.yaml, or YC_CONFIG_FILE. */
export function ycConfigPath(deps: AuthDeps): string {
  const override = deps.env[ENV.ycConfig]?.trim();
  return override ? expandHome(override, deps.homedir) : join(deps.homedir, '.config', 'yandex-cloud', 'config.yaml');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Finds the yc profile in use. Never throws: a broken config or an unknown profile comes back as
 * `found: false` with `error` set, and the caller decides whether that is fatal (it is when the
 * profile was asked for, or when the chain reaches the profile as its credential source).
 * @returns the profile, or why there is none.
 */
export async function lookupYcProfile(flags: AuthFlags, deps: AuthDeps): Promise<YcProfileLookup> {
  const path = ycConfigPath(deps);
  const requested = flags.profile?.trim() || deps.env[ENV.profile]?.trim() || undefined;
  const explicit = requested !== undefined;
  const how = flags.profile?.trim() ? (flags.profileSource ?? '--profile') : ENV.profile;

  let text: string;
  try {
    text = await deps.readFile(path);
  } catch (err) {
    const reason = `no yc config at ${path} (${errorCode(err) ?? 'read error'})`;
    const error = explicit
      ? new UsageError(`yc profile '${requested}' (from ${how}): ${reason}.`, { hints: [`Create the profile with \`yc init\`, or set ${ENV.ycConfig} to the yc config file.`] })
      : undefined;
    return { found: false, path, reason, explicit, ...(error ? { error } : {}) };
  }

  // yaml (~70 files) loads only when there is a yc config to parse.
  const { parse, YAMLError } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: 'error' });
  } catch (err) {
    // The YAML parser's message quotes the offending line, which may hold a token: give the position only.
    const line = err instanceof YAMLError ? err.linePos?.[0]?.line : undefined;
    const reason = `the yc config ${path} is not valid YAML${line ? ` (line ${line})` : ''}`;
    return { found: false, path, reason, explicit, error: new UsageError(`${reason}.`, { hints: ['Fix it, or check it with `yc config list`.'] }) };
  }
  const config = isRecord(doc) ? doc : {};
  const profiles = isRecord(config['profiles']) ? config['profiles'] : {};
  const current = typeof config['current'] === 'string' && config['current'].trim() ? config['current'].trim() : undefined;
  const name = requested ?? current;
  if (name === undefined) return { found: false, path, reason: `the yc config ${path} has no current profile`, explicit };

  if (!Object.prototype.hasOwnProperty.call(profiles, name)) {
    const existing = Object.keys(profiles);
    const list = existing.length ? `profiles in it: ${existing.join(', ')}` : 'it has no profiles';
    const whose = explicit ? `yc profile '${name}' (from ${how})` : `the current yc profile '${name}'`;
    const reason = `${whose} does not exist in ${path} (${list})`;
    return {
      found: false, path, reason, explicit,
      error: new UsageError(`${reason}.`, { hints: [existing.length ? 'Pass one of them with --profile, or create it with `yc config profile create`.' : 'Create one with `yc init`.'] }),
    };
  }
  const profile = profiles[name];
  return { found: true, name, path, profile: isRecord(profile) ? profile : {}, explicit };
}

/**
 * Folder, cloud and endpoint from a yc profile (`folder-id`, `folder-name`, `cloud-id`, `endpoint`).
 * @returns the defaults labelled `yc-profile:<name>`, or undefined when the profile sets none.
 */
export function ycProfileDefaults(name: string, profile: Record<string, unknown>): ProfileDefaults | undefined {
  const pick = (key: string): string | undefined => {
    const v = profile[key];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const found = { folderId: pick('folder-id'), folderName: pick('folder-name'), cloudId: pick('cloud-id'), endpoint: pick('endpoint') };
  const set = Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined)) as Omit<ProfileDefaults, 'source'>;
  return Object.keys(set).length ? { ...set, source: `yc-profile:${name}` } : undefined;
}

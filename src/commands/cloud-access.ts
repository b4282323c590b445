/**
 * The run's way to the cloud, each step resolved once and only when a command asks: the credential
 * (the chain, with config's profile below --profile and YC_PROFILE), the endpoint (flag > env >
 * config > yc profile > default), and the connected gateway, which close() shuts.
 */
import type { ResolvedAuth } from '../auth/types.js';
import type { Connection } from '../cloud/types.js';
import { ENV } from '../config/env.js';
import { proxyFor } from '../config/proxy.js';
import { sourceName } from '../config/sources.js';
import type { Settings } from '../config/settings.js';
import type { Sourced } from '../core/target.js';
import { checkEndpoint } from '../core/validate.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { DEFAULT_ENDPOINT } from './global.js';
import type { RunState } from './run-state.js';

export interface CloudAccess {
  auth(): Promise<ResolvedAuth>;
  endpoint(): Promise<Sourced>;
  cloud(): Promise<Connection>;
  /** Closes the gateway, if one was opened. */
  close(): void;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export function cloudAccess(
  deps: Deps,
  opts: {
    global: GlobalOptions;
    /** The credentials it finds are masked from then on. */
    state: RunState;
    settings(): Promise<Settings & { path: string }>;
    out: Pick<CommandContext['out'], 'warn' | 'debug'>;
    /** Aborts the connection's calls (Ctrl-C, --timeout). */
    signal: AbortSignal;
    /** Cancels every call still running, clean-up included (the clean-up's bound ran out). */
    abandonSignal: AbortSignal;
  },
): CloudAccess {
  const { global, state, settings, out } = opts;
  const debug = out.debug;
  let connection: Connection | undefined;
  const auth = once(async (): Promise<ResolvedAuth> => {
    const s = await settings();
    // Config's profile ranks below --profile and YC_PROFILE (which the chain reads itself), and is named as config's.
    const fromConfig = global.auth.profile === undefined && !deps.env[ENV.profile] && s.profile !== undefined;
    const flags = fromConfig ? { ...global.auth, profile: s.profile, profileSource: sourceName.config('profile', s.path), profileIsDefault: true } : global.auth;
    const { resolveCredential } = await import('../auth/chain.js');
    const resolved = await resolveCredential(flags, deps);
    for (const w of resolved.warnings ?? []) out.warn(w);
    const c = resolved.credential;
    if (c.kind === 'sa-key') state.redactor.add(c.key.privateKey);
    else state.redactor.add(c.token);
    debug(`credential: ${c.kind} from ${c.source} (tried: ${resolved.tried.join(', ')})`);
    return resolved;
  });

  const endpoint = once(async (): Promise<Sourced> => {
    if (global.endpoint) return global.endpoint;
    const s = await settings();
    const candidates: Sourced[] = [];
    if (s.endpoint) candidates.push({ value: s.endpoint, source: sourceName.config('endpoint', s.path) });
    else {
      const defaults = (await auth()).defaults;
      if (defaults?.endpoint) candidates.push({ value: defaults.endpoint, source: sourceName.ycProfile('endpoint', defaults.source) });
    }
    const chosen = candidates[0] ?? { value: DEFAULT_ENDPOINT, source: 'default' };
    const problem = checkEndpoint(chosen.value);
    if (problem) throw new UsageError(`${chosen.source}: ${problem}`);
    return chosen;
  });

  const cloud = once(async (): Promise<Connection> => {
    const [resolved, ep] = await Promise.all([auth(), endpoint()]);
    const caPem = global.caFile === undefined ? undefined : await readCa(deps, global.caFile);
    debug(`endpoint: ${ep.value} (${ep.source})`);
    connection = await deps.connect({
      endpoint: ep.value,
      caPem,
      credential: resolved.credential,
      proxyFor: (host, port) => proxyFor(host, port, deps.env),
      debug: global.debug ? debug : undefined,
      warn: out.warn,
      sleep: deps.sleep,
      now: deps.now,
      retries: global.retries,
      signal: opts.signal,
      abandonSignal: opts.abandonSignal,
    });
    debug(`caller: ${connection.identity.kind} ${connection.identity.id ?? '(unknown id)'}`);
    return connection;
  });

  return { auth, endpoint, cloud, close: () => connection?.gateway.close() };
}

async function readCa(deps: Deps, path: string): Promise<Buffer> {
  try {
    const pem = await deps.readFile(path);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file: "${path}" holds no PEM certificate`);
    return Buffer.from(pem);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--ca-file: cannot read "${path}" (${typeof code === 'string' ? code : String(error)})`);
  }
}

/**
 * Root options, shared by every command: credentials (passed to the auth chain), endpoint and TLS,
 * debug, deadlines. Validated by hand so that parsing them needs no zod.
 */
import { UsageError } from '../errors.js';
import { ENV } from '../config/env.js';
import { sourceName } from '../config/sources.js';
import { parseDuration } from '../core/expiry.js';
import { checkEndpoint } from '../core/validate.js';
import type { FlagSpec } from './define.js';
import type { GlobalOptions } from './context.js';

export const DEFAULT_ENDPOINT = 'api.cloud.yandex.net:443';

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  iamToken: { flags: '--iam-token <token>', description: `IAM token (t1.…); prefer ${ENV.iamToken} or --iam-token-file - to keep it out of argv` },
  iamTokenFile: { flags: '--iam-token-file <path>', description: 'read the IAM token from a file, or from stdin with -' },
  oauthToken: { flags: '--oauth-token <token>', description: 'OAuth token (y0_…), legacy: exchanged for an IAM token' },
  saKeyFile: { flags: '--sa-key-file <path>', description: 'authorized key JSON of a service account (yc iam key create -o key.json)' },
  federatedToken: { flags: '--federated-token <jwt|@file>', description: 'external OIDC token for workload identity federation (with --service-account-id)' },
  serviceAccountId: { flags: '--service-account-id <id>', description: 'service account to act as through workload identity federation' },
  profile: { flags: '--profile <name>', description: 'yc CLI profile to take credentials and defaults from' },
  endpoint: { flags: '--endpoint <host:port>', description: `API discovery endpoint (default ${DEFAULT_ENDPOINT})`, env: ENV.endpoint },
  caFile: { flags: '--ca-file <path>', description: `PEM file of a private CA to trust (grpc's ${ENV.grpcRoots} works too)` },
  timeout: { flags: '--timeout <duration>', description: 'give up (and clean up) after this long, e.g. 5m' },
  retries: { flags: '--retries <n>', description: 'retries of transient failures per call (default 3)' },
  debug: { flags: '--debug', description: 'log calls on stderr, secrets redacted; print stacks of internal errors' },
  // gh's conventions: colour follows the terminal, NO_COLOR and FORCE_COLOR; the flag beats them all.
  color: { flags: '--no-color', description: 'no colour and no spinner, even with FORCE_COLOR (NO_COLOR=1 does the same)' },
  quiet: { flags: '-q, --quiet', description: 'no progress, notes or hints on stderr; warnings and errors still show' },
};

type Raw = Record<string, unknown>;

/**
 * Flags whose value is itself a credential, and where the credential can come from instead. A
 * command line is visible to every user of the machine (`ps`, /proc/<pid>/cmdline) while the
 * program runs, so such a value earns a warning; it is also masked from the start of the run.
 */
export const CREDENTIAL_VALUE_FLAGS = {
  iamToken: { flag: '--iam-token', instead: `${ENV.iamToken}, or --iam-token-file - (stdin)` },
  oauthToken: { flag: '--oauth-token', instead: ENV.oauthToken },
  // `@file` and `@-` name where the token is; only a bare JWT puts it on the command line.
  federatedToken: { flag: '--federated-token', instead: '--federated-token @<file> or @- (stdin)', unlessPrefix: '@' },
} as const satisfies Record<string, { flag: string; instead: string; unlessPrefix?: string }>;

/** The credential values given on the command line (for the redactor). */
export function credentialFlagValues(raw: Raw): string[] {
  return Object.keys(CREDENTIAL_VALUE_FLAGS).flatMap((key) => {
    const value = raw[key];
    return typeof value === 'string' ? [value] : [];
  });
}

/** One warning per credential given as a flag value. */
export function credentialFlagWarnings(raw: Raw): string[] {
  return Object.entries(CREDENTIAL_VALUE_FLAGS).flatMap(([key, spec]) => {
    const value = raw[key];
    if (typeof value !== 'string' || ('unlessPrefix' in spec && value.startsWith(spec.unlessPrefix))) return [];
    return [`${spec.flag} puts the token on the command line, where every user of this machine can read it (ps) while aistudio-key runs; pass it in ${spec.instead} instead.`];
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Validates the root options: their values as the runner collects them (a flag, else its `env`
 * variable), and where each came from, for messages.
 * @throws UsageError naming the flag or variable.
 */
export function parseGlobalOptions(raw: Raw, sources: Readonly<Record<string, string>>): GlobalOptions {
  let endpoint: GlobalOptions['endpoint'];
  const endpointValue = str(raw.endpoint);
  if (endpointValue !== undefined) endpoint = { value: endpointValue, source: sources.endpoint ?? sourceName.flag('--endpoint') };
  if (endpoint) {
    const problem = checkEndpoint(endpoint.value);
    if (problem) throw new UsageError(`${endpoint.source}: ${problem}`);
  }

  let timeoutMs: number | undefined;
  const timeout = str(raw.timeout);
  if (timeout !== undefined) {
    timeoutMs = parseDuration(timeout);
    if (timeoutMs === undefined) throw new UsageError(`--timeout: expected a duration like 90s, 5m or 1h, got "${timeout}"`);
  }

  let retries: number | undefined;
  const r = str(raw.retries);
  if (r !== undefined) {
    if (!/^\d+$/.test(r) || Number(r) > 10) throw new UsageError(`--retries: expected a whole number from 0 to 10, got "${r}"`);
    retries = Number(r);
  }

  for (const key of ['iamToken', 'oauthToken', 'iamTokenFile', 'saKeyFile', 'profile', 'caFile'] as const) {
    const v = str(raw[key]);
    if (v !== undefined && v.trim() === '') throw new UsageError(`${GLOBAL_FLAGS[key]?.flags.split(' ')[0] ?? key}: must not be empty`);
  }

  return {
    auth: {
      iamToken: str(raw.iamToken),
      iamTokenFile: str(raw.iamTokenFile),
      oauthToken: str(raw.oauthToken),
      saKeyFile: str(raw.saKeyFile),
      federatedToken: str(raw.federatedToken),
      serviceAccountId: str(raw.serviceAccountId),
      profile: str(raw.profile),
    },
    endpoint,
    caFile: str(raw.caFile),
    debug: raw.debug === true,
    noColor: raw.color === false,
    quiet: raw.quiet === true,
    timeoutMs,
    retries,
  };
}

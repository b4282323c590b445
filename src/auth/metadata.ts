/**
 * Source 5: the metadata service of Compute VMs, Cloud Functions and Serverless Containers
 * (reference §4.1, §11.2). Tried last with a 1 s budget for everything, so a laptop never hangs on it.
 * We fetch it ourselves: the SDK's MetadataTokenService has no timeout and keeps the process alive 30 s.
 */
import { AuthError, UsageError } from '../errors.js';
import { ENV } from '../config/env.js';
import type { Credential } from '../cloud/types.js';
import type { AuthDeps } from './types.js';
import type { CredentialSource } from './source.js';
import { httpGet, type HttpAnswer } from './http-get.js';
import { errorCode } from './token.js';

export const DEFAULT_METADATA_ADDR = '169.254.169.254';
/** Total budget of one metadata lookup (token and folder together). */
export const METADATA_TIMEOUT_MS = 1000;
const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
const FOLDER_PATH = '/computeMetadata/v1/yandex/folder-id';
const HEADERS = { 'Metadata-Flavor': 'Google', Accept: 'application/json' };

export type MetadataLookup =
  | { found: true; credential: Credential; folderId: string | undefined }
  /** `reason` is short and secret-free ("no answer within 1 s"); `answered` tells a live service from silence. */
  | { found: false; reason: string; answered: boolean };

/**
 * The metadata service's base URL: `http://` + YC_METADATA_ADDR (host[:port], as the Go SDK reads
 * it; a full http:// URL is accepted too), default 169.254.169.254.
 * @throws UsageError when YC_METADATA_ADDR is not a host[:port].
 */
export function metadataBaseUrl(deps: AuthDeps): URL {
  const addr = deps.env[ENV.metadataAddr]?.trim() || DEFAULT_METADATA_ADDR;
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(addr) ? addr : `http://${addr}`);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UsageError(`${ENV.metadataAddr} must be host[:port] (for example 169.254.169.254 or 127.0.0.1:8080).`);
  }
  return new URL(url.origin);
}

function failure(err: unknown): { reason: string; answered: false } {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return { reason: `no answer within ${METADATA_TIMEOUT_MS / 1000} s`, answered: false };
  const code = errorCode(err);
  return { reason: code === 'ECONNREFUSED' ? 'connection refused' : `unreachable (${code ?? 'network error'})`, answered: false };
}

function parseToken(answer: HttpAnswer, deps: AuthDeps): Credential | string {
  if (answer.status === 404) return 'answered 404: no service account is attached to this VM, function or container';
  if (answer.status !== 200) return `answered HTTP ${answer.status}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return 'answered with something other than JSON';
  }
  const { access_token: token, expires_in: expiresIn } = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
  if (typeof token !== 'string' || !token) return 'answered without an access_token';
  const expiresAt = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
    ? new Date(deps.now().getTime() + expiresIn * 1000)
    : undefined;
  return { kind: 'iam-token', source: 'metadata', token, ...(expiresAt ? { expiresAt } : {}) };
}

/**
 * Asks the metadata service for the attached service account's IAM token and, in parallel, the
 * folder ID, within METADATA_TIMEOUT_MS in total. Always sends `Metadata-Flavor: Google`.
 * @returns the credential (`source: 'metadata'`, `expiresAt` from `expires_in`) and folder, or why not.
 * @throws UsageError only when YC_METADATA_ADDR is malformed; every network outcome is a result.
 */
export async function lookupMetadata(deps: AuthDeps): Promise<MetadataLookup> {
  const base = metadataBaseUrl(deps);
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(METADATA_TIMEOUT_MS)]);
  const folder = httpGet(new URL(FOLDER_PATH, base), HEADERS, signal).then(
    (a) => (a.status === 200 && /^[a-z0-9]{1,50}$/i.test(a.body.trim()) ? a.body.trim() : undefined),
    () => undefined,
  );
  try {
    let answer: HttpAnswer;
    try {
      answer = await httpGet(new URL(TOKEN_PATH, base), HEADERS, signal);
    } catch (err) {
      return { found: false, ...failure(err) };
    }
    const parsed = parseToken(answer, deps);
    if (typeof parsed === 'string') return { found: false, reason: parsed, answered: true };
    return { found: true, credential: parsed, folderId: await folder };
  } finally {
    stop.abort();
    await folder;
  }
}

/**
 * The metadata service as the credential a yc profile asks for (`instance-service-account: true`):
 * here absence is an error, not a reason to go on.
 * @returns the credential and the folder the metadata service reports.
 * @throws AuthError (no_credential) saying why the metadata service gave no token.
 */
export async function requireMetadata(deps: AuthDeps, origin: string): Promise<{ credential: Credential; folderId: string | undefined }> {
  const lookup = await lookupMetadata(deps);
  if (lookup.found) return lookup;
  throw new AuthError(`${origin} uses the instance service account, but the metadata service at ${metadataBaseUrl(deps).host} gave no token (${lookup.reason}).`, {
    code: 'no_credential',
    hints: ['Run this on a Yandex Cloud VM, function or container with a service account attached, or pick another yc profile with --profile.'],
  });
}

/** The metadata source, last in the chain. */
export const METADATA_SOURCE: CredentialSource = {
  label: ({ deps }) => `metadata service (${deps.env[ENV.metadataAddr]?.trim() || DEFAULT_METADATA_ADDR})`,
  async resolve(ctx) {
    const lookup = await lookupMetadata(ctx.deps);
    if (!lookup.found) {
      if (lookup.answered) ctx.notes.push(`The metadata service ${lookup.reason}.`);
      return undefined;
    }
    return {
      credential: lookup.credential,
      ...(lookup.folderId ? { defaults: { folderId: lookup.folderId, source: 'metadata' } } : {}),
    };
  },
};

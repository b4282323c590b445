/**
 * Source 3: workload identity federation (reference §4.4). A CI job's OIDC token (GitHub Actions,
 * GitLab `id_tokens`, or `--federated-token`) is exchanged over plain HTTPS for an IAM token of the
 * service account it is linked to. The exchange happens here, not in the gateway: it is not gRPC.
 */
import { AuthError, CloudError, UsageError } from '../errors.js';
import { ENV } from '../config/env.js';
import type { Credential } from '../cloud/types.js';
import { proxyFor } from '../config/proxy.js';
import type { HttpInit } from './http-fetch.js';
import type { AuthDeps } from './types.js';
import type { CredentialSource, SourceContext } from './source.js';
import { redact } from './token.js';

/** The workload identity token endpoint (`auth-main-host`), overridable with YC_TOKEN_EXCHANGE_URL. */
export const DEFAULT_TOKEN_EXCHANGE_URL = 'https://auth.yandex.cloud/oauth/token';
/** Per-request deadline for the OIDC fetch and the exchange: CI must fail, not hang. */
export const FEDERATION_TIMEOUT_MS = 15_000;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SA_ID_HINT = `Give the service account with --service-account-id <id> or ${ENV.serviceAccountId}.`;

/** The service account to act as: --service-account-id, else YC_SERVICE_ACCOUNT_ID. */
export function serviceAccountIdFor(ctx: SourceContext): string | undefined {
  const id = (ctx.flags.serviceAccountId ?? ctx.deps.env[ENV.serviceAccountId])?.trim();
  return id ? id : undefined;
}

/**
 * Checks that text is one JWT.
 * @returns the trimmed JWT.
 * @throws UsageError when it is empty or not shaped like a JWT (the message never quotes it).
 */
export function federatedTokenFromText(text: string, origin: string): string {
  const jwt = text.trim();
  if (!jwt) throw new UsageError(`${origin} is empty: expected an OIDC token (a JWT).`);
  if (!JWT_SHAPE.test(jwt)) throw new UsageError(`${origin} is not a JWT (three dot-separated base64url parts).`);
  return jwt;
}

/** A loopback host: 127.0.0.0/8, ::1 or localhost. Only there may a federation URL be plain http (test servers). */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** scheme://host/path of a URL, for messages: no query (it may carry a token) and no user info. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Parses a federation URL from `name`. Tokens travel in these requests (the subject token, GitHub's
 * request token), so they must be https; plain http is allowed only to a loopback test server.
 * @throws UsageError (exit 2, before anything is sent) when it is not such a URL.
 */
function federationUrl(raw: string, name: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url) throw new UsageError(`${name} is not a URL: expected https://…`);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  throw new UsageError(`${name}: expected an https:// URL (plain http only to a loopback test server), got ${url.protocol}//${url.host}`);
}

async function send(url: URL, init: Omit<HttpInit, 'signal' | 'proxy'>, what: string, deps: AuthDeps): Promise<Response> {
  const proxy = proxyFor(url.hostname, Number(url.port || (url.protocol === 'https:' ? 443 : 80)), deps.env);
  let res: Response;
  try {
    res = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(FEDERATION_TIMEOUT_MS), ...(proxy ? { proxy } : {}) });
  } catch (err) {
    const timedOut = (err as { name?: string } | null)?.name === 'TimeoutError';
    const via = proxy ? ` through the proxy ${proxy.address} (${proxy.source})` : '';
    throw new CloudError(
      timedOut ? `${what}: ${url.host} did not answer within ${FEDERATION_TIMEOUT_MS / 1000} s${via}.` : `${what}: cannot reach ${url.host}${via}.`,
      { cause: err, hints: [`Retry; if it persists, check the network and proxy settings (${ENV.httpsProxyUpper}, ${ENV.noProxyUpper}) of this machine or runner.`] },
    );
  }
  if (res.status >= 300 && res.status < 400) {
    // Following it would send the token (a 307 re-POSTs the subject token) to wherever it points.
    const location = res.headers.get('location');
    let target: string;
    try {
      target = location ? shown(new URL(location, url)) : 'no location';
    } catch {
      target = 'an invalid location';
    }
    throw new CloudError(`${what}: ${shown(url)} answered with a redirect (HTTP ${res.status}) to ${target}; redirects are not followed, so no token was sent there.`, {
      hints: ['Set the URL the redirect points to, if you trust it, or check for a proxy or captive portal rewriting requests.'],
    });
  }
  return res;
}

async function readJson(res: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await res.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Exchanges an external OIDC token for an IAM token of `serviceAccountId` at the workload identity
 * token endpoint (`POST`, form-encoded RFC 8693 fields, no Authorization header).
 * @returns an `iam-token` credential with `source`, `subject` (the service account) and `expiresAt`.
 * @throws AuthError when the endpoint refuses the token (4xx: no federated credential matches it,
 *   expired token, wrong audience); CloudError when it cannot be reached, times out, redirects,
 *   answers 5xx or answers without a token; UsageError when YC_TOKEN_EXCHANGE_URL is not an https
 *   URL (or http to loopback) or the proxy variable is malformed — before anything is sent.
 */
export async function exchangeFederatedToken(jwt: string, serviceAccountId: string, source: string, deps: AuthDeps): Promise<Credential> {
  const url = federationUrl(deps.env[ENV.tokenExchangeUrl]?.trim() || DEFAULT_TOKEN_EXCHANGE_URL, ENV.tokenExchangeUrl);
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: serviceAccountId,
    subject_token: jwt,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
  });
  const what = `Workload identity token exchange for service account ${serviceAccountId}`;
  const res = await send(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: body.toString(),
  }, what, deps);
  const json = await readJson(res);
  if (!res.ok) {
    const reason = [json?.['error'], json?.['error_description']].filter((v) => typeof v === 'string' && v).join(': ');
    const detail = `HTTP ${res.status}${reason ? `: ${redact(reason)}` : ''}`;
    if (res.status >= 400 && res.status < 500) {
      throw new AuthError(`${what} was refused (${detail}).`, {
        code: 'unauthenticated',
        hints: [
          `Check that a federated credential links service account ${serviceAccountId} to this token's issuer and subject, and that the token's audience is one the federation accepts.`,
        ],
      });
    }
    throw new CloudError(`${what} failed (${detail}).`, { hints: ['Retry in a moment.'] });
  }
  const token = json?.['access_token'];
  if (typeof token !== 'string' || !token) throw new CloudError(`${what}: the answer holds no access_token.`);
  const expiresIn = json?.['expires_in'];
  const expiresAt = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
    ? new Date(deps.now().getTime() + expiresIn * 1000)
    : undefined;
  return {
    kind: 'iam-token',
    source,
    token,
    subject: { type: 'serviceAccount', id: serviceAccountId },
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/**
 * Fetches this GitHub Actions job's OIDC token (`GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…`
 * with `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`). The audience is YC_OIDC_AUDIENCE,
 * else `https://github.com/<GITHUB_REPOSITORY_OWNER>` (GitHub's own default, and the one in
 * Yandex's tutorial), else GitHub's default.
 * @returns the JWT.
 * @throws AuthError when GitHub refuses; CloudError when it cannot be reached, redirects or answers
 *   without a token; UsageError when the URL is not https (or http to loopback).
 */
export async function fetchGithubOidcToken(deps: AuthDeps): Promise<string> {
  const rawUrl = deps.env[ENV.githubOidcUrl]?.trim() ?? '';
  const requestToken = deps.env[ENV.githubOidcToken]?.trim() ?? '';
  const url = federationUrl(rawUrl, ENV.githubOidcUrl);
  const owner = deps.env[ENV.githubRepositoryOwner]?.trim();
  const audience = deps.env[ENV.oidcAudience]?.trim() || (owner ? `https://github.com/${owner}` : undefined);
  if (audience) url.searchParams.set('audience', audience);
  const what = 'GitHub Actions OIDC token request';
  const res = await send(url, { method: 'GET', headers: { Authorization: `bearer ${requestToken}`, Accept: 'application/json' } }, what, deps);
  const json = await readJson(res);
  if (!res.ok) {
    const hint = 'The job needs `permissions: id-token: write`.';
    if (res.status >= 400 && res.status < 500) throw new AuthError(`${what} was refused (HTTP ${res.status}).`, { code: 'unauthenticated', hints: [hint] });
    throw new CloudError(`${what} failed (HTTP ${res.status}).`, { hints: ['Re-run the job.'] });
  }
  const value = json?.['value'];
  if (typeof value !== 'string' || !value) throw new CloudError(`${what}: the answer holds no token ("value").`);
  return federatedTokenFromText(value, 'the GitHub Actions OIDC token');
}

const github: CredentialSource = {
  label: () => `GitHub Actions OIDC (${ENV.githubOidcUrl})`,
  async resolve(ctx) {
    const { env } = ctx.deps;
    if (!env[ENV.githubOidcUrl]?.trim() || !env[ENV.githubOidcToken]?.trim()) return undefined;
    const serviceAccountId = serviceAccountIdFor(ctx);
    if (!serviceAccountId) {
      ctx.notes.push(`This GitHub Actions job can get an OIDC token, but no service account ID was given. ${SA_ID_HINT}`);
      return undefined;
    }
    const jwt = await fetchGithubOidcToken(ctx.deps);
    return { credential: await exchangeFederatedToken(jwt, serviceAccountId, 'federation:github-actions', ctx.deps) };
  },
};

const gitlab: CredentialSource = {
  label: () => `GitLab id_token (${ENV.gitlabIdToken})`,
  async resolve(ctx) {
    const { env } = ctx.deps;
    const serviceAccountId = serviceAccountIdFor(ctx);
    const value = env[ENV.gitlabIdToken]?.trim();
    if (!value) {
      const inGithub = !!env[ENV.githubOidcUrl]?.trim();
      if (serviceAccountId && !inGithub) {
        ctx.notes.push(
          `A service account ID was given but no CI OIDC token is available: in GitHub Actions grant \`permissions: id-token: write\`; ` +
          `in GitLab declare \`id_tokens: ${ENV.gitlabIdToken}: aud: <federation audience>\`.`,
        );
      }
      return undefined;
    }
    if (!serviceAccountId) {
      ctx.notes.push(`${ENV.gitlabIdToken} holds an OIDC token, but no service account ID was given. ${SA_ID_HINT}`);
      return undefined;
    }
    const jwt = federatedTokenFromText(value, ENV.gitlabIdToken);
    return { credential: await exchangeFederatedToken(jwt, serviceAccountId, 'federation:gitlab', ctx.deps) };
  },
};

/** The CI federation sources, in chain order. */
export const FEDERATION_SOURCES: CredentialSource[] = [github, gitlab];

/**
 * The credential chain (STYLE.md §6). Order, first present wins:
 *   1. flags  2. environment  (3. CI federation  4. yc profile  5. metadata service: issue #4)
 * Each source is a small function returning a Credential or undefined.
 */
import { AuthError } from '../errors.js';
import { ENV } from '../config/env.js';
import type { Credential } from '../cloud/types.js';
import type { AuthDeps, AuthFlags, ResolvedAuth } from './types.js';

const OAUTH_PREFIX = /^y\d_/;

/** Tells an OAuth token (`y0_…`) from an IAM token by prefix, as yc and Terraform do for YC_TOKEN. */
export function tokenCredential(token: string, source: string): Credential {
  return OAUTH_PREFIX.test(token) ? { kind: 'oauth-token', source, token } : { kind: 'iam-token', source, token };
}

type Source = (flags: AuthFlags, deps: AuthDeps) => Promise<Credential | undefined> | Credential | undefined;

const SOURCES: Array<[string, Source]> = [
  ['flag --iam-token', (f) => (f.iamToken ? { kind: 'iam-token', source: 'flag:--iam-token', token: f.iamToken.trim() } : undefined)],
  ['flag --oauth-token', (f) => (f.oauthToken ? { kind: 'oauth-token', source: 'flag:--oauth-token', token: f.oauthToken.trim() } : undefined)],
  [`env ${ENV.iamToken}`, (_f, d) => { const v = d.env[ENV.iamToken]; return v ? { kind: 'iam-token', source: `env:${ENV.iamToken}`, token: v.trim() } : undefined; }],
  [`env ${ENV.oauthToken}`, (_f, d) => { const v = d.env[ENV.oauthToken]; return v ? { kind: 'oauth-token', source: `env:${ENV.oauthToken}`, token: v.trim() } : undefined; }],
  [`env ${ENV.token}`, (_f, d) => { const v = d.env[ENV.token]; return v ? tokenCredential(v.trim(), `env:${ENV.token}`) : undefined; }],
];

/**
 * Finds the first credential in the chain.
 * @throws AuthError (exit 3) listing every source tried when none is present.
 */
export async function resolveCredential(flags: AuthFlags, deps: AuthDeps): Promise<ResolvedAuth> {
  const tried: string[] = [];
  for (const [name, source] of SOURCES) {
    tried.push(name);
    const credential = await source(flags, deps);
    if (credential) return { credential, tried, defaults: undefined };
  }
  throw new AuthError(`No Yandex Cloud credential found (tried: ${tried.join(', ')}).`, {
    code: 'no_credential',
    hints: [`Pass --iam-token, or export ${ENV.iamToken}=$(yc iam create-token).`],
  });
}

/**
 * Source 1: credential flags. At most one may be given; each is explicit, so a present but empty
 * or unreadable one is an error rather than a reason to fall through to someone else's credential.
 */
import { UsageError } from '../errors.js';
import type { AuthFlags } from './types.js';
import type { CredentialSource, SourceContext, SourceResult } from './source.js';
import { errorCode, redact, tokenFromText } from './token.js';
import { readAuthorizedKeyFile, expandHome } from './sa-key.js';
import { exchangeFederatedToken, federatedTokenFromText, serviceAccountIdFor } from './federation.js';

const CREDENTIAL_FLAGS: Array<[keyof AuthFlags, string]> = [
  ['iamToken', '--iam-token'],
  ['iamTokenFile', '--iam-token-file'],
  ['oauthToken', '--oauth-token'],
  ['saKeyFile', '--sa-key-file'],
  ['federatedToken', '--federated-token'],
];

/**
 * Checks that at most one credential flag is given.
 * @throws UsageError naming the flags when two or more are.
 */
export function assertOneCredentialFlag(flags: AuthFlags): void {
  const given = CREDENTIAL_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, name]) => name);
  if (given.length > 1) {
    throw new UsageError(`Pass only one credential flag; got ${given.join(' and ')}.`);
  }
}

function nonEmpty(value: string, flag: string): string {
  if (!value.trim()) throw new UsageError(`${flag} is empty.`);
  return value;
}

async function readTextArg(path: string, flag: string, ctx: SourceContext): Promise<string> {
  if (path === '-') return ctx.deps.readStdin();
  try {
    return await ctx.deps.readFile(expandHome(path, ctx.deps.homedir));
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${redact(path, 300)} (${errorCode(err) ?? 'read error'}).`);
  }
}

const iamToken: CredentialSource = {
  label: () => 'flag --iam-token',
  async resolve({ flags }) {
    if (flags.iamToken === undefined) return undefined;
    const token = tokenFromText(flags.iamToken, '--iam-token');
    return { credential: { kind: 'iam-token', source: 'flag:--iam-token', token } };
  },
};

const iamTokenFile: CredentialSource = {
  label: () => 'flag --iam-token-file',
  async resolve(ctx) {
    const path = ctx.flags.iamTokenFile;
    if (path === undefined) return undefined;
    const text = await readTextArg(nonEmpty(path, '--iam-token-file'), '--iam-token-file', ctx);
    const token = tokenFromText(text, path === '-' ? '--iam-token-file - (stdin)' : `--iam-token-file ${redact(path, 300)}`);
    return { credential: { kind: 'iam-token', source: 'flag:--iam-token-file', token } };
  },
};

const oauthToken: CredentialSource = {
  label: () => 'flag --oauth-token',
  async resolve({ flags }) {
    if (flags.oauthToken === undefined) return undefined;
    const token = tokenFromText(flags.oauthToken, '--oauth-token');
    return { credential: { kind: 'oauth-token', source: 'flag:--oauth-token', token } };
  },
};

const saKeyFile: CredentialSource = {
  label: () => 'flag --sa-key-file',
  async resolve(ctx) {
    const path = ctx.flags.saKeyFile;
    if (path === undefined) return undefined;
    const key = await readAuthorizedKeyFile(nonEmpty(path, '--sa-key-file'), '--sa-key-file', ctx.deps);
    return { credential: { kind: 'sa-key', source: 'flag:--sa-key-file', key } };
  },
};

const federatedToken: CredentialSource = {
  label: () => 'flag --federated-token',
  async resolve(ctx): Promise<SourceResult | undefined> {
    const value = ctx.flags.federatedToken;
    if (value === undefined) return undefined;
    const serviceAccountId = serviceAccountIdFor(ctx);
    if (!serviceAccountId) {
      throw new UsageError('--federated-token needs --service-account-id: the service account to act as.');
    }
    nonEmpty(value, '--federated-token');
    const text = value.startsWith('@') ? await readTextArg(value.slice(1), '--federated-token', ctx) : value;
    const jwt = federatedTokenFromText(text, '--federated-token');
    return { credential: await exchangeFederatedToken(jwt, serviceAccountId, 'flag:--federated-token', ctx.deps) };
  },
};

/** The flag sources, in chain order. */
export const FLAG_SOURCES: CredentialSource[] = [iamToken, iamTokenFile, oauthToken, saKeyFile, federatedToken];

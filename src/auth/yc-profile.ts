/**
 * Source 4: the yc CLI profile in use (reference §4.2): `token` (IAM or OAuth by prefix), inline
 * `service-account-key`, `instance-service-account: true` (the metadata service), or a
 * federated login (`federation-id`), for which `yc iam create-token` is asked for a token.
 */
import { AuthError } from '../errors.js';
import type { Credential } from '../cloud/types.js';
import type { AuthDeps } from './types.js';
import type { CredentialSource, SourceResult } from './source.js';
import { parseAuthorizedKey } from './sa-key.js';
import { requireMetadata } from './metadata.js';
import { errorCode, tokenCredential, tokenFromText } from './token.js';

/** How long `yc iam create-token` may take (it can wait for a browser login). */
export const YC_CREATE_TOKEN_TIMEOUT_MS = 60_000;

/**
 * Gets an IAM token for a federated-login profile from the yc CLI:
 * `yc iam create-token --profile <name>`. The token is used, never stored.
 * @returns an `iam-token` credential labelled `yc-profile:<name>`.
 * @throws AuthError (no_credential) when yc is not installed, fails or times out, saying how to get a token instead.
 */
export async function ycCreateToken(name: string, deps: AuthDeps): Promise<Credential> {
  const command = `yc iam create-token --profile ${name}`;
  const instead = `or pass a token some other way: \`${command} | aistudio-key … --iam-token-file -\` on a machine with yc, or a service account key (--sa-key-file).`;
  let stdout: string;
  try {
    ({ stdout } = await deps.execFile('yc', ['iam', 'create-token', '--profile', name], { timeoutMs: YC_CREATE_TOKEN_TIMEOUT_MS }));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      throw new AuthError(`yc profile '${name}' uses federated login, and that needs the yc CLI, which is not on PATH.`, {
        code: 'no_credential',
        hints: [`Install yc (https://yandex.cloud/en/docs/cli/quickstart) and log in with \`yc init\`, ${instead}`],
      });
    }
    const killed = (err as { killed?: boolean } | null)?.killed === true;
    throw new AuthError(
      killed
        ? `\`${command}\` did not finish within ${YC_CREATE_TOKEN_TIMEOUT_MS / 1000} s (it may be waiting for a browser login).`
        : `\`${command}\` failed, so yc profile '${name}' gave no token.`,
      { code: 'no_credential', cause: err, hints: [`Run \`${command}\` yourself to see why (a login may have expired), ${instead}`] },
    );
  }
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (last === undefined) throw new AuthError(`\`${command}\` printed no token.`, { code: 'no_credential', hints: [`Run \`${command}\` yourself to see why.`] });
  return { kind: 'iam-token', source: `yc-profile:${name}`, token: tokenFromText(last, `the output of \`${command}\``) };
}

/** The yc profile source, fourth in the chain. */
export const YC_PROFILE_SOURCE: CredentialSource = {
  async label(ctx) {
    const lookup = await ctx.ycProfile();
    return lookup.found ? `yc profile '${lookup.name}' (${lookup.path})` : `yc config (${lookup.path})`;
  },
  async resolve(ctx): Promise<SourceResult | undefined> {
    const lookup = await ctx.ycProfile();
    if (!lookup.found) {
      if (lookup.error) throw lookup.error;
      return undefined;
    }
    const { name, profile } = lookup;
    const source = `yc-profile:${name}`;
    const token = profile['token'];
    if (typeof token === 'string' && token.trim()) {
      return { credential: tokenCredential(tokenFromText(token, `yc profile '${name}' token`), source) };
    }
    const key = profile['service-account-key'];
    if (key !== undefined && key !== null && key !== '') {
      return { credential: { kind: 'sa-key', source, key: parseAuthorizedKey(key, `yc profile '${name}' service-account-key`) } };
    }
    const instance = profile['instance-service-account'];
    if (instance === true || instance === 'true') {
      const { credential, folderId } = await requireMetadata(ctx.deps, `yc profile '${name}'`);
      return { credential, ...(folderId ? { defaults: { folderId, source: 'metadata' } } : {}) };
    }
    if (profile['federation-id'] !== undefined) return { credential: await ycCreateToken(name, ctx.deps) };
    ctx.notes.push(`yc profile '${name}' holds no credential (token, service-account-key, instance-service-account or federation-id).`);
    return undefined;
  },
};

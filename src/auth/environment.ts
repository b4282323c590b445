/**
 * Source 2: environment variables, as yc and Terraform read them (reference §4.3). An empty
 * variable counts as absent (CI templates often expand a missing secret to ''), with a note.
 */
import { ENV } from '../config/env.js';
import type { Credential } from '../cloud/types.js';
import type { CredentialSource, SourceContext } from './source.js';
import { parseAuthorizedKey, readAuthorizedKeyFile } from './sa-key.js';
import { tokenCredential, tokenFromText } from './token.js';

function read(ctx: SourceContext, name: string): string | undefined {
  const value = ctx.deps.env[name];
  if (value === undefined) return undefined;
  if (!value.trim()) {
    ctx.notes.push(`${name} is set but empty.`);
    return undefined;
  }
  return value;
}

function tokenSource(name: string, make: (token: string, source: string) => Credential): CredentialSource {
  return {
    label: () => `env ${name}`,
    async resolve(ctx) {
      const value = read(ctx, name);
      return value === undefined ? undefined : { credential: make(tokenFromText(value, name), `env:${name}`) };
    },
  };
}

const serviceAccountKey: CredentialSource = {
  label: () => `env ${ENV.serviceAccountKeyFile}`,
  async resolve(ctx) {
    const value = read(ctx, ENV.serviceAccountKeyFile);
    if (value === undefined) return undefined;
    const source = `env:${ENV.serviceAccountKeyFile}`;
    // A path or the JSON itself, as Terraform accepts: a key file's JSON always starts with '{'.
    const key = value.trimStart().startsWith('{')
      ? parseAuthorizedKey(value, `${ENV.serviceAccountKeyFile} (inline JSON)`)
      : await readAuthorizedKeyFile(value.trim(), ENV.serviceAccountKeyFile, ctx.deps);
    return { credential: { kind: 'sa-key', source, key } };
  },
};

/** The environment sources, in chain order: YC_IAM_TOKEN, YC_OAUTH_TOKEN, YC_TOKEN, YC_SERVICE_ACCOUNT_KEY_FILE. */
export const ENV_SOURCES: CredentialSource[] = [
  tokenSource(ENV.iamToken, (token, source) => ({ kind: 'iam-token', source, token })),
  tokenSource(ENV.oauthToken, (token, source) => ({ kind: 'oauth-token', source, token })),
  tokenSource(ENV.token, tokenCredential),
  serviceAccountKey,
];

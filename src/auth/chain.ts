/**
 * The credential chain (STYLE.md §6). Sources in order; the first that is present wins:
 *   1. flags: --iam-token, --iam-token-file <path|->, --oauth-token, --sa-key-file, --federated-token (+ --service-account-id)
 *   2. environment: YC_IAM_TOKEN, YC_OAUTH_TOKEN, YC_TOKEN (IAM or OAuth by prefix), YC_SERVICE_ACCOUNT_KEY_FILE (path or JSON)
 *   3. CI federation: GitHub Actions OIDC, GitLab `id_tokens` (YC_ID_TOKEN), with a service account ID
 *   4. the yc CLI profile in use: token, service-account-key, instance-service-account, federation-id
 *   5. the metadata service (1 s budget)
 * A source that is present but broken throws instead of falling through (one file per source).
 * Folder/cloud/endpoint defaults come from the yc profile in use, whichever source won, as yc
 * itself applies a profile's folder under YC_IAM_TOKEN; the metadata service fills in the folder
 * when it supplied the credential and the profile names none.
 */
import { AuthError } from '../errors.js';
import { ENV } from '../config/env.js';
import type { AuthDeps, AuthFlags, ProfileDefaults, ResolvedAuth } from './types.js';
import type { CredentialSource, SourceContext, SourceResult } from './source.js';
import { FLAG_SOURCES, assertOneCredentialFlag } from './flags.js';
import { ENV_SOURCES } from './environment.js';
import { FEDERATION_SOURCES } from './federation.js';
import { YC_PROFILE_SOURCE } from './yc-profile.js';
import { METADATA_SOURCE } from './metadata.js';
import { lookupYcProfile, ycProfileDefaults, type YcProfileLookup } from './yc-config.js';

export { tokenCredential } from './token.js';

/** Every source, in chain order. */
export const SOURCES: readonly CredentialSource[] = [
  ...FLAG_SOURCES,
  ...ENV_SOURCES,
  ...FEDERATION_SOURCES,
  YC_PROFILE_SOURCE,
  METADATA_SOURCE,
];

function mergeDefaults(profile: ProfileDefaults | undefined, fromSource: ProfileDefaults | undefined): ProfileDefaults | undefined {
  if (!fromSource) return profile;
  if (!profile) return fromSource;
  if (profile.folderId || profile.folderName) return profile;
  return { ...fromSource, ...profile, folderId: fromSource.folderId, source: `${profile.source}, folder from ${fromSource.source}` };
}

async function defaultsFor(ctx: SourceContext, found: SourceResult, warnings: string[]): Promise<ProfileDefaults | undefined> {
  const lookup = await ctx.ycProfile();
  if (!lookup.found && lookup.explicit && lookup.error) {
    // A profile the user named must exist even when another source supplied the credential; one
    // stored as a default (aistudio-key config) is passed over with a warning.
    if (!ctx.flags.profileIsDefault) throw lookup.error;
    warnings.push(`${lookup.error.message.replace(/\.$/, '')}; it is not used (the credential came from ${found.credential.source}).`);
  }
  return mergeDefaults(lookup.found ? ycProfileDefaults(lookup.name, lookup.profile) : undefined, found.defaults);
}

/**
 * Finds the first credential in the chain (order above). Reads files, env and stdin only through
 * `deps`; may call `deps.fetch` (CI federation) and `deps.execFile` (`yc iam create-token` for a
 * federated yc profile), and GETs the metadata service with a 1 s budget. Never stores a token.
 * @returns the credential (its `source` says where it came from), every source looked at in order
 *   (`tried`), and the yc profile's (or the metadata service's) folder/cloud/endpoint defaults.
 * @throws AuthError code `no_credential` (exit 3), within about a second, listing every source tried
 *   and how to provide one, when no source is present; also when a federated yc profile cannot get a
 *   token or a profile's instance service account gives none.
 * @throws AuthError `unauthenticated` when a federation exchange is refused; CloudError when it is unreachable.
 * @throws UsageError (exit 2) for bad input, before any call: two credential flags, an empty or
 *   unreadable token file, a malformed key file (naming the field), a non-JWT federated token,
 *   --federated-token without a service account, an unknown or unparsable yc profile.
 */
export async function resolveCredential(flags: AuthFlags, deps: AuthDeps): Promise<ResolvedAuth> {
  assertOneCredentialFlag(flags);
  let ycLookup: Promise<YcProfileLookup> | undefined;
  const ctx: SourceContext = {
    flags,
    deps,
    notes: [],
    ycProfile: () => (ycLookup ??= lookupYcProfile(flags, deps)),
  };
  const tried: string[] = [];
  for (const source of SOURCES) {
    tried.push(await source.label(ctx));
    const found = await source.resolve(ctx);
    if (found) {
      const warnings: string[] = [];
      const defaults = await defaultsFor(ctx, found, warnings);
      return { credential: found.credential, tried, defaults, ...(warnings.length > 0 ? { warnings } : {}) };
    }
  }
  throw new AuthError(`No Yandex Cloud credential found. Tried, in order: ${tried.join('; ')}.`, {
    code: 'no_credential',
    hints: [
      ...ctx.notes,
      `Provide one: \`yc iam create-token | aistudio-key … --iam-token-file -\`, ${ENV.serviceAccountKeyFile}=key.json, ` +
        `a yc profile (\`yc init\`), or in CI --service-account-id with the job's OIDC token (README, "Credentials").`,
    ],
  });
}

/**
 * What a credential source is, for chain.ts and the one-file-per-source modules.
 */
import type { Credential } from '../cloud/types.js';
import type { AuthDeps, AuthFlags, ProfileDefaults } from './types.js';
import type { YcProfileLookup } from './yc-config.js';

export interface SourceContext {
  readonly flags: AuthFlags;
  readonly deps: AuthDeps;
  /**
   * Near misses worth telling the user when nothing is found ("a GitHub OIDC token is available
   * but no service account ID was given"). Never holds a secret.
   */
  readonly notes: string[];
  /** The yc profile in use, read once per resolution (no module state). */
  ycProfile(): Promise<YcProfileLookup>;
}

export interface SourceResult {
  credential: Credential;
  /** Defaults this source itself knows (the metadata service's folder). */
  defaults?: ProfileDefaults;
}

export interface CredentialSource {
  /** What ResolvedAuth.tried shows for this source. */
  label(ctx: SourceContext): string | Promise<string>;
  /**
   * The credential when the source is present, undefined when it is absent. A source that is
   * present but broken throws (UsageError for bad input, AuthError for a refused exchange):
   * falling through to the next source could silently act as someone else.
   */
  resolve(ctx: SourceContext): Promise<SourceResult | undefined>;
}

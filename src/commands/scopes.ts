import { describeScopes, listScopes, type ScopesReport } from '../core/scopes.js';
import { AuthError } from '../errors.js';
import { scopesDocument, scopesText } from '../output/scopes.js';
import type { CommandContext } from './context.js';
import { defineCommand, type Zod } from './define.js';

/** The validated input of `scopes`. */
export interface ScopesInput {
  offline: boolean;
}

const HELP = `
Shows the AI Studio preset — the nine scopes \`create\` puts on a key, each with what it unlocks, and
the five roles it binds on the folder — and then every scope the cloud offers
(ApiKeyService.ListScopes), marking the preset's. A scope limits the key on top of the account's
roles: a request needs both. --offline skips the cloud and shows aistudio-key's built-in list.

Output: text, or --format json/yaml:
  {"preset": {"scopes": [{"scope", "unlocks"}], "roles": [{"role", "grants"}]},
   "available": [{"scope", "in_preset", "unlocks", "accepted_by_create"}], "source": "cloud"|"built-in",
   "preset_scopes_not_offered": [...], "roles_without_scope": [{"role", "scope"}]}

Examples:
  aistudio-key scopes
  aistudio-key scopes --offline --json | jq -r '.available[] | select(.in_preset | not) | .scope'
`;

export const scopesCommand = defineCommand({
  name: 'scopes',
  summary: "Show the preset's scopes and roles, and every scope the cloud offers",
  helpAfter: HELP,
  flags: {
    offline: { flags: '--offline', description: "don't ask the cloud; list the scopes aistudio-key knows" },
  },
  input: (z: Zod) => z.pipe(z.object({ offline: z.optional(z.boolean()) }), z.transform((raw): ScopesInput => ({ offline: raw.offline === true }))),
  run: runScopes,
  render: { text: scopesText, json: scopesDocument },
});

async function runScopes(input: ScopesInput, ctx: CommandContext): Promise<ScopesReport> {
  if (input.offline) return describeScopes(undefined);
  const { gateway } = await ctx.cloud().catch((error: unknown) => {
    if (error instanceof AuthError && error.code === 'no_credential') error.hints.push('Or see the built-in list without a credential: `aistudio-key scopes --offline`.');
    throw error;
  });
  ctx.out.progress.update('Listing scopes…');
  return listScopes(gateway, { signal: ctx.signal });
}

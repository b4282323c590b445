import type { ApiKey, CloudGateway } from '../cloud/types.js';
import { rfc3339 } from '../core/expiry.js';
import { firstFailure, revokeKeys, type RevokeKeysResult } from '../core/revoke-keys.js';
import { checkApiKeyId } from '../core/validate.js';
import { AppError, CancelledError, NotFoundError } from '../errors.js';
import { FAILED_STEP, revokeDocument, revokeNotes, revokeText } from '../output/revoke.js';
import { confirm, refuseUnconfirmed, YES_FLAG } from './confirm.js';
import type { CommandContext } from './context.js';
import { resultOrFailure } from './partial.js';
import type { Infer } from '../zod.js';
import { defineCommand, type Renderers, type Zod } from './define.js';

/** The validated input of `revoke`: what its schema's transform returns (keyIds distinct, in the order given). */
export type RevokeInput = Infer<ReturnType<typeof revokeInputSchema>>;

function revokeInputSchema(z: Zod) {
  const fields = z.object({
    keyIds: z.array(z.string()).check(z.minLength(1, 'give at least one API key ID')),
    yes: z.optional(z.boolean()),
    withServiceAccount: z.optional(z.boolean()),
  });
  return z.pipe(
    fields.check(
      z.superRefine((raw, ctx) => {
        const problem = raw.keyIds.map((id) => checkApiKeyId(id, 'API key IDs')).find((p) => p !== undefined);
        if (problem) ctx.addIssue({ code: 'custom', path: ['keyIds'], message: problem });
      }),
    ),
    z.transform((raw) => ({ keyIds: [...new Set(raw.keyIds)], yes: raw.yes === true, withServiceAccount: raw.withServiceAccount === true })),
  );
}

const HELP = `
Deletes API keys at once: apps using them stop working. A key that is already gone counts as
success (a note says so). At a terminal it asks first; anywhere else (a pipe, CI, --format json) it
needs --yes and exits 4 without it, before contacting the cloud.

--with-service-account also deletes each key's service account when it then holds no API keys and
aistudio-key made it (label managed-by=aistudio-key); its roles on its own folder are removed first
with one UpdateAccessBindings call that names only that account (nobody else's access changes).
Accounts made by anyone else, or still holding keys, are kept; stderr says why.

A key issued on an adopted account (create/ensure --adopt) records the roles aistudio-key granted
that account; revoking the last such key there removes exactly those roles (REMOVE deltas, only
roles the account still holds) and says which roles it keeps. Roles it had before are never touched.

Output: stdout says what was revoked and deleted; notes go to stderr.
  json   {"keys": [{"id", "status": "revoked"|"already-gone"|"failed", "service_account_id", "error"}],
          "service_accounts": [{"id", "name", "status": "deleted"|"kept"|"already-gone"|"failed",
          "reason", "other_keys", "folder_id", "removed_roles", "error"}],
          "adopted_roles": [{"service_account_id", "status": "returned"|"kept"|"failed",
          "removed_roles", "remaining_roles", "other_keys", "error"}]}
  If any key or account could not be removed, the exit code is that failure's (1, or 3 for a
  permission problem), after the result is printed.

Examples:
  aistudio-key revoke ajeabcdefghij0123456
  aistudio-key revoke --yes --with-service-account ajeabcdefghij0123456 ajeklmnopqrst0123456
  aistudio-key list --service-account old-bot --json | jq -r '.[].id' | xargs aistudio-key revoke --yes --with-service-account
`;

const render: Renderers<RevokeKeysResult> = { text: revokeText, json: revokeDocument };

export const revokeCommand = defineCommand({
  name: 'revoke <keyIds...>',
  summary: 'Revoke (delete) API keys; optionally their service accounts too',
  helpAfter: HELP,
  flags: {
    yes: YES_FLAG,
    withServiceAccount: { flags: '--with-service-account', description: "also delete each key's service account if aistudio-key made it and it has no keys left" },
  },
  input: (z) => revokeInputSchema(z),
  run: runRevoke,
  render,
});

async function runRevoke(input: RevokeInput, ctx: CommandContext): Promise<RevokeKeysResult> {
  if (!input.yes) refuseUnconfirmed(ctx, 'revoke asks for confirmation before deleting keys', ['Pass --yes to revoke without asking.']);
  const { gateway } = await ctx.cloud();
  let known: Map<string, ApiKey> | undefined;
  if (!input.yes) {
    ctx.out.progress.update('Reading the keys…');
    const details: string[] = [];
    known = await preview(gateway, input, ctx, details);
    const n = input.keyIds.length;
    const ok = await confirm(ctx, `Revoke ${n === 1 ? 'this API key' : `these ${n} API keys`}${input.withServiceAccount ? ' (and delete accounts left without keys)' : ''}?`, '--yes', details);
    if (!ok) throw new CancelledError('Not confirmed; nothing was revoked.');
  }
  const result = await revokeKeys(
    gateway,
    { keyIds: input.keyIds, withServiceAccount: input.withServiceAccount },
    {
      signal: ctx.signal,
      waitSignal: ctx.waitSignal,
      known,
      onEvent: (e) => ctx.out.progress.update(e.type === 'key' ? `Revoking API key ${e.id}…` : `Checking service account ${e.id}…`),
    },
  );
  return resultOrFailure(ctx, result, revokeNotes(result), failureOf(result));
}

/** Reads the keys (and their accounts' names) and shows them on stderr before the question. */
async function preview(gateway: CloudGateway, input: RevokeInput, ctx: CommandContext, details: string[]): Promise<Map<string, ApiKey>> {
  const known = new Map<string, ApiKey>();
  const lines: string[] = [];
  const names = new Map<string, string>();
  for (const id of input.keyIds) {
    try {
      const k = await gateway.getApiKey(id, { signal: ctx.signal });
      known.set(id, k);
      if (!names.has(k.serviceAccountId)) {
        const name = await gateway.getServiceAccount(k.serviceAccountId, { signal: ctx.signal }).then(
          (sa) => sa.name,
          () => '',
        );
        names.set(k.serviceAccountId, name);
      }
      const sa = names.get(k.serviceAccountId) ? `${names.get(k.serviceAccountId) ?? ''} (${k.serviceAccountId})` : k.serviceAccountId;
      const expires = k.expiresAt ? `expires ${rfc3339(k.expiresAt)}` : 'never expires';
      lines.push(`  ${id}  service account ${sa}, "${k.description}", ${expires}`);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      lines.push(`  ${id}  ${error instanceof NotFoundError ? 'not found (already revoked?)' : `could not read it (${error instanceof AppError ? error.code : 'error'})`}`);
    }
  }
  ctx.out.progress.stop();
  // Shown with the question, one sanitised line each (data in one cannot start another), even with --quiet.
  details.push(`About to revoke; apps using ${lines.length === 1 ? 'this key' : 'these keys'} stop working at once:`, ...lines);
  return known;
}

/**
 * The error to exit with: the first failure (its class gives the exit code: 3 for permissions, else
 * 1), with a hint per other failure and a count of what did go.
 */
function failureOf(result: RevokeKeysResult): AppError | undefined {
  const first = firstFailure(result);
  if (!first) return undefined;
  const others: string[] = [];
  for (const k of result.keys) if (k.status === 'failed' && k.error !== first) others.push(`Also not revoked: API key ${k.id}: ${k.error.message}`);
  for (const a of result.serviceAccounts) {
    if (a.status === 'failed' && a.error !== first) others.push(`Service account ${a.serviceAccount?.name ?? a.id}: ${FAILED_STEP[a.step]}: ${a.error.message}`);
  }
  for (const a of result.adoptedRoles) {
    if (a.status === 'failed' && a.error !== first) others.push(`Roles ${a.roles.join(', ')} that aistudio-key granted adopted service account ${a.id} were not taken back: ${a.error.message}`);
  }
  const done = result.keys.filter((k) => k.status !== 'failed').length;
  const firstAccount = result.serviceAccounts.find((a) => a.status === 'failed' && a.error === first);
  const lead = firstAccount?.status === 'failed' ? [`Service account ${firstAccount.serviceAccount?.name ?? firstAccount.id}: ${FAILED_STEP[firstAccount.step]}.`] : [];
  first.hints.unshift(...lead, `${done} of ${result.keys.length} API key${result.keys.length === 1 ? '' : 's'} revoked or already gone.`, ...others);
  return first;
}

import { checkServiceAccountRef } from '../core/accounts.js';
import { parseDuration } from '../core/expiry.js';
import { listKeys, type KeySelection } from '../core/list-keys.js';
import { EXIT_CODES, KeysExpiringError } from '../errors.js';
import { surveyAccounts } from '../core/prune.js';
import { listDocument, listText, toSecond, type ListOutcome } from '../output/list.js';
import { accountsDocument, accountsText, type AccountsOutcome } from '../output/list-accounts.js';
import type { CommandContext } from './context.js';
import type { Infer } from '../zod.js';
import { defineCommand, type Renderers, type Zod } from './define.js';
import { checkedString, folderFields, folderFlags, folderResolver } from './folder.js';

/** The validated input of `list`: what its schema's transform returns. */
export type ListInput = Infer<ReturnType<typeof listInputSchema>>;

function selectionOf(raw: { all?: boolean | undefined; serviceAccount?: string | undefined }): KeySelection {
  return raw.serviceAccount !== undefined ? { kind: 'account', ref: raw.serviceAccount } : raw.all ? { kind: 'all' } : { kind: 'managed' };
}

function listInputSchema(z: Zod) {
  const fields = z.object({
    ...folderFields(z),
    all: z.optional(z.boolean()),
    serviceAccount: checkedString(z, checkServiceAccountRef),
    expiringWithin: checkedString(z, (v) => (parseDuration(v) === undefined ? `expected a duration like 14d, 12h, 2w or 1y, got "${v}"` : undefined)),
    accounts: z.optional(z.boolean()),
  });
  return z.pipe(
    fields,
    z.transform(
      (raw) => ({
        folderId: raw.folderId,
        folderName: raw.folderName,
        cloudId: raw.cloudId,
        selection: selectionOf(raw),
        // Parsed, and as written.
        expiringWithin: raw.expiringWithin === undefined ? undefined : { ms: parseDuration(raw.expiringWithin) ?? 0, text: raw.expiringWithin },
        // The accounts with their key counts and roles, instead of the keys.
        accounts: raw.accounts === true,
      }),
    ),
  );
}

const HELP = `
Lists API keys, never their secrets (the cloud keeps none it could show). By default only the keys
of service accounts aistudio-key made (labelled managed-by=aistudio-key); --all lists every
account's keys, --service-account one account's (by ID, or by name in the folder).
The folder comes from --folder-id/--folder-name, then YC_FOLDER_ID/YC_FOLDER_NAME, then
aistudio-key config, then the yc profile. An account given by ID needs no folder.

--accounts lists the service accounts instead (those aistudio-key made, or --all): each one's API
key count and roles on the folder. Accounts aistudio-key made that hold no key can go with \`prune\`.

--expiring-within <duration> keeps keys that expire within it (already expired ones included; keys
without an expiry never match) and exits ${EXIT_CODES.keysExpiring} when any do, after printing them: an alarm for CI.

Output: stdout holds only the list.
  text   a table: KEY ID, SERVICE ACCOUNT, DESCRIPTION, SCOPES ("preset" = the nine AI Studio
         scopes), CREATED, EXPIRES, LAST USED (dates in UTC); a summary goes to stderr
  json   [{"id", "service_account_id", "service_account_name", "description", "scopes",
         "created_at", "expires_at", "last_used_at"}], times RFC 3339 or null
  yaml   the same as YAML
  --accounts: a table SERVICE ACCOUNT, ID, KEYS, ROLES ("preset" = the five AI Studio roles), CREATED;
         json [{"id", "name", "folder_id", "managed", "key_count", "key_ids", "roles", "created_at"}]

Examples:
  aistudio-key list --folder-id b1g0123456789abcdefg
  aistudio-key list --all --json | jq -r '.[] | select(.expires_at == null) | .id'
  aistudio-key list --service-account aistudio-20261127-k3x9qa
  aistudio-key list --accounts --json | jq -r '.[] | select(.key_count == 0) | .name'
  aistudio-key list --expiring-within 14d || echo "rotate them: aistudio-key rotate <key-id>"
`;

type ListRunOutcome = ListOutcome | AccountsOutcome;

const isAccounts = (o: ListRunOutcome): o is AccountsOutcome => 'view' in o && o.view === 'accounts';

const render: Renderers<ListRunOutcome> = {
  text: (o, out) => (isAccounts(o) ? accountsText(o, out) : listText(o, out)),
  json: (o) => (isAccounts(o) ? accountsDocument(o) : listDocument(o)),
};

export const listCommand = defineCommand({
  name: 'list',
  summary: 'List the API keys of the service accounts aistudio-key made (or --all, or one account)',
  helpAfter: HELP,
  flags: {
    ...folderFlags('to list'),
    all: { flags: '--all', description: 'every service account in the folder, not only those aistudio-key made', conflicts: { serviceAccount: true } },
    serviceAccount: { flags: '--service-account <name|id>', description: 'only this service account' },
    accounts: {
      flags: '--accounts',
      description: 'list the service accounts with their key counts and roles, not the keys',
      conflicts: { serviceAccount: "--accounts lists the folder's accounts", expiringWithin: '--expiring-within selects keys' },
    },
    expiringWithin: { flags: '--expiring-within <duration>', description: `only keys expiring within 14d, 12h…; exit ${EXIT_CODES.keysExpiring} when any do` },
  },
  input: (z) => listInputSchema(z),
  run: runList,
  render,
});

async function runList(input: ListInput, ctx: CommandContext): Promise<ListRunOutcome> {
  const folder = await folderResolver(input, ctx);
  if (input.accounts) {
    const folderId = await folder();
    const { gateway } = await ctx.cloud();
    ctx.out.progress.update('Listing service accounts…');
    const managedOnly = input.selection.kind !== 'all';
    return { view: 'accounts', all: !managedOnly, ...(await surveyAccounts(gateway, folderId, { signal: ctx.signal, managedOnly })) };
  }
  // Without --service-account the folder is needed anyway: a missing one is reported before connecting.
  if (input.selection.kind !== 'account') await folder();
  const now = ctx.deps.now();
  const { gateway } = await ctx.cloud();
  ctx.out.progress.update('Listing API keys…');
  const result = await listKeys(gateway, { folder, selection: input.selection, expiringWithinMs: input.expiringWithin?.ms, now }, { signal: ctx.signal });
  const outcome: ListOutcome = { ...result, expiringText: input.expiringWithin?.text };
  if (outcome.expiring && outcome.keys.length > 0) {
    // An alarm, not a failure: the list goes to stdout first, then exit 5.
    await ctx.deliver(outcome);
    throw expiringError(outcome);
  }
  return outcome;
}

function expiringError(r: ListOutcome): KeysExpiringError {
  const n = r.keys.length;
  const shown = r.keys.slice(0, 5).map((k) => `${k.id} (${k.serviceAccountName || k.serviceAccountId}, ${k.expiresAt && k.expiresAt.getTime() <= r.now.getTime() ? 'expired' : 'expires'} ${k.expiresAt ? toSecond(k.expiresAt) : ''})`);
  const more = n > shown.length ? ` and ${n - shown.length} more` : '';
  return new KeysExpiringError(`${n} API key${n === 1 ? '' : 's'} expire${n === 1 ? 's' : ''} within ${r.expiringText ?? ''}: ${shown.join(', ')}${more}.`, {
    hints: [
      'Replace each with `aistudio-key rotate <key-id>`: a new key on the same account with the same scopes, the old one revoked once the new one is printed (--keep-old to revoke it yourself after moving your apps).',
    ],
  });
}

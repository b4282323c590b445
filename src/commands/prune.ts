import { planPrune, pruneAccounts } from '../core/prune.js';
import { firstFailure } from '../core/revoke-keys.js';
import { CancelledError, type AppError } from '../errors.js';
import { candidateLines, pruneDocument, pruneNotes, pruneText, type PruneOutcome } from '../output/prune.js';
import { FAILED_STEP } from '../output/revoke.js';
import { confirm, refuseUnconfirmed, YES_FLAG } from './confirm.js';
import type { CommandContext } from './context.js';
import { resultOrFailure } from './partial.js';
import type { Infer } from '../zod.js';
import { defineCommand, type Renderers, type Zod } from './define.js';
import { folderFields, folderFlags, folderResolver } from './folder.js';

/** The validated input of `prune`: what its schema's transform returns. */
export type PruneInput = Infer<ReturnType<typeof pruneInputSchema>>;

function pruneInputSchema(z: Zod) {
  const fields = z.object({ ...folderFields(z), dryRun: z.optional(z.boolean()), yes: z.optional(z.boolean()) });
  return z.pipe(
    fields,
    z.transform((raw) => ({ folderId: raw.folderId, folderName: raw.folderName, cloudId: raw.cloudId, dryRun: raw.dryRun === true, yes: raw.yes === true })),
  );
}

const HELP = `
Deletes the service accounts aistudio-key made (label managed-by=aistudio-key) that hold no API key:
those left by \`revoke\` without --with-service-account, or by a run killed before it cleaned up.
Each keeps its roles on its folder until then (ai.editor and four more), so they are worth removing.
Accounts anyone else made, and accounts holding keys, are never touched.

For each account, checked again just before: its roles on its folder are removed first with one
UpdateAccessBindings call of REMOVE deltas naming only that account (nobody else's access changes;
never SetAccessBindings), then the account is deleted.
At a terminal it lists the accounts and asks; anywhere else (a pipe, CI, --format json) it needs
--yes and exits 4 without it, before contacting the cloud. --dry-run lists them and changes nothing.
The folder comes from --folder-id/--folder-name, then YC_FOLDER_ID/YC_FOLDER_NAME, then
aistudio-key config, then the yc profile.

Output: stdout says what was deleted; notes go to stderr.
  json   {"dry_run", "folder_id", "kept_with_keys", "service_accounts": [{"id", "name",
         "status": "would-delete"|"deleted"|"kept"|"already-gone"|"failed", "reason", "roles",
         "removed_roles", "other_keys", "folder_id", "error"}]}
         "removed_roles" holds only roles the cloud confirmed removed; "deleted" only a delete it finished.
  If any account could not be removed, the exit code is that failure's (1, or 3 for a permission
  problem), after the result is printed.

Examples:
  aistudio-key prune --dry-run --folder-id b1g0123456789abcdefg
  aistudio-key prune --yes --json | jq -r '.service_accounts[] | select(.status == "deleted") | .name'
  aistudio-key list --accounts      # managed accounts, their key counts and roles
`;

const render: Renderers<PruneOutcome> = { text: pruneText, json: pruneDocument };

export const pruneCommand = defineCommand({
  name: 'prune',
  summary: 'Delete the service accounts aistudio-key made that hold no API key, their folder roles first',
  helpAfter: HELP,
  flags: {
    ...folderFlags('to prune'),
    dryRun: { flags: '--dry-run', description: 'list what would be deleted; change nothing' },
    yes: YES_FLAG,
  },
  input: (z) => pruneInputSchema(z),
  run: runPrune,
  render,
});

async function runPrune(input: PruneInput, ctx: CommandContext): Promise<PruneOutcome> {
  if (!input.dryRun && !input.yes) {
    refuseUnconfirmed(ctx, 'prune asks for confirmation before deleting service accounts', ['Pass --yes to prune without asking, or --dry-run to see what would go.']);
  }
  const folder = await folderResolver(input, ctx);
  const folderId = await folder();
  const { gateway } = await ctx.cloud();
  ctx.out.progress.update('Reading the service accounts aistudio-key made…');
  const plan = await planPrune(gateway, folderId, { signal: ctx.signal });
  if (input.dryRun || plan.candidates.length === 0) return { kind: 'plan', plan };

  if (!input.yes) {
    ctx.out.progress.stop();
    const n = plan.candidates.length;
    const details = [
      `About to delete ${n === 1 ? 'this service account' : `these ${n} service accounts`} (no API keys), each one's roles on the folder first:`,
      ...candidateLines(plan).map((l) => `  ${l}`),
    ];
    const ok = await confirm(ctx, `Delete ${n === 1 ? 'it' : `these ${n}`}?`, '--yes', details);
    if (!ok) throw new CancelledError('Not confirmed; nothing was deleted.');
  }
  const outcomes = await pruneAccounts(gateway, plan, {
    signal: ctx.signal,
    waitSignal: ctx.waitSignal,
    onEvent: (e) => ctx.out.progress.update(`Deleting service account ${e.name}…`),
  });
  const result: PruneOutcome = { kind: 'pruned', plan, outcomes };
  return resultOrFailure(ctx, result, pruneNotes(result), failureOf(result));
}

/** The first failure (its class gives the exit code), with a line per other one and a count of what went. */
function failureOf(r: Extract<PruneOutcome, { kind: 'pruned' }>): AppError | undefined {
  const first = firstFailure({ keys: [], serviceAccounts: r.outcomes, adoptedRoles: [] });
  if (!first) return undefined;
  const lines: string[] = [];
  for (const a of r.outcomes) {
    if (a.status !== 'failed') continue;
    const what = `Service account ${a.serviceAccount?.name ?? a.id}: ${FAILED_STEP[a.step]}`;
    lines.push(a.error === first ? `${what}.` : `${what}: ${a.error.message}`);
  }
  const deleted = r.outcomes.filter((a) => a.status === 'deleted').length;
  first.hints.unshift(...lines, `${deleted} of ${r.outcomes.length} service account${r.outcomes.length === 1 ? '' : 's'} deleted.`);
  return first;
}

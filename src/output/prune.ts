/**
 * How `prune` looks. JSON/YAML: {"dry_run", "folder_id", "service_accounts": [...], "kept_with_keys"},
 * one entry per account without API keys, each with a `status`: `would-delete` (a dry run), or
 * revoke's account statuses (`deleted`, `kept`, `already-gone`, `failed`). `roles` are the roles the
 * account held when it was read; `removed_roles` only those the cloud confirmed removed. Failures are
 * left to the error the command throws after printing, so stderr says each once.
 */
import type { AccountOutcome } from '../core/revoke-keys.js';
import type { AccountSummary, PrunePlan } from '../core/prune.js';
import { accountOutcomeDocument, deletedAccountLine, revokeNotes, type RevokedAccountDocument } from './revoke.js';
import type { TextSink } from './text.js';

export type PruneOutcome =
  /** --dry-run: what would go. */
  | { kind: 'plan'; plan: PrunePlan }
  | { kind: 'pruned'; plan: PrunePlan; outcomes: AccountOutcome[] };

export type PrunedAccountDocument = Omit<RevokedAccountDocument, 'status'> & { status: RevokedAccountDocument['status'] | 'would-delete'; roles: string[] };

export interface PruneDocument {
  dry_run: boolean;
  folder_id: string;
  service_accounts: PrunedAccountDocument[];
  /** Accounts aistudio-key made that hold API keys: left alone. */
  kept_with_keys: number;
}

function plannedDocument(a: AccountSummary): PrunedAccountDocument {
  const sa = a.serviceAccount;
  return { id: sa.id, name: sa.name, status: 'would-delete', reason: null, other_keys: [], folder_id: sa.folderId, roles: [...a.roles], removed_roles: [], error: null };
}

export function pruneDocument(o: PruneOutcome): PruneDocument {
  const roles = new Map(o.plan.candidates.map((a) => [a.serviceAccount.id, a.roles]));
  const accounts =
    o.kind === 'plan'
      ? o.plan.candidates.map(plannedDocument)
      : o.outcomes.map((outcome) => {
          const doc = accountOutcomeDocument(outcome);
          return { ...doc, roles: [...(roles.get(doc.id) ?? [])] };
        });
  return { dry_run: o.kind === 'plan', folder_id: o.plan.folderId, service_accounts: accounts, kept_with_keys: o.plan.withKeys };
}

/** One line per account that would go: its name, ID and the roles that would be removed first. */
export function candidateLines(plan: PrunePlan): string[] {
  return plan.candidates.map((a) => {
    const sa = a.serviceAccount;
    const roles = a.roles.length > 0 ? `roles on folder ${sa.folderId}: ${a.roles.join(', ')}` : `no roles on folder ${sa.folderId}`;
    return `${sa.name} (${sa.id}), no API keys, ${roles}`;
  });
}

function nothingToPrune(plan: PrunePlan): string {
  return `Nothing to prune: every service account aistudio-key made in folder ${plan.folderId} holds an API key (or there is none).`;
}

/** Notes for stderr in every format: accounts kept since the plan, or already gone, and those left for their keys. */
export function pruneNotes(o: PruneOutcome): string[] {
  const notes = o.kind === 'pruned' ? revokeNotes({ keys: [], serviceAccounts: o.outcomes, adoptedRoles: [] }) : [];
  const n = o.plan.withKeys;
  if (n > 0) notes.push(`${n} service account${n === 1 ? '' : 's'} aistudio-key made in folder ${o.plan.folderId} still hold${n === 1 ? 's' : ''} API keys and stay${n === 1 ? 's' : ''} (see \`aistudio-key list --accounts\`).`);
  return notes;
}

export function pruneText(o: PruneOutcome, out: TextSink): void {
  if (o.plan.candidates.length === 0) out.line(nothingToPrune(o.plan));
  else if (o.kind === 'plan') {
    out.line('Dry run: nothing was changed.');
    out.line(`Would delete ${o.plan.candidates.length} service account${o.plan.candidates.length === 1 ? '' : 's'} (each one's roles removed first, REMOVE deltas only):`);
    for (const l of candidateLines(o.plan)) out.line(`  ${l}`);
  } else {
    for (const a of o.outcomes) if (a.status === 'deleted') out.line(deletedAccountLine(a, out.style));
  }
  for (const n of pruneNotes(o)) out.note(n);
}

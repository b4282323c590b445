/**
 * How `revoke` looks. stdout says what was removed; keys that were already gone and accounts kept
 * are notes on stderr (in every format). JSON: {"keys": [...], "service_accounts": [...]}, one entry
 * per key and per account looked at, each with a `status`. Failures are left to the error the
 * command throws after printing, so stderr says each once.
 */
import type { AccountOutcome, AdoptedRolesOutcome, KeptReason, RevokeKeyOutcome, RevokeKeysResult } from '../core/revoke-keys.js';
import { managedLabelText } from '../core/accounts.js';
import type { TextSink } from './text.js';

export interface RevokedKeyDocument {
  id: string;
  status: RevokeKeyOutcome['status'];
  service_account_id: string | null;
  error: { code: string; message: string } | null;
}

export interface RevokedAccountDocument {
  id: string;
  name: string | null;
  status: AccountOutcome['status'];
  /** Why it was kept, or which step failed. */
  reason: KeptReason | 'read' | 'list-keys' | 'remove-bindings' | 'delete' | null;
  other_keys: string[];
  folder_id: string | null;
  removed_roles: string[];
  error: { code: string; message: string } | null;
}

/** Roles aistudio-key granted an adopted account, looked at because a revoked key recorded them. */
export interface AdoptedRolesDocument {
  service_account_id: string;
  status: AdoptedRolesOutcome['status'];
  /** The roles taken back (status returned). */
  removed_roles: string[];
  /** The account's roles on its folder that stay (status returned). */
  remaining_roles: string[];
  /** Keys aistudio-key issued that still rely on the roles (status kept). */
  other_keys: string[];
  error: { code: string; message: string } | null;
}

export interface RevokeDocument {
  keys: RevokedKeyDocument[];
  service_accounts: RevokedAccountDocument[];
  adopted_roles: AdoptedRolesDocument[];
}

const errorDoc = (e: { code: string; message: string; hints: string[] }): { code: string; message: string } => ({ code: e.code, message: [e.message, ...e.hints].join(' ') });

export function keyOutcomeDocument(k: RevokeKeyOutcome): RevokedKeyDocument {
  return { id: k.id, status: k.status, service_account_id: k.apiKey?.serviceAccountId ?? null, error: k.status === 'failed' ? errorDoc(k.error) : null };
}

export function accountOutcomeDocument(a: AccountOutcome): RevokedAccountDocument {
  switch (a.status) {
    case 'deleted':
      return { id: a.serviceAccount.id, name: a.serviceAccount.name, status: a.status, reason: null, other_keys: [], folder_id: a.serviceAccount.folderId, removed_roles: a.removedBindings.map((b) => b.roleId), error: null };
    case 'kept':
      return { id: a.serviceAccount.id, name: a.serviceAccount.name, status: a.status, reason: a.reason, other_keys: [...a.otherKeys], folder_id: a.serviceAccount.folderId, removed_roles: [], error: null };
    case 'already-gone':
      return { id: a.id, name: null, status: a.status, reason: null, other_keys: [], folder_id: null, removed_roles: [], error: null };
    case 'failed':
      return {
        id: a.id,
        name: a.serviceAccount?.name ?? null,
        status: a.status,
        reason: a.step,
        other_keys: [],
        folder_id: a.serviceAccount?.folderId ?? null,
        removed_roles: a.removedBindings.map((b) => b.roleId),
        error: errorDoc(a.error),
      };
  }
}

export function adoptedRolesDocument(a: AdoptedRolesOutcome): AdoptedRolesDocument {
  switch (a.status) {
    case 'returned':
      return { service_account_id: a.serviceAccount.id, status: a.status, removed_roles: [...a.removed], remaining_roles: [...a.remaining], other_keys: [], error: null };
    case 'kept':
      return { service_account_id: a.serviceAccount.id, status: a.status, removed_roles: [], remaining_roles: [], other_keys: [...a.otherKeys], error: null };
    case 'failed':
      return { service_account_id: a.id, status: a.status, removed_roles: [], remaining_roles: [], other_keys: [], error: errorDoc(a.error) };
  }
}

export function revokeDocument(r: RevokeKeysResult): RevokeDocument {
  return { keys: r.keys.map(keyOutcomeDocument), service_accounts: r.serviceAccounts.map(accountOutcomeDocument), adopted_roles: r.adoptedRoles.map(adoptedRolesDocument) };
}

const list = (roles: readonly string[]): string => (roles.length === 0 ? 'none' : roles.join(', '));

export const FAILED_STEP: Record<'read' | 'list-keys' | 'remove-bindings' | 'delete', string> = {
  read: 'could not read it',
  'list-keys': 'could not list its keys',
  'remove-bindings': 'could not remove its roles on the folder',
  delete: 'its roles on the folder were removed, but deleting it failed',
};

/**
 * The notes for a person: keys already gone and accounts kept, with why. Text output has them from
 * revokeText; in a machine format the command writes them to stderr itself.
 */
export function revokeNotes(r: RevokeKeysResult): string[] {
  const notes: string[] = [];
  for (const k of r.keys) {
    if (k.status === 'already-gone') notes.push(`API key ${k.id} was not found: already revoked, or not visible to this credential. Nothing to do.`);
  }
  for (const a of r.serviceAccounts) {
    if (a.status === 'kept') {
      notes.push(
        a.reason === 'not-managed'
          ? `Kept service account ${a.serviceAccount.name} (${a.serviceAccount.id}): aistudio-key did not make it (it lacks the ${managedLabelText()} label), so it may serve something else.`
          : `Kept service account ${a.serviceAccount.name} (${a.serviceAccount.id}): it still holds ${a.otherKeys.length} other API key${a.otherKeys.length === 1 ? '' : 's'} (${a.otherKeys.join(', ')}).`,
      );
    } else if (a.status === 'already-gone') {
      notes.push(`Service account ${a.id} was already gone.`);
    }
  }
  for (const a of r.adoptedRoles) {
    if (a.status === 'kept') {
      notes.push(`Kept roles ${list(a.roles)} that aistudio-key granted adopted service account ${a.serviceAccount.name} (${a.serviceAccount.id}): its other key${a.otherKeys.length === 1 ? '' : 's'} from aistudio-key (${a.otherKeys.join(', ')}) still rel${a.otherKeys.length === 1 ? 'ies' : 'y'} on them.`);
    } else if (a.status === 'returned') {
      notes.push(`Service account ${a.serviceAccount.name} (${a.serviceAccount.id}) keeps its other roles on folder ${a.serviceAccount.folderId}: ${list(a.remaining)}.`);
    }
  }
  return notes;
}

/** Revoked keys and deleted accounts on stdout; notes on stderr. Failures are left to the command's error. */
export function revokeText(r: RevokeKeysResult, out: TextSink): void {
  const s = out.style;
  const names = new Map<string, string>();
  for (const a of r.serviceAccounts) if (a.status !== 'already-gone' && a.serviceAccount) names.set(a.serviceAccount.id, a.serviceAccount.name);
  for (const k of r.keys) {
    if (k.status !== 'revoked') continue;
    const sa = k.apiKey.serviceAccountId;
    out.line(`${s.green('Revoked')} API key ${k.id} (service account ${names.has(sa) ? `${names.get(sa) ?? ''} ${sa}` : sa})`);
  }
  for (const a of r.serviceAccounts) if (a.status === 'deleted') out.line(deletedAccountLine(a, out.style));
  for (const a of r.adoptedRoles) {
    if (a.status !== 'returned' || a.removed.length === 0) continue;
    out.line(`${s.green('Removed')} role${a.removed.length === 1 ? '' : 's'} ${a.removed.join(', ')} that aistudio-key granted adopted service account ${a.serviceAccount.name} (${a.serviceAccount.id}) on folder ${a.serviceAccount.folderId}`);
  }
  for (const n of revokeNotes(r)) out.note(n);
}

/** "Deleted service account X (id) and its N roles on folder F (…)": revoke's and prune's line. */
export function deletedAccountLine(a: Extract<AccountOutcome, { status: 'deleted' }>, s: TextSink['style']): string {
  const roles = a.removedBindings.map((b) => b.roleId);
  const what = roles.length > 0 ? ` and its ${roles.length} role${roles.length === 1 ? '' : 's'} on folder ${a.serviceAccount.folderId} (${roles.join(', ')})` : '';
  return `${s.green('Deleted')} service account ${a.serviceAccount.name} (${a.serviceAccount.id})${what}`;
}

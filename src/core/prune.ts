/**
 * The `prune` use-case, and the account survey `list --accounts` shows: the service accounts
 * aistudio-key made (label managed-by=aistudio-key) with their API keys and their roles on their
 * folder; `prune` deletes those that hold no key (after `revoke` without --with-service-account, or a
 * run killed before it could clean up), their own folder roles first. Typed input in, typed result
 * out; no printing.
 */
import type { AccessBinding, CallOptions, CloudGateway, ServiceAccount } from '../cloud/types.js';
import { isManagedAccount } from './accounts.js';
import { mapLimit, PARALLEL_LISTS } from './list-keys.js';
import { abortReason, removeServiceAccountIfUnused, type AccountOutcome, type MutationOptions } from './revoke-keys.js';

/** An account with its API key IDs and its roles on its own folder, as read by the survey. */
export interface AccountSummary {
  serviceAccount: ServiceAccount;
  keyIds: string[];
  /** Role IDs bound to this account on its folder, sorted. */
  roles: string[];
}

export interface AccountSurvey {
  folderId: string;
  /** By name. */
  accounts: AccountSummary[];
  /** With `managedOnly`: accounts in the folder left out because aistudio-key did not make them. */
  unmanagedAccounts: number;
}

/**
 * Reads a folder's service accounts (only those aistudio-key made, with `managedOnly`), each one's API
 * keys, and the folder's bindings once. Read-only.
 * @throws AuthError, CloudError from the gateway.
 */
export async function surveyAccounts(gateway: CloudGateway, folderId: string, opts: CallOptions & { managedOnly: boolean }): Promise<AccountSurvey> {
  const call = { signal: opts.signal };
  const all = await gateway.listServiceAccounts(folderId, call);
  const accounts = opts.managedOnly ? all.filter(isManagedAccount) : all;
  const [bindings, keys] = await Promise.all([
    accounts.length === 0 ? Promise.resolve([] as AccessBinding[]) : gateway.listFolderAccessBindings(folderId, call),
    mapLimit(accounts, PARALLEL_LISTS, (sa) => gateway.listApiKeys(sa.id, call)),
  ]);
  const summaries = accounts.map((serviceAccount, i) => ({
    serviceAccount,
    keyIds: (keys[i] ?? []).map((k) => k.id),
    roles: rolesOf(bindings, serviceAccount.id),
  }));
  summaries.sort((a, b) => a.serviceAccount.name.localeCompare(b.serviceAccount.name) || a.serviceAccount.id.localeCompare(b.serviceAccount.id));
  return { folderId, accounts: summaries, unmanagedAccounts: all.length - accounts.length };
}

/** The roles `bindings` give the service account `id`, sorted and distinct. */
export function rolesOf(bindings: readonly AccessBinding[], id: string): string[] {
  return [...new Set(bindings.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === id).map((b) => b.roleId))].sort();
}

export interface PrunePlan {
  folderId: string;
  /** Managed accounts without API keys: what prune deletes. */
  candidates: AccountSummary[];
  /** Managed accounts that hold keys: left alone. */
  withKeys: number;
}

/**
 * What `prune` would delete in a folder: the managed accounts holding no API key. Read-only.
 * @throws AuthError, CloudError from the gateway.
 */
export async function planPrune(gateway: CloudGateway, folderId: string, opts: CallOptions = {}): Promise<PrunePlan> {
  const survey = await surveyAccounts(gateway, folderId, { ...opts, managedOnly: true });
  const candidates = survey.accounts.filter((a) => a.keyIds.length === 0);
  return { folderId, candidates, withKeys: survey.accounts.length - candidates.length };
}

export type PruneEvent = { type: 'account'; id: string; name: string };

/**
 * Deletes each candidate, one after another, checking each again just before (a key issued on it
 * since the plan, or its label gone, keeps it): its roles on its folder are removed with one
 * UpdateAccessBindings call of REMOVE deltas naming only that account (never SetAccessBindings), then
 * the account is deleted (see removeServiceAccountIfUnused). A Ctrl-C stops before the next account.
 * @returns one outcome per candidate, in order; `deleted` only once the cloud finished the delete,
 *   `removedBindings` only once it finished the REMOVE call. Never throws for a cloud failure.
 */
export async function pruneAccounts(
  gateway: CloudGateway,
  plan: PrunePlan,
  opts: MutationOptions & { onEvent?: (event: PruneEvent) => void } = {},
): Promise<AccountOutcome[]> {
  const outcomes: AccountOutcome[] = [];
  for (const { serviceAccount: sa } of plan.candidates) {
    if (opts.signal?.aborted) {
      outcomes.push({ status: 'failed', id: sa.id, serviceAccount: sa, step: 'read', error: abortReason(opts.signal), removedBindings: [] });
      continue;
    }
    opts.onEvent?.({ type: 'account', id: sa.id, name: sa.name });
    outcomes.push(await removeServiceAccountIfUnused(gateway, sa.id, { signal: opts.signal, waitSignal: opts.waitSignal }));
  }
  return outcomes;
}

/**
 * The `revoke` use-case: delete API keys, one outcome per key, and optionally the service accounts
 * left without keys (only ones aistudio-key made). `rotate` reuses `revokeKey` for the old key.
 * Typed input in, typed result out; no printing.
 */
import { AppError, InternalError, InterruptedError, NotFoundError } from '../errors.js';
import type { AccessBinding, ApiKey, CloudGateway, ServiceAccount } from '../cloud/types.js';
import { isManagedAccount } from './accounts.js';
import { issuedByAistudioKey, recordedRoles } from './adoption.js';

/** What happened to one key. */
export type RevokeKeyOutcome =
  | { status: 'revoked'; id: string; apiKey: ApiKey }
  /** No such key (already revoked, or never visible to this credential). `apiKey` when it vanished between reading and deleting. */
  | { status: 'already-gone'; id: string; apiKey?: ApiKey }
  /** `apiKey` when it could be read before the delete failed. */
  | { status: 'failed'; id: string; error: AppError; apiKey?: ApiKey };

/** Why an account was kept by --with-service-account. */
export type KeptReason =
  /** It lacks the managed-by=aistudio-key label: somebody else made it and may rely on it. */
  | 'not-managed'
  /** It still holds other API keys. */
  | 'has-other-keys';

/** What happened to one account. */
export type AccountOutcome =
  | { status: 'deleted'; serviceAccount: ServiceAccount; removedBindings: AccessBinding[] }
  | { status: 'kept'; serviceAccount: ServiceAccount; reason: KeptReason; otherKeys: string[] }
  | { status: 'already-gone'; id: string }
  /** `step` says how far it got: the bindings are removed before the account is deleted. */
  | { status: 'failed'; id: string; serviceAccount?: ServiceAccount; step: 'read' | 'list-keys' | 'remove-bindings' | 'delete'; error: AppError; removedBindings: AccessBinding[] };

export interface RevokeKeysInput {
  keyIds: readonly string[];
  /** Also delete each affected account that holds no other keys and that aistudio-key made. */
  withServiceAccount: boolean;
}

/**
 * Roles aistudio-key granted an adopted account (adoption.ts), looked at when a revoked key recorded
 * some: taken back once no key aistudio-key issued remains on the account.
 */
export type AdoptedRolesOutcome =
  /** `removed`: recorded roles still bound, now removed; `remaining`: the account's other roles on the folder. */
  | { status: 'returned'; serviceAccount: ServiceAccount; removed: string[]; remaining: string[] }
  /** Other keys aistudio-key issued are still on the account and rely on the roles. */
  | { status: 'kept'; serviceAccount: ServiceAccount; roles: string[]; otherKeys: string[] }
  | { status: 'failed'; id: string; roles: string[]; error: AppError };

export interface RevokeKeysResult {
  keys: RevokeKeyOutcome[];
  /** Empty unless withServiceAccount. */
  serviceAccounts: AccountOutcome[];
  /** One per adopted account whose revoked key recorded roles aistudio-key granted it. */
  adoptedRoles: AdoptedRolesOutcome[];
}

export type RevokeEvent = { type: 'key'; id: string } | { type: 'account'; id: string };

export interface RevokeOptions {
  /**
   * Aborting stops at the next item: work sent to the cloud is waited for, items not started are
   * reported `failed` with the signal's reason. Deletes are not given this signal (an abandoned delete
   * would leave us not knowing whether the key is gone).
   */
  signal?: AbortSignal;
  /** The only signal deletes get: stop waiting for their operations (a grace period after `signal`). */
  waitSignal?: AbortSignal;
  onEvent?: (event: RevokeEvent) => void;
  /** Keys the caller has already read (to show them in a confirmation), so they are not read again. */
  known?: ReadonlyMap<string, ApiKey>;
}

/** `signal` for reads; `waitSignal` for the deletes' operations (see RevokeOptions). */
export interface MutationOptions {
  signal?: AbortSignal;
  waitSignal?: AbortSignal;
}

/** An AppError as is; anything else (a bug) wrapped in an InternalError. */
export function asAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new InternalError(error instanceof Error ? error.message : String(error), { cause: error });
}

/** The aborted signal's reason when it is an AppError, else an InterruptedError. */
export function abortReason(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  return reason instanceof AppError ? reason : new InterruptedError('Interrupted before this item was started.');
}

/**
 * Revokes one key: reads it (to learn its account), then deletes it. Never throws for a per-key
 * failure; the outcome says what happened.
 * @param known the key when the caller has already read it (rotate), to skip the read.
 * @returns 'revoked', 'already-gone' (NOT_FOUND on read or delete), or 'failed' with the mapped error.
 */
export async function revokeKey(gateway: CloudGateway, id: string, opts: MutationOptions & { known?: ApiKey } = {}): Promise<RevokeKeyOutcome> {
  let apiKey = opts.known;
  try {
    apiKey ??= await gateway.getApiKey(id, { signal: opts.signal });
  } catch (error) {
    if (error instanceof NotFoundError) return { status: 'already-gone', id };
    return { status: 'failed', id, error: asAppError(error) };
  }
  try {
    await gateway.deleteApiKey(id, { signal: opts.waitSignal });
    return { status: 'revoked', id, apiKey };
  } catch (error) {
    if (error instanceof NotFoundError) return { status: 'already-gone', id, apiKey };
    return { status: 'failed', id, error: asAppError(error), apiKey };
  }
}

/**
 * Deletes a service account when it is safe to: aistudio-key made it (label) and it holds no API
 * keys. Its bindings on its own folder are removed first, with one UpdateAccessBindings call of
 * REMOVE deltas naming exactly the account's bindings (never SetAccessBindings, so nobody else's
 * role is touched); then the account is deleted. Bindings on other folders or the cloud are not
 * looked for: `create` makes none.
 * @returns the outcome; never throws for a cloud failure.
 */
export async function removeServiceAccountIfUnused(gateway: CloudGateway, id: string, opts: MutationOptions = {}): Promise<AccountOutcome> {
  let sa: ServiceAccount;
  try {
    sa = await gateway.getServiceAccount(id, { signal: opts.signal });
  } catch (error) {
    if (error instanceof NotFoundError) return { status: 'already-gone', id };
    return { status: 'failed', id, step: 'read', error: asAppError(error), removedBindings: [] };
  }
  if (!isManagedAccount(sa)) return { status: 'kept', serviceAccount: sa, reason: 'not-managed', otherKeys: [] };

  let others: ApiKey[];
  try {
    others = await gateway.listApiKeys(sa.id, { signal: opts.signal });
  } catch (error) {
    return { status: 'failed', id, serviceAccount: sa, step: 'list-keys', error: asAppError(error), removedBindings: [] };
  }
  if (others.length > 0) return { status: 'kept', serviceAccount: sa, reason: 'has-other-keys', otherKeys: others.map((k) => k.id) };

  let mine: AccessBinding[] = [];
  try {
    const bindings = await gateway.listFolderAccessBindings(sa.folderId, { signal: opts.signal });
    mine = bindings.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === sa.id);
    if (mine.length > 0) await gateway.removeFolderAccessBindings(sa.folderId, mine, { signal: opts.waitSignal });
  } catch (error) {
    return { status: 'failed', id, serviceAccount: sa, step: 'remove-bindings', error: asAppError(error), removedBindings: [] };
  }
  try {
    await gateway.deleteServiceAccount(sa.id, { signal: opts.waitSignal });
  } catch (error) {
    if (error instanceof NotFoundError) return { status: 'deleted', serviceAccount: sa, removedBindings: mine };
    return { status: 'failed', id, serviceAccount: sa, step: 'delete', error: asAppError(error), removedBindings: mine };
  }
  return { status: 'deleted', serviceAccount: sa, removedBindings: mine };
}

/**
 * After the keys recording `recorded` were revoked from adopted account `id`: when no key
 * aistudio-key issued remains on it, removes (REMOVE deltas) the recorded roles it still holds on
 * its folder — never a role that is not recorded, never another subject's.
 * @returns the outcome; never throws for a cloud failure.
 */
export async function returnAdoptedRoles(gateway: CloudGateway, id: string, recorded: readonly string[], opts: MutationOptions = {}): Promise<AdoptedRolesOutcome | undefined> {
  try {
    const sa = await gateway.getServiceAccount(id, { signal: opts.signal });
    // An account aistudio-key made goes with --with-service-account, roles and all.
    if (isManagedAccount(sa)) return undefined;
    const ours = (await gateway.listApiKeys(sa.id, { signal: opts.signal })).filter(issuedByAistudioKey);
    if (ours.length > 0) return { status: 'kept', serviceAccount: sa, roles: [...recorded], otherKeys: ours.map((k) => k.id) };
    const held = (await gateway.listFolderAccessBindings(sa.folderId, { signal: opts.signal })).filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === sa.id);
    const wanted = new Set(recorded);
    const back = held.filter((b) => wanted.has(b.roleId));
    if (back.length > 0) await gateway.removeFolderAccessBindings(sa.folderId, back, { signal: opts.waitSignal });
    return { status: 'returned', serviceAccount: sa, removed: back.map((b) => b.roleId), remaining: held.filter((b) => !wanted.has(b.roleId)).map((b) => b.roleId) };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    return { status: 'failed', id, roles: [...recorded], error: asAppError(error) };
  }
}

/**
 * Revokes each key in order (duplicates once), then, with `withServiceAccount`, looks at each
 * account a revoked key belonged to (see removeServiceAccountIfUnused).
 * @returns one outcome per distinct key and per affected account. Never throws for a cloud failure;
 *   the caller decides the exit code from the outcomes.
 */
export async function revokeKeys(gateway: CloudGateway, input: RevokeKeysInput, opts: RevokeOptions = {}): Promise<RevokeKeysResult> {
  const keys: RevokeKeyOutcome[] = [];
  for (const id of new Set(input.keyIds)) {
    if (opts.signal?.aborted) {
      keys.push({ status: 'failed', id, error: abortReason(opts.signal) });
      continue;
    }
    opts.onEvent?.({ type: 'key', id });
    keys.push(await revokeKey(gateway, id, { signal: opts.signal, waitSignal: opts.waitSignal, known: opts.known?.get(id) }));
  }

  const adoptedRoles: AdoptedRolesOutcome[] = [];
  const recordedByAccount = new Map<string, string[]>();
  for (const k of keys) {
    const roles = k.status === 'revoked' ? recordedRoles(k.apiKey.description) : [];
    if (k.status === 'revoked' && roles.length > 0) recordedByAccount.set(k.apiKey.serviceAccountId, [...new Set([...(recordedByAccount.get(k.apiKey.serviceAccountId) ?? []), ...roles])]);
  }
  for (const [id, roles] of recordedByAccount) {
    if (opts.signal?.aborted) {
      adoptedRoles.push({ status: 'failed', id, roles, error: abortReason(opts.signal) });
      continue;
    }
    const outcome = await returnAdoptedRoles(gateway, id, roles, { signal: opts.signal, waitSignal: opts.waitSignal });
    if (outcome) adoptedRoles.push(outcome);
  }

  const serviceAccounts: AccountOutcome[] = [];
  if (input.withServiceAccount) {
    const accountIds = new Set<string>();
    for (const k of keys) if (k.status !== 'failed' && k.apiKey) accountIds.add(k.apiKey.serviceAccountId);
    for (const id of accountIds) {
      if (opts.signal?.aborted) {
        serviceAccounts.push({ status: 'failed', id, step: 'read', error: abortReason(opts.signal), removedBindings: [] });
        continue;
      }
      opts.onEvent?.({ type: 'account', id });
      serviceAccounts.push(await removeServiceAccountIfUnused(gateway, id, { signal: opts.signal, waitSignal: opts.waitSignal }));
    }
  }
  return { keys, serviceAccounts, adoptedRoles };
}

/** The first failure among the outcomes (keys first), for the exit code. */
export function firstFailure(result: RevokeKeysResult): AppError | undefined {
  for (const k of result.keys) if (k.status === 'failed') return k.error;
  for (const a of result.serviceAccounts) if (a.status === 'failed') return a.error;
  for (const a of result.adoptedRoles) if (a.status === 'failed') return a.error;
  return undefined;
}

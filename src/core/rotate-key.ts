/**
 * The `rotate` use-case: a new API key on the same service account, with the old key's scopes and
 * description and a renewed expiry; the new key handed over; only then the old key revoked. Typed
 * input in, typed result out; no printing.
 *
 * The promise (create's), so a run ends in one of three states:
 * - done: the new key delivered, the old one revoked (or kept, with keepOld);
 * - as it was: the old key untouched and no new key, after any failure or interruption before the
 *   new key was delivered (a failed delivery included: nobody holds the new secret, so it goes);
 * - half done: the new key delivered and the old one still live, when revoking it failed or the run
 *   was interrupted after delivery. The error says so and names the key to revoke.
 *
 * The key is issued by create's `issueKey` (run marker, lost-answer recovery). Rotate changes no
 * account, role or label, so a key whose account aistudio-key did not make is rotated all the same:
 * the caller may already create and delete keys there (with `yc`), and the key is theirs.
 */
import type { ApiKey, CloudGateway, CreatedApiKey, ServiceAccount } from '../cloud/types.js';
import { isAmbiguousOutcome } from '../cloud/errors.js';
import { AppError, NotFoundError, UsageError } from '../errors.js';
import { recordedRoles } from './adoption.js';
import { issueKey, type CreateKeyEvent, type CreateKeyResult } from './create-key.js';
import { hasRunMarker, runMarker } from './run-marker.js';
import { DeliveryError, type Deliver } from './delivery.js';
import { abortReason, asAppError, revokeKey, type RevokeKeyOutcome } from './revoke-keys.js';

export interface RotateKeyInput {
  /** The key to replace (an ID already checked for shape). */
  keyId: string;
  /** The new key's expiry; undefined: it never expires. */
  expiresAt: Date | undefined;
  /** Leave the old key in place (the caller revokes it once apps have moved). */
  keepOld: boolean;
}

/** What is delivered: create's result for the new key, plus what it replaces. */
export interface RotateKeyResult extends CreateKeyResult {
  /** The key being replaced, as read before anything changed. */
  replaced: ApiKey;
  /**
   * The keys the cloud confirmed gone: empty when the result is delivered (the old key is deleted
   * only after that); the outcome lists the old key once its delete succeeded (or found it gone).
   */
  revoked: string[];
  /** --keep-old: the old key is left alone. */
  keepOld: boolean;
  /** Why `roles` is empty when the account's roles on its folder could not be read (rotation does not need them). */
  rolesUnread?: string;
}

/** The result after the old key was dealt with. */
export interface RotateKeyOutcome extends RotateKeyResult {
  /** 'already-gone': someone revoked it between the read and the delete (success all the same). */
  old: 'revoked' | 'already-gone' | 'kept';
}

export type RotateKeyStep = 'read' | 'issue-key' | 'deliver' | 'revoke-old' | 'clean-up';

/** create's events (the key call reports through them), with rotate's steps. */
export type RotateKeyEvent = Exclude<CreateKeyEvent, { type: 'step' }> | { type: 'step'; step: RotateKeyStep };

export interface RotateKeyOptions {
  /** As CreateKeyOptions.signal: no new work once aborted; what this run made is removed. */
  signal?: AbortSignal;
  /** As CreateKeyOptions.waitSignal: the only signal mutating calls get. */
  waitSignal?: AbortSignal;
  onEvent?: (event: RotateKeyEvent) => void;
  /** Marks the new key's description (see runMarker), for lost-answer recovery. */
  runId?: string;
  /**
   * Hands the result to whoever keeps the secret. Required: the old key is revoked only after it
   * resolved. If it throws, nobody holds the new secret: the new key is revoked, the old one kept.
   */
  deliver: Deliver<RotateKeyResult>;
  /**
   * Called once the old key and its account are read, before the new key is issued: the place for
   * read-only checks of where the key will go (delivery targets). If it throws, nothing changed.
   */
  beforeIssue?: (account: ServiceAccount) => Promise<void>;
}

/**
 * A key description without the run marker(s) `create` or an earlier `rotate` put at its end
 * (` [aistudio-key run <id>]`), so that the new key carries the user's text and only its own marker.
 */
export function stripRunMarker(description: string): string {
  const [head = '', tail = ''] = runMarker('\u0000').split('\u0000');
  let text = description;
  for (;;) {
    const at = text.lastIndexOf(head);
    if (at < 0 || !text.endsWith(tail) || !/^[a-z0-9]+$/.test(text.slice(at + head.length, text.length - tail.length))) return text;
    text = text.slice(0, at).trimEnd();
  }
}

/**
 * Reads the key and its account, issues the new key (same account, scopes and description; the
 * given expiry), delivers it, then revokes the old key unless keepOld.
 * @throws NotFoundError when the key does not exist (or is not visible); UsageError when it lists no
 *   scopes; AuthError/CloudError from the gateway before anything changed; DeliveryError (or the
 *   deliverer's AppError) after a failed delivery, the new key revoked; the signal's reason after an
 *   abort; after delivery, the error of revoking the old key, with a hint naming it.
 */
export async function rotateKey(gateway: CloudGateway, input: RotateKeyInput, opts: RotateKeyOptions): Promise<RotateKeyOutcome> {
  const { signal } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  if (signal?.aborted) throw abortReason(signal);

  emit({ type: 'step', step: 'read' });
  const old = await readKey(gateway, input.keyId, signal);
  if (old.scopes.length === 0) {
    throw new UsageError(`API key ${old.id} lists no scopes, so its replacement cannot be given the same ones (an empty list would get the cloud's ten default scopes).`, {
      hints: ['Create a replacement with the scopes it needs: `aistudio-key create --scopes …`.'],
    });
  }
  const account = await gateway.getServiceAccount(old.serviceAccountId, { signal });
  const roles = await accountRoles(gateway, account, signal);
  if (signal?.aborted) throw abortReason(signal);
  if (opts.beforeIssue) {
    await opts.beforeIssue(account);
    if (signal?.aborted) throw abortReason(signal);
  }

  emit({ type: 'step', step: 'issue-key' });
  const keyInput = { folderId: account.folderId, name: account.name, description: stripRunMarker(old.description), adoptedRoles: recordedRoles(old.description), roles: roles.roles, scopes: old.scopes, expiresAt: input.expiresAt };
  let created: CreatedApiKey;
  try {
    created = await issueKey(gateway, account, keyInput, { signal, waitSignal: opts.waitSignal, runId: opts.runId }, (e) => e.type !== 'step' && emit(e), () => !signal?.aborted);
  } catch (error) {
    const failure = signal?.aborted ? abortReason(signal) : asAppError(error);
    if (isAmbiguousOutcome(error) && opts.runId !== undefined) await sweepMarkedKeys(gateway, account.id, opts.runId, failure, emit);
    throw failure;
  }
  const newKey = created.apiKey;
  emit({ type: 'created', resource: { kind: 'api-key', id: newKey.id, serviceAccountId: account.id } });
  const kept = `the old key ${old.id} was not touched and still works`;
  if (signal?.aborted) throw await revokeNew(gateway, newKey, abortReason(signal), kept, emit);

  const result: RotateKeyResult = { secret: created.secret, apiKey: newKey, serviceAccount: account, roles: roles.roles, replaced: old, revoked: [], keepOld: input.keepOld };
  if (roles.unread !== undefined) result.rolesUnread = roles.unread;
  emit({ type: 'step', step: 'deliver' });
  try {
    await opts.deliver(result);
  } catch (error) {
    const failure = error instanceof AppError ? error : new DeliveryError(`Could not hand over the new key: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
    throw await revokeNew(gateway, newKey, failure, kept, emit);
  }
  if (input.keepOld) return { ...result, old: 'kept' };

  const halfDone = (error: AppError): AppError => {
    error.hints.push(`The new API key ${newKey.id} was delivered and works, but the old key ${old.id} is still live: revoke it with \`aistudio-key revoke --yes ${old.id}\` once nothing uses it.`);
    return error;
  };
  if (signal?.aborted) throw halfDone(abortReason(signal));
  emit({ type: 'step', step: 'revoke-old' });
  const outcome: RevokeKeyOutcome = await revokeKey(gateway, old.id, { waitSignal: opts.waitSignal, known: old });
  if (outcome.status === 'failed') throw halfDone(outcome.error);
  return { ...result, revoked: [old.id], old: outcome.status };
}

// ---------------------------------------------------------------------------------------------

async function readKey(gateway: CloudGateway, keyId: string, signal: AbortSignal | undefined): Promise<ApiKey> {
  try {
    return await gateway.getApiKey(keyId, { signal });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(`API key ${keyId} was not found: it was revoked already, or this credential cannot see it. Nothing was rotated.`, {
      status: 'NOT_FOUND',
      cause: error,
      hints: ['`aistudio-key list --all` lists the keys in a folder; rotate one of those, or issue a new key with `aistudio-key create`.'],
    });
  }
}

/** The account's roles on its own folder, for the result; a failed read is not a failed rotation. */
async function accountRoles(gateway: CloudGateway, account: ServiceAccount, signal: AbortSignal | undefined): Promise<{ roles: string[]; unread?: string }> {
  try {
    const bindings = await gateway.listFolderAccessBindings(account.folderId, { signal });
    return { roles: bindings.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === account.id).map((b) => b.roleId) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { roles: [], unread: asAppError(error).message };
  }
}

/**
 * Nobody holds the new key's secret (delivery failed, or the run was interrupted before it): revoke
 * the new key. Returns `error` with a hint saying what happened to both keys.
 */
async function revokeNew(gateway: CloudGateway, key: ApiKey, error: AppError, kept: string, emit: (e: RotateKeyEvent) => void): Promise<AppError> {
  emit({ type: 'step', step: 'clean-up' });
  // No signal: the delete must finish, or we would not know whether the key is gone.
  const outcome = await revokeKey(gateway, key.id, { known: key });
  if (outcome.status === 'failed') {
    error.hints.push(`Nobody received the secret of the new API key ${key.id}, and it could not be revoked (${outcome.error.message}): revoke it with \`aistudio-key revoke --yes ${key.id}\`; ${kept}.`);
  } else {
    emit({ type: 'removed', resource: { kind: 'api-key', id: key.id, serviceAccountId: key.serviceAccountId } });
    error.hints.push(`Nobody received the secret, so the new API key ${key.id} was revoked; ${kept}. Run the command again.`);
  }
  return error;
}

/**
 * After the key call failed ambiguously for good: a key carrying this run's marker may exist, its
 * secret lost. create deletes the account (and so the key); rotate must find the key and delete it.
 */
async function sweepMarkedKeys(gateway: CloudGateway, accountId: string, runId: string, error: AppError, emit: (e: RotateKeyEvent) => void): Promise<void> {
  emit({ type: 'step', step: 'clean-up' });
  try {
    for (const k of await gateway.listApiKeys(accountId)) {
      if (!hasRunMarker(k.description, runId)) continue;
      const outcome = await revokeKey(gateway, k.id, { known: k });
      if (outcome.status === 'failed') throw outcome.error;
      emit({ type: 'note', text: `deleted API key ${k.id}: made by this run, its secret lost with the answer` });
    }
    emit({ type: 'not-created', kind: 'api-key' });
  } catch (e) {
    error.hints.push(`This run may have made an API key on ${accountId} whose secret was lost, and could not remove it (${asAppError(e).message}): revoke keys whose description ends with ${runMarker(runId)}.`);
  }
}

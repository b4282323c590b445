/**
 * `ensure`: the idempotent CI bootstrap. A Lockbox secret is the source of truth for
 * "the live key": it holds `api-key-id` and `api-key`. Each run reads it and
 * - does nothing when the key it names exists, belongs to the account, and does not expire within
 *   the rotation window ("up to date": no call that changes anything);
 * - otherwise creates the account if missing (labelled managed-by, only the missing roles added in
 *   one ADD-only UpdateAccessBindings call), issues a key, writes it as a new version **based on the
 *   version it read**, checks that its version is the current one, and only then revokes the key
 *   the secret held before.
 *
 * Concurrent runs (two pipelines at once) must not leave two live keys from one decision. Lockbox
 * has no compare-and-swap, so a run
 * 1. re-reads the secret just before writing: a newer version naming another key means another run
 *    has rotated — it revokes its own new key and stops ("superseded"); a newer version naming the
 *    same old key (someone edited another entry) becomes the base instead;
 * 2. after writing, checks that the current version still names its key (else: revokes its own
 *    key, superseded);
 * 3. after revoking the previous key, checks once more, so a run that wrote just after it also
 *    makes this one take its key back.
 * What remains is a window of about one round trip (a run whose pre-write read came before
 * another's write, and whose write came after that other run's final check): two live keys, the
 * secret naming one; `aistudio-key list` shows the other.
 *
 * Failure after the key was issued (a Lockbox write refused, an abort): the key is revoked, roles
 * this run added are removed, and an account this run created is deleted — unless another run's
 * key lives on it — so nothing half-made remains.
 */
import { AlreadyExistsError, AppError, CloudError, InternalError, InterruptedError, NotFoundError, UsageError } from '../errors.js';
import { startedOperationOf } from '../cloud/errors.js';
import type { AccessBinding, ApiKey, CallOptions, CloudGateway, CreatedApiKey, LockboxSecret, ServiceAccount } from '../cloud/types.js';
import { isResourceId } from '../cloud/shapes.js';
import { confirmRemoved, keyDescription } from './create-key.js';
import { accountLabels, RUN_LABEL } from './run-marker.js';
import { foreignAccountError, isManagedAccount } from './accounts.js';
import { inheritedRoles } from './adoption.js';
import { grantDenied } from './roles.js';
import { whileAccountSettles, type SettleOptions } from './settle.js';
import { MANAGED_BY_LABEL } from './preset.js';
import { createKeyWithRetries } from './key-attempts.js';
import { assertActive, findLockboxSecret, settledSecret, lockboxEntries, LOCKBOX_SECRET_DESCRIPTION, type LockboxRequest } from './targets/lockbox.js';
import { LOCKBOX_ENTRY } from './targets/types.js';

export interface EnsureInput {
  /** Folder of the service account. */
  folderId: string;
  serviceAccountName: string;
  /** Allow an existing account aistudio-key did not make (no managed-by label); otherwise it is refused. */
  adopt: boolean;
  /** The secret (ID, or name looked up and created in `lockbox.folderId`). */
  lockbox: LockboxRequest;
  /** A key expiring within this many ms of `now` is rotated. */
  rotateBeforeMs: number;
  /** On a new account and on the key (the key's also carries the run marker). */
  description: string;
  roles: readonly string[];
  /** Never empty. */
  scopes: readonly string[];
  /** Expiry of a new key; undefined: never. */
  expiresAt: Date | undefined;
  now: Date;
}

/** Why a run rotates. */
export type EnsureReason =
  | 'secret-missing'
  | 'no-key-in-secret'
  | 'account-missing'
  | 'key-missing'
  | 'key-of-another-account'
  | 'key-expiring';

export type EnsureStep = 'read' | 'prepare-account' | 'issue-key' | 'write-secret' | 'verify' | 'revoke-previous' | 'clean-up';

export type EnsureEvent =
  | { type: 'step'; step: EnsureStep }
  /** Something this run made; `kind` keys it (one entry per kind), for what a forced exit may leave. */
  | { type: 'created'; kind: 'service-account' | 'role-bindings' | 'api-key'; description: string }
  | { type: 'removed'; kind: 'service-account' | 'role-bindings' | 'api-key' }
  | { type: 'note'; text: string };

export interface EnsureOptions {
  /** Start no new work; what was made is removed and the reason thrown. */
  signal?: AbortSignal;
  /** The only signal mutating calls get (see CreateKeyOptions.waitSignal). */
  waitSignal?: AbortSignal;
  /** Marks the key's description, so a key whose answer was lost can be found and deleted. */
  runId?: string;
  onEvent?: (event: EnsureEvent) => void;
  /** Hears every secret the run holds (the one read from the secret, the new key's), so the caller can keep them off stderr. */
  onSecret?: (secret: string) => void;
  /** Waiting out a new account's eventual consistency (core/settle.ts); without it no wait. */
  settle?: Pick<SettleOptions, 'sleep' | 'now'>;
}

export interface SecretRef {
  id: string;
  folderId: string;
  /** The version holding the live key. */
  versionId: string;
}

export type EnsureResult =
  | { status: 'up-to-date'; secret: SecretRef; apiKey: ApiKey; serviceAccount: ServiceAccount; rotateBeforeMs: number }
  | {
      status: 'rotated';
      reason: EnsureReason;
      secret: SecretRef & { created: boolean };
      apiKey: ApiKey;
      serviceAccount: ServiceAccount & { created: boolean };
      rolesAdded: string[];
      /** The key the secret held before, if any: revoked now ('already-gone' when it did not exist). */
      previousKey: { id: string; outcome: 'revoked' | 'already-gone' } | undefined;
    }
  | {
      /** Another run rotated at the same time and won; this run's key was revoked. */
      status: 'superseded';
      reason: EnsureReason;
      secret: { id: string; folderId: string; versionId: string | undefined };
      revokedKeyId: string;
      serviceAccount: ServiceAccount;
    };

/**
 * Brings the Lockbox secret to a live key (see the module comment).
 * @throws UsageError (bad secret ref, inactive secret, a name taken elsewhere in the cloud, an account
 *   aistudio-key did not make without `adopt`: before any change);
 *   NotFoundError (folder, secret ID); AuthError (a missing role: reading the secret's payload needs
 *   `lockbox.payloadViewer`); CloudError; InterruptedError (or the signal's reason) after an abort —
 *   in every failure after the key was issued, what this run made has been removed (hints say so).
 */
export async function ensureKey(gateway: CloudGateway, input: EnsureInput, opts: EnsureOptions = {}): Promise<EnsureResult> {
  if (input.scopes.length === 0) throw new UsageError('--scopes: give at least one scope');
  if (input.roles.length === 0) throw new UsageError('--roles: give at least one role');
  const emit = opts.onEvent ?? (() => undefined);
  const read: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const write: CallOptions = opts.waitSignal ? { signal: opts.waitSignal } : {};
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw abortError(opts.signal);
  };

  // ---- 1. What is there ------------------------------------------------------------------------
  emit({ type: 'step', step: 'read' });
  const [secret, account] = await Promise.all([
    findLockboxSecret(gateway, input.lockbox, read),
    gateway.findServiceAccountByName(input.folderId, input.serviceAccountName, read),
  ]);
  const settled = secret ? await settledSecret(gateway, secret, input.lockbox, read) : undefined;
  if (settled) assertActive(settled);
  if (account && !input.adopt && !isManagedAccount(account)) throw foreignAccountError('--service-account', account);
  let base: { versionId: string; keyId: string | undefined } | undefined;
  if (secret?.currentVersionId) {
    const payload = await gateway.getSecretPayload(secret.id, undefined, read);
    // The entry is data anyone with write access put there: only an ID-shaped value names a key.
    const named = payload.entries[LOCKBOX_ENTRY.apiKeyId];
    base = { versionId: payload.versionId, keyId: named && isResourceId(named) ? named : undefined };
    const held = payload.entries[LOCKBOX_ENTRY.apiKey];
    if (held) opts.onSecret?.(held);
  }

  // ---- 2. Decide -------------------------------------------------------------------------------
  let reason: EnsureReason;
  if (!secret) reason = 'secret-missing';
  else if (!base?.keyId) reason = 'no-key-in-secret';
  else if (!account) reason = 'account-missing';
  else {
    let key: ApiKey | undefined;
    try {
      key = await gateway.getApiKey(base.keyId, read);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    if (!key) reason = 'key-missing';
    else if (key.serviceAccountId !== account.id) reason = 'key-of-another-account';
    else if (key.expiresAt && key.expiresAt.getTime() - input.now.getTime() <= input.rotateBeforeMs) reason = 'key-expiring';
    else {
      return {
        status: 'up-to-date',
        secret: { id: secret.id, folderId: secret.folderId, versionId: base.versionId },
        apiKey: key,
        serviceAccount: account,
        rotateBeforeMs: input.rotateBeforeMs,
      };
    }
  }
  emit({ type: 'note', text: `rotating: ${reason}${base?.keyId ? ` (the secret holds key ${base.keyId}, version ${base.versionId})` : ''}` });
  checkAbort();

  // ---- 3. Account and roles --------------------------------------------------------------------
  const made: Made = { folderId: input.folderId, account: undefined, accountCreated: false, bindings: [], key: undefined };
  try {
    emit({ type: 'step', step: 'prepare-account' });
    made.account = account ?? (await createAccount(gateway, input, made, write, emit, opts.runId));
    const sa = made.account;
    checkAbort();
    const missing = made.accountCreated ? [...input.roles] : await missingRoles(gateway, input, sa, read);
    // Adopted: the key records what aistudio-key granted here, now and before (adoption.ts).
    const adopted = made.accountCreated || isManagedAccount(sa) ? [] : [...new Set([...inheritedRoles(await gateway.listApiKeys(sa.id, read)), ...missing])];
    if (missing.length > 0) {
      const subject = { type: 'serviceAccount', id: sa.id };
      const wanted = missing.map((roleId) => ({ roleId, subject }));
      const settle = made.accountCreated ? settleFor(opts, emit) : undefined;
      const reported = await whileAccountSettles(() => gateway.addFolderAccessBindings(input.folderId, wanted, write), [sa.id], settle)
        .catch((error: unknown) => { throw grantDenied(error, missing, input.folderId); });
      // A new account holds only what this run granted, whatever the answer reported.
      made.bindings = made.accountCreated ? wanted : reported;
      if (made.bindings.length > 0) emit({ type: 'created', kind: 'role-bindings', description: `roles ${made.bindings.map((b) => b.roleId).join(', ')} of ${sa.id} on folder ${input.folderId}` });
    }
    checkAbort();

    // ---- 4. The key ----------------------------------------------------------------------------
    emit({ type: 'step', step: 'issue-key' });
    made.key = await issueKey(gateway, sa, input, made.accountCreated ? opts : { ...opts, settle: undefined }, emit, write, adopted);
    opts.onSecret?.(made.key.secret);
    emit({ type: 'created', kind: 'api-key', description: `API key ${made.key.apiKey.id}` });
    checkAbort();
  } catch (error) {
    throw await rollBack(gateway, made, asAppError(error, opts.signal), emit);
  }
  const sa = made.account;
  const created = made.key;

  // ---- 5. Write ----------------------------------------------------------------------------------
  emit({ type: 'step', step: 'write-secret' });
  const entries = lockboxEntries({ apiKeyId: created.apiKey.id, secret: created.secret });
  let written: { secretId: string; versionId: string; folderId: string; created: boolean } | undefined;
  let lost: { id: string; folderId: string; versionId: string | undefined } | undefined;
  try {
    if (secret) {
      // Another version since we read? Fine if it still names the key we decided to replace (someone
      // edited another entry): base on it. Otherwise another run has rotated.
      let baseVersionId = base?.versionId;
      const now = await gateway.getSecret(secret.id, read);
      if (now.currentVersionId !== baseVersionId) {
        const keyNow = now.currentVersionId ? await keyIdIn(gateway, secret.id, now.currentVersionId, read) : undefined;
        if (keyNow === base?.keyId) baseVersionId = now.currentVersionId;
        else lost = { id: secret.id, folderId: secret.folderId, versionId: now.currentVersionId };
      }
      if (!lost) {
        const { versionId } = await gateway.addSecretVersion(
          { secretId: secret.id, baseVersionId, entries, description: `API key ${created.apiKey.id} (aistudio-key ensure)` },
          write,
        );
        written = { secretId: secret.id, versionId, folderId: secret.folderId, created: false };
      }
    } else {
      try {
        const r = await gateway.createSecret(
          { folderId: input.lockbox.folderId, name: input.lockbox.ref, description: LOCKBOX_SECRET_DESCRIPTION, labels: { ...MANAGED_BY_LABEL }, entries },
          write,
        );
        written = { ...r, folderId: input.lockbox.folderId, created: true };
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        const theirs = await gateway.findSecretByName(input.lockbox.folderId, input.lockbox.ref, read).catch(() => undefined);
        const holds = theirs?.currentVersionId ? await keyIdIn(gateway, theirs.id, theirs.currentVersionId, read).catch(() => undefined) : undefined;
        if (theirs?.currentVersionId && holds === created.apiKey.id) {
          // This run's own create, its answer lost and the repeat refused (Lockbox ignoring the
          // idempotency-key): the secret holds this run's key, so the write landed.
          emit({ type: 'note', text: `secret ${theirs.id} was created by this run; its answer had been lost` });
          written = { secretId: theirs.id, versionId: theirs.currentVersionId, folderId: input.lockbox.folderId, created: true };
        } else {
          // Another run created the secret since we looked: it holds that run's key.
          lost = { id: theirs?.id ?? '', folderId: input.lockbox.folderId, versionId: theirs?.currentVersionId };
        }
      }
    }
  } catch (error) {
    // A lost answer may hide a write that landed: if the current version holds our key, it did.
    const landed = secret ? await versionHolding(gateway, secret.id, created.apiKey.id, read) : undefined;
    if (!landed || !secret) throw await rollBack(gateway, made, asAppError(error, opts.signal), emit);
    emit({ type: 'note', text: `the write failed (${messageOf(error)}) but version ${landed} holds this run's key: going on` });
    written = { secretId: secret.id, versionId: landed, folderId: secret.folderId, created: false };
  }
  if (lost) return superseded(gateway, made, reason, lost, emit);
  if (!written) throw new InternalError('The Lockbox write settled without a version.');
  const ref: SecretRef = { id: written.secretId, folderId: written.folderId, versionId: written.versionId };

  // ---- 6. Verify, revoke the previous key, verify again -----------------------------------------
  // From here the secret holds the new key: a failure is reported, never rolled back.
  /** undefined while the current version is ours, or a later one still naming our key (an edit of another entry). */
  const stillOurs = async (): Promise<LockboxSecret | undefined> => {
    const now = await gateway.getSecret(ref.id, read);
    if (now.currentVersionId === ref.versionId) return undefined;
    const keyNow = now.currentVersionId ? await keyIdIn(gateway, ref.id, now.currentVersionId, read) : undefined;
    return keyNow === created.apiKey.id ? undefined : now;
  };
  let previousKey: { id: string; outcome: 'revoked' | 'already-gone' } | undefined;
  try {
    emit({ type: 'step', step: 'verify' });
    let other = await stillOurs();
    if (other) return await superseded(gateway, made, reason, { id: ref.id, folderId: ref.folderId, versionId: other.currentVersionId }, emit);
    if (base?.keyId && base.keyId !== created.apiKey.id) {
      emit({ type: 'step', step: 'revoke-previous' });
      try {
        await gateway.deleteApiKey(base.keyId, write);
        previousKey = { id: base.keyId, outcome: 'revoked' };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        previousKey = { id: base.keyId, outcome: 'already-gone' };
      }
    }
    other = await stillOurs();
    if (other) return await superseded(gateway, made, reason, { id: ref.id, folderId: ref.folderId, versionId: other.currentVersionId }, emit);
  } catch (error) {
    const e = asAppError(error, undefined);
    const stale = base?.keyId && base.keyId !== created.apiKey.id && !previousKey ? ` The previous key ${base.keyId} may still be live: revoke it with \`aistudio-key revoke ${base.keyId}\`.` : '';
    e.hints.push(`Lockbox secret ${ref.id} holds the new key ${created.apiKey.id} (version ${ref.versionId}).${stale}`);
    throw e;
  }

  return {
    status: 'rotated',
    reason,
    secret: { ...ref, created: written.created },
    apiKey: created.apiKey,
    serviceAccount: { ...sa, created: made.accountCreated },
    rolesAdded: made.bindings.map((b) => b.roleId),
    previousKey,
  };
}

// ---------------------------------------------------------------------------------------------

interface Made {
  folderId: string;
  account: ServiceAccount | undefined;
  accountCreated: boolean;
  /** Bindings this run added (the effective deltas). */
  bindings: AccessBinding[];
  key: CreatedApiKey | undefined;
}

function settleFor(opts: EnsureOptions, emit: (e: EnsureEvent) => void): SettleOptions | undefined {
  return opts.settle ? { ...opts.settle, signal: opts.signal, onWait: (text) => emit({ type: 'note', text }) } : undefined;
}

async function createAccount(gateway: CloudGateway, input: EnsureInput, made: Made, write: CallOptions, emit: (e: EnsureEvent) => void, runId: string | undefined): Promise<ServiceAccount> {
  try {
    const sa = await gateway.createServiceAccount(
      { folderId: input.folderId, name: input.serviceAccountName, description: input.description, labels: accountLabels(runId) },
      write,
    );
    made.accountCreated = true;
    emit({ type: 'created', kind: 'service-account', description: `service account ${sa.name} (${sa.id}) in folder ${sa.folderId}` });
    return sa;
  } catch (error) {
    const started = startedOperationOf(error);
    if (started?.resourceId) {
      // Accepted, outcome unknown: remove it by id with the rest.
      made.account = { id: started.resourceId, folderId: input.folderId, name: input.serviceAccountName, description: input.description, labels: { ...MANAGED_BY_LABEL }, createdAt: undefined };
      made.accountCreated = true;
      throw error;
    }
    if (!(error instanceof AlreadyExistsError)) throw error;
    // A concurrent run may just have created it in this folder: use that one.
    const theirs = await gateway.findServiceAccountByName(input.folderId, input.serviceAccountName, write);
    if (theirs && runId !== undefined && theirs.labels[RUN_LABEL] === runId) {
      // Made by this run: an earlier attempt whose answer was lost, repeated by a service that
      // ignores idempotency keys. It is this run's to clean up.
      made.accountCreated = true;
      emit({ type: 'created', kind: 'service-account', description: `service account ${theirs.name} (${theirs.id}) in folder ${theirs.folderId}` });
      return theirs;
    }
    if (theirs) {
      emit({ type: 'note', text: `service account ${theirs.id} appeared meanwhile (another run?); using it` });
      return theirs;
    }
    throw new UsageError(
      `--service-account: the name "${input.serviceAccountName}" is taken by a service account in another folder of this cloud (names are unique per cloud)`,
      { hints: ['Pass the folder that holds it with --folder-id, or choose another name.'] },
    );
  }
}

async function missingRoles(gateway: CloudGateway, input: EnsureInput, sa: ServiceAccount, read: CallOptions): Promise<string[]> {
  const bindings = await gateway.listFolderAccessBindings(input.folderId, read);
  const held = new Set(bindings.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === sa.id).map((b) => b.roleId));
  return input.roles.filter((r) => !held.has(r));
}

/** ApiKeyService.Create with the run marker; after an ambiguous failure, deletes marked orphans and tries again (key-attempts.ts). */
function issueKey(
  gateway: CloudGateway,
  sa: ServiceAccount,
  input: EnsureInput,
  opts: EnsureOptions,
  emit: (e: EnsureEvent) => void,
  write: CallOptions,
  adoptedRoles: readonly string[],
): Promise<CreatedApiKey> {
  const request = { serviceAccountId: sa.id, description: keyDescription(input.description, opts.runId, adoptedRoles), scopes: [...input.scopes], expiresAt: input.expiresAt };
  return createKeyWithRetries(gateway, request, {
    runId: opts.runId,
    write,
    signal: opts.signal,
    keepGoing: () => !(opts.signal?.aborted ?? false),
    note: (text) => emit({ type: 'note', text }),
    settle: settleFor(opts, emit),
  });
}

/** The `api-key-id` a version holds. */
async function keyIdIn(gateway: CloudGateway, secretId: string, versionId: string, read: CallOptions): Promise<string | undefined> {
  return (await gateway.getSecretPayload(secretId, versionId, read)).entries[LOCKBOX_ENTRY.apiKeyId] || undefined;
}

/** The version id when the secret's current version holds `keyId` (a write whose answer was lost landed). */
async function versionHolding(gateway: CloudGateway, secretId: string, keyId: string, read: CallOptions): Promise<string | undefined> {
  try {
    const payload = await gateway.getSecretPayload(secretId, undefined, read);
    return payload.entries[LOCKBOX_ENTRY.apiKeyId] === keyId ? payload.versionId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Another run won: revoke this run's key. The account and its roles stay (the winner's key may live
 * on them) unless this run created the account and no other key is on it.
 */
async function superseded(
  gateway: CloudGateway,
  made: Made,
  reason: EnsureReason,
  secret: { id: string; folderId: string; versionId: string | undefined },
  emit: (e: EnsureEvent) => void,
): Promise<EnsureResult> {
  const key = made.key;
  const sa = made.account;
  if (!key || !sa) throw new InternalError('superseded before a key was issued');
  emit({ type: 'note', text: `another run wrote secret ${secret.id} at the same time (current version ${secret.versionId ?? 'unknown'}); revoking this run's key ${key.apiKey.id}` });
  emit({ type: 'step', step: 'clean-up' });
  const report = await cleanUp(gateway, made, emit, { shared: true });
  if (report.left.length > 0) {
    const error = new CloudError(`Another run updated Lockbox secret ${secret.id} at the same time, and this run's own key could not be taken back.`, {
      hints: [`Could not clean up: ${report.left.join('; ')}.`],
    });
    throw error;
  }
  return { status: 'superseded', reason, secret, revokedKeyId: key.apiKey.id, serviceAccount: sa };
}

/** Removes what `made` holds and returns `error` with the report in its hints. Never throws. */
async function rollBack(gateway: CloudGateway, made: Made, error: AppError, emit: (e: EnsureEvent) => void): Promise<AppError> {
  if (!made.key && made.bindings.length === 0 && !made.accountCreated) return error;
  emit({ type: 'step', step: 'clean-up' });
  const report = await cleanUp(gateway, made, emit, { shared: false });
  if (report.removed.length > 0) error.hints.push(`Cleaned up what this run created: ${report.removed.join(', ')}.`);
  if (report.left.length > 0) error.hints.push(`Could not clean up: ${report.left.join('; ')}.`);
  return error;
}

/**
 * `shared`: another run won and may rely on the account and the roles (it saw the same missing roles
 * and its ADD was a no-op because ours came first): only an account this run created and nobody
 * else's key is on goes, with its roles.
 */
async function cleanUp(gateway: CloudGateway, made: Made, emit: (e: EnsureEvent) => void, o: { shared: boolean }): Promise<{ removed: string[]; left: string[] }> {
  const removed: string[] = [];
  const left: string[] = [];
  const sa = made.account;
  if (made.key) {
    const id = made.key.apiKey.id;
    try {
      await gateway.deleteApiKey(id);
      removed.push(`API key ${id}`);
      emit({ type: 'removed', kind: 'api-key' });
    } catch (e) {
      if (e instanceof NotFoundError) emit({ type: 'removed', kind: 'api-key' });
      else left.push(`API key ${id} (${messageOf(e)}; revoke it with \`aistudio-key revoke ${id}\`)`);
    }
  }
  if (!sa) return { removed, left };
  // An account this run created goes, unless another run's key is on it (a concurrent run adopted it).
  let deleteAccount = made.accountCreated;
  if (deleteAccount) {
    try {
      const keys = await gateway.listApiKeys(sa.id);
      if (keys.some((k) => k.id !== made.key?.apiKey.id)) deleteAccount = false;
    } catch (e) {
      if (!(e instanceof NotFoundError)) deleteAccount = false;
    }
  }
  if (made.bindings.length > 0 && (deleteAccount || (!made.accountCreated && !o.shared))) {
    const roles = made.bindings.map((b) => b.roleId);
    try {
      await gateway.removeFolderAccessBindings(made.folderId, made.bindings);
      // Reported as removed only when the folder no longer lists them (create-key.ts cleanUp says why).
      const confirmed = await confirmRemoved(gateway, made.folderId, made.bindings);
      const gone = confirmed.removed.map((b) => b.roleId);
      if (gone.length > 0) {
        removed.push(`role${gone.length === 1 ? '' : 's'} ${gone.join(', ')} of ${sa.id} on folder ${made.folderId}`);
        emit({ type: 'removed', kind: 'role-bindings' });
      }
      if (confirmed.left.kind === 'unknown') left.push(`possibly roles ${roles.join(', ')} of ${sa.id} on folder ${made.folderId} (removal accepted, not confirmed: ${confirmed.left.reason})`);
      else if (confirmed.left.bindings.length > 0) left.push(`roles ${confirmed.left.bindings.map((b) => b.roleId).join(', ')} of ${sa.id} on folder ${made.folderId} (the cloud accepted their removal but still lists them)`);
    } catch (e) {
      left.push(`roles ${roles.join(', ')} of ${sa.id} on folder ${made.folderId} (${messageOf(e)})`);
    }
  }
  if (deleteAccount) {
    try {
      await gateway.deleteServiceAccount(sa.id);
      removed.push(`service account ${sa.name} (${sa.id})`);
      emit({ type: 'removed', kind: 'service-account' });
    } catch (e) {
      if (e instanceof NotFoundError) emit({ type: 'removed', kind: 'service-account' });
      else left.push(`service account ${sa.name} (${sa.id}) (${messageOf(e)}; delete it with \`yc iam service-account delete ${sa.id}\`)`);
    }
  }
  return { removed, left };
}

function abortError(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  return reason instanceof AppError ? reason : new InterruptedError('Interrupted.');
}

function asAppError(error: unknown, signal: AbortSignal | undefined): AppError {
  if (signal?.aborted) return abortError(signal);
  if (error instanceof AppError) return error;
  return new InternalError(messageOf(error), { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

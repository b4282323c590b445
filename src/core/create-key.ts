/**
 * The `create` use-case: a service account in a folder, its roles on the folder, one API key, and
 * the hand-over of the secret. Typed input in, typed result out; no printing. Progress and every
 * resource this run creates (or may have created) are reported through `onEvent`, so a caller can
 * show a spinner and say what may be left if the process is killed.
 *
 * The promise: a run either delivers a working key or leaves the cloud as it found it.
 * - A lost answer on an operation-returning call is repeated with the same idempotency-key (in
 *   src/cloud), so it never makes a second account or binding.
 * - ApiKeyService.Create has no operation and no known idempotency: every key this run asks for
 *   carries a run marker at the end of its description (` [aistudio-key run <runId>]`). After an
 *   ambiguous failure the account's keys are listed, those with this run's marker are deleted (their
 *   secret was lost with the answer), and the call is tried again, as often as --retries allows.
 * - Anything failing after the account exists, an abort, or a failed delivery undoes what was made.
 */
import { AlreadyExistsError, AppError, InternalError, InterruptedError, NotFoundError, UsageError } from '../errors.js';
import { isAmbiguousOutcome, startedOperationOf } from '../cloud/errors.js';
import type { AccessBinding, ApiKey, CloudGateway, CreatedApiKey, Folder, ServiceAccount, Subject } from '../cloud/types.js';
import { DeliveryError, type Deliver } from './delivery.js';
import { isManagedAccount } from './accounts.js';
import { inheritedRoles, rolesRecord, withoutRolesRecord } from './adoption.js';
import { createKeyWithRetries } from './key-attempts.js';
import { apiLength, cutToApiLength, DESCRIPTION_MAX } from './validate.js';
import { MANAGED_BY_LABEL } from './preset.js';
import { accountLabels, hasRunMarker, RUN_LABEL, runMarker } from './run-marker.js';
import { grantDenied, grantWarning, rolesBeyondHeld, rolesHeld } from './roles.js';
import { whileAccountSettles, type SettleOptions } from './settle.js';
import type { ResolvedFolder } from './target.js';

/** The API's limit on an API key's (and a service account's) description (validate.ts). */
export const MAX_DESCRIPTION = DESCRIPTION_MAX;

export interface CreateKeyInput {
  folderId: string;
  /** Service account name, already checked against the API's pattern. */
  name: string;
  /** Put on the account and on the key (the key's also carries the run marker). */
  description: string;
  roles: readonly string[];
  /** Never empty: an empty list makes the cloud grant its ten default scopes. */
  scopes: readonly string[];
  /** undefined: the key never expires. */
  expiresAt: Date | undefined;
  /**
   * Roles aistudio-key granted this (adopted) account, in this run and earlier ones: recorded on the
   * key (adoption.ts). createKey fills it for an account without the managed-by label.
   */
  adoptedRoles?: readonly string[];
  /**
   * `create --service-account`: issue the key on this existing account (already found, and checked
   * to be managed or adopted) instead of creating one. `name` and `description`'s use on the account
   * are then moot; only the roles it lacks on the folder are granted, and a failure never deletes it.
   */
  serviceAccount?: ServiceAccount;
}

export interface CreateKeyResult {
  /** Shown once. Never log it, never put it in an error. */
  secret: string;
  apiKey: ApiKey;
  serviceAccount: ServiceAccount;
  /** Roles the account holds on the folder through this run. */
  roles: string[];
  /**
   * The role bindings this run added (with an existing account, only the roles it lacked). Set by
   * createKey; not part of the JSON document, whose `roles` is the full list the account now holds
   * through this run.
   */
  rolesAdded?: string[];
}

/** Something this run made in the cloud. */
export type CreatedResource =
  | { kind: 'service-account'; id: string; name: string; folderId: string }
  | { kind: 'role-bindings'; folderId: string; serviceAccountId: string; roles: string[] }
  | { kind: 'api-key'; id: string; serviceAccountId: string };

/** Something a call in flight may be making; the id is known once the cloud accepted the call. */
export type PendingResource =
  | { kind: 'service-account'; id: string | undefined; name: string; folderId: string }
  | { kind: 'role-bindings'; folderId: string; serviceAccountId: string; roles: string[] }
  | { kind: 'api-key'; serviceAccountId: string; marker: string | undefined };

export type CreateKeyStep = 'create-service-account' | 'check-roles' | 'grant-roles-and-issue-key' | 'deliver' | 'clean-up';

export type CreateKeyEvent =
  /** `roles`: with 'grant-roles-and-issue-key', how many roles are being granted (0: none missing). */
  | { type: 'step'; step: CreateKeyStep; roles?: number }
  /** A call that makes `resource` is going out (again when the cloud accepted it and named the id). */
  | { type: 'starting'; resource: PendingResource }
  | { type: 'created'; resource: CreatedResource }
  /** The call for this kind of resource failed and surely made nothing. */
  | { type: 'not-created'; kind: CreatedResource['kind'] }
  | { type: 'removed'; resource: CreatedResource }
  /** Something worth a --debug line (no secrets). */
  | { type: 'note'; text: string };

export interface CreateKeyOptions {
  /**
   * Aborting stops the run at the next step boundary: no new work is started, work already sent to
   * the cloud is waited for (so its result is known), then everything this run made is removed and
   * the signal's reason (an AppError) or an InterruptedError is thrown.
   */
  signal?: AbortSignal;
  /**
   * Bounds that waiting: when it aborts (some grace after `signal`), waiting for the operations in
   * flight stops; what they make is then removed by the id the cloud gave when it accepted the call.
   * It is the only signal the mutating calls get: an abandoned call would leave a resource whose ID
   * we never learn, so the calls themselves are never cut.
   */
  waitSignal?: AbortSignal;
  onEvent?: (event: CreateKeyEvent) => void;
  /** When the name was generated: a fresh one to try if the cloud says the name is taken. */
  newName?: () => string;
  /**
   * Identifies this run on the API key (see runMarker). Without it the key carries the plain
   * description and an ambiguous failure of ApiKeyService.Create is not retried.
   */
  runId?: string;
  /**
   * The last step: hands the result to whoever keeps the secret (stdout, a file or Lockbox). If it throws, nobody holds the secret: the key is revoked, everything this run
   * made is removed, and a DeliveryError saying so is thrown. Without it the result is returned for
   * the caller to hand over.
   */
  deliver?: Deliver<CreateKeyResult>;
  /**
   * Clock and sleep for waiting out a new account's eventual consistency (settle.ts). Without it a
   * NOT_FOUND for the account just made fails the run at once.
   */
  settle?: Pick<SettleOptions, 'sleep' | 'now'>;
}

/** What a clean-up did, in words for the error's hints. */
export interface CleanupReport {
  removed: string[];
  left: string[];
}

/**
 * The key's description: the user's text, then the adoption record (adoption.ts) when there is one,
 * then the run marker. The user's text is cut (ending in "…") when all would not fit in the API's
 * 256 characters, so the markers always survive.
 */
export function keyDescription(description: string, runId: string | undefined, adoptedRoles: readonly string[] = []): string {
  if (runId === undefined) return description;
  const marker = [rolesRecord(adoptedRoles), runMarker(runId)].filter(Boolean).join(' ');
  description = withoutRolesRecord(description);
  const room = MAX_DESCRIPTION - marker.length - 1;
  const text = apiLength(description) <= room ? description : `${cutToApiLength(description, room - 1).trimEnd()}…`;
  return text ? `${text} ${marker}` : marker;
}


/**
 * Creates the service account (labelled managed-by: aistudio-key), then in parallel grants its roles
 * with one UpdateAccessBindings call of ADD deltas and issues the API key, then delivers the result
 * (when `opts.deliver` is given).
 *
 * If anything fails after the account exists — or the signal is aborted, or delivery fails — it
 * waits for in-flight calls to settle, deletes the key (if issued), removes the bindings this run
 * added (only the effective ones), deletes the account, and rethrows the first error with hints
 * saying what was cleaned up and what could not be.
 *
 * @throws UsageError when scopes are empty (a caller bug guard); AlreadyExistsError when the name is
 *   taken in the cloud; AuthError, CloudError, NotFoundError from the gateway; InterruptedError (or the
 *   signal's AppError reason) after an abort; DeliveryError when the result could not be handed over;
 *   InternalError wrapping anything unexpected.
 */
export async function createKey(gateway: CloudGateway, input: CreateKeyInput, opts: CreateKeyOptions = {}): Promise<CreateKeyResult> {
  if (input.scopes.length === 0) throw new UsageError('--scopes: give at least one scope (an empty list would grant the cloud\'s default scopes)');
  if (input.roles.length === 0) throw new UsageError('--roles: give at least one role');
  const emit = opts.onEvent ?? (() => undefined);
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);

  const roles = [...new Set(input.roles)];
  let made: Made;
  if (input.serviceAccount) {
    // An existing account: nothing is made until the roles it lacks are known.
    emit({ type: 'step', step: 'check-roles' });
    const account = input.serviceAccount;
    const held = new Set(
      (await gateway.listFolderAccessBindings(input.folderId, { signal }))
        .filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === account.id)
        .map((b) => b.roleId),
    );
    if (signal?.aborted) throw abortError(signal);
    made = { folderId: input.folderId, account, accountConfirmed: true, owned: false, runId: opts.runId, granted: roles.filter((r) => !held.has(r)), bindings: { state: 'not-started' }, key: { state: 'not-started' } };
    if (!isManagedAccount(account)) {
      // Adopted: the key records what aistudio-key granted here, now and before (adoption.ts).
      const earlier = inheritedRoles(await gateway.listApiKeys(account.id, { signal }));
      input = { ...input, adoptedRoles: [...new Set([...earlier, ...made.granted])] };
      if (opts.runId !== undefined && keyDescription('', opts.runId, input.adoptedRoles).length > MAX_DESCRIPTION) {
        throw new UsageError(`--roles: the roles granted to adopted account ${account.id} do not fit in the key's description (${MAX_DESCRIPTION} characters), where aistudio-key records them to take them back; grant some of them yourself first`);
      }
      if (signal?.aborted) throw abortError(signal);
    }
  } else {
    emit({ type: 'step', step: 'create-service-account' });
    made = await createServiceAccount(gateway, input, opts, emit);
    made.granted = roles;
    if (signal?.aborted) throw await rollBack(gateway, made, abortError(signal), emit);
  }
  const account = made.account;

  emit({ type: 'step', step: 'grant-roles-and-issue-key', roles: made.granted.length });
  const subject = { type: 'serviceAccount', id: account.id };
  const wanted = made.granted.map((roleId) => ({ roleId, subject }));
  // An existing account that holds every role: no bindings call at all.
  const bindingsCall = wanted.length === 0 ? Promise.resolve() : grantRoles(gateway, made, wanted, opts, emit);
  made.key = { state: 'in-flight' };
  // No second attempt at the key once the run is stopping or the bindings failed (it would be undone).
  const keepGoing = (): boolean => !signal?.aborted && (made.bindings as Made['bindings']).state !== 'failed';
  const keyCall = issueKey(gateway, account, input, made.owned ? opts : { ...opts, settle: undefined }, emit, keepGoing)
    .then((created) => {
      made.key = { state: 'done', created };
      emit({ type: 'created', resource: keyResource(created.apiKey) });
    })
    .catch((error: unknown) => {
      if (made.key.state !== 'done') made.key = { state: 'failed', ambiguous: isAmbiguousOutcome(error) };
      throw error;
    });
  const [bindings, key] = await Promise.allSettled([bindingsCall, keyCall]);

  const failures = [bindings, key].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const [first, ...rest] = failures;
    const error = signal?.aborted ? abortError(signal) : toAppError(first);
    for (const other of signal?.aborted ? failures : rest) {
      // After an abort, calls cut short by it are its consequence, not news.
      if (other instanceof InterruptedError) continue;
      const text = toAppError(other).message;
      if (text !== error.message) error.hints.push(`Also failed at the same time: ${text}`);
    }
    throw await rollBack(gateway, made, error, emit);
  }
  if (signal?.aborted) throw await rollBack(gateway, made, abortError(signal), emit);
  // (Read through a cast: the callbacks above changed it, which narrowing cannot see.)
  const issued = made.key as Made['key'];
  if (issued.state !== 'done') throw new InternalError('The API key call settled without a result.');

  const result: CreateKeyResult = {
    secret: issued.created.secret,
    apiKey: issued.created.apiKey,
    serviceAccount: account,
    roles,
    rolesAdded: made.bindings.state === 'done' ? made.bindings.effective.map((b) => b.roleId) : [],
  };
  if (opts.deliver) {
    emit({ type: 'step', step: 'deliver' });
    try {
      await opts.deliver(result);
    } catch (error) {
      throw await undoDelivery(gateway, made, error, emit);
    }
  }
  return result;
}

export interface CreateKeyPlan {
  folder: { id: string; name: string | undefined; cloudId: string | undefined };
  serviceAccount: { name: string; description: string; labels: Record<string, string> };
  roles: string[];
  apiKey: { description: string; scopes: string[]; expiresAt: Date | undefined };
  /** Bindings on the folder now (reading them proves the caller may see the folder's access list). */
  existingBindings: number;
  /** When the caller is known and its roles on the folder visibly fall short of the roles to grant. */
  grantWarning?: string;
}

/**
 * `--dry-run`: read-only checks, then the plan. Reads the folder, its access bindings and the
 * service accounts with the chosen name; changes nothing.
 * @throws UsageError when a service account with that name already exists in the folder (the real
 *   run would fail); AuthError, NotFoundError, CloudError from the gateway.
 */
export async function planCreateKey(
  gateway: CloudGateway,
  input: CreateKeyInput,
  folder: ResolvedFolder,
  opts: { signal?: AbortSignal; nameGiven: boolean; caller?: Subject | undefined } = { nameGiven: true },
): Promise<CreateKeyPlan> {
  const call = { signal: opts.signal };
  const [info, bindings, clash] = await Promise.all([
    folder.name ? Promise.resolve<Folder>({ id: folder.id, name: folder.name, cloudId: folder.cloudId ?? '' }) : gateway.getFolder(folder.id, call),
    gateway.listFolderAccessBindings(folder.id, call),
    gateway.findServiceAccountByName(folder.id, input.name, call),
  ]);
  if (clash) {
    throw new UsageError(
      opts.nameGiven
        ? `--name: a service account named "${input.name}" already exists in folder ${folder.id} (${clash.id}); choose another name`
        : `--name: the generated name "${input.name}" is taken in folder ${folder.id}; run again or pass --name`,
    );
  }
  const warning = opts.caller ? grantWarning(rolesBeyondHeld(rolesHeld(bindings, opts.caller), input.roles), folder.id) : undefined;
  return {
    folder: { id: info.id, name: info.name, cloudId: info.cloudId || undefined },
    serviceAccount: { name: input.name, description: input.description, labels: { ...MANAGED_BY_LABEL } },
    roles: [...input.roles],
    apiKey: { description: input.description, scopes: [...input.scopes], expiresAt: input.expiresAt },
    existingBindings: bindings.length,
    ...(warning ? { grantWarning: warning } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The pieces below are exported for the bulk use-case (create-keys.ts), which runs the same steps
// for many accounts and keys and undoes them with the same clean-up.

/** What one account-and-key set of a run has made so far (the clean-up works from it). */
export interface Made {
  folderId: string;
  account: ServiceAccount;
  /** false: an existing account (`--service-account`): never deleted; only what this run added is undone. */
  owned: boolean;
  /** The run marker's id, to find a key whose answer was lost on an account that is not deleted. */
  runId: string | undefined;
  /** The roles this run asks to grant (with an existing account, those it lacked). */
  granted: string[];
  /**
   * false: the cloud accepted the call and named the account, but waiting for its operation failed
   * or was cut short, so it may or may not exist. Removed by id all the same.
   */
  accountConfirmed: boolean;
  bindings: { state: 'not-started' } | { state: 'in-flight' } | { state: 'failed' } | { state: 'done'; effective: AccessBinding[] };
  /** `ambiguous`: the call failed in a way after which the key may exist (its secret lost). */
  key: { state: 'not-started' } | { state: 'in-flight' } | { state: 'failed'; ambiguous: boolean } | { state: 'done'; created: CreatedApiKey };
}

/** What mutating calls get: only the wait bound, never the abort signal itself. */
export function mutationOpts(opts: CreateKeyOptions): { signal?: AbortSignal } {
  return opts.waitSignal ? { signal: opts.waitSignal } : {};
}

/** One UpdateAccessBindings call of ADD deltas for `wanted`, recording its outcome in `made`. */
function grantRoles(gateway: CloudGateway, made: Made, wanted: AccessBinding[], opts: CreateKeyOptions, emit: (e: CreateKeyEvent) => void): Promise<void> {
  const { folderId, account } = made;
  emit({ type: 'starting', resource: { kind: 'role-bindings', folderId, serviceAccountId: account.id, roles: wanted.map((b) => b.roleId) } });
  made.bindings = { state: 'in-flight' };
  // A new account may not be known to the bindings service yet: waited out (settle.ts).
  const settle = made.owned && opts.settle ? { ...opts.settle, signal: opts.signal, onWait: (text: string) => emit({ type: 'note', text }) } : undefined;
  return whileAccountSettles(() => gateway.addFolderAccessBindings(folderId, wanted, mutationOpts(opts)), [account.id], settle)
    .catch((error: unknown) => {
      throw grantDenied(error, wanted.map((b) => b.roleId), folderId);
    })
    .then((reported) => {
      // Every binding naming an account this run made was made by this run: when the answer's
      // effective deltas fall short (a repeated call that the service did not recognise as a
      // repeat, an answer without them), the requested ones are what this run added.
      const effective = made.owned ? wanted : reported;
      made.bindings = { state: 'done', effective };
      if (effective.length > 0) emit({ type: 'created', resource: bindingsResource(folderId, account.id, effective) });
    })
    .catch((error: unknown) => {
      // A throwing listener must not hide that the bindings exist.
      if (made.bindings.state !== 'done') made.bindings = { state: 'failed' };
      throw error;
    });
}

/**
 * ServiceAccountService.Create and the wait for its operation, trying a fresh name (opts.newName)
 * when the cloud says the name is taken. `onAccepted` hears when a Create call has been accepted
 * (before the wait for its operation).
 * @throws AlreadyExistsError naming --name; the gateway's errors; when the account was accepted but
 *   its operation's outcome is unknown, the error after removing it by id.
 */
export async function createServiceAccount(
  gateway: CloudGateway,
  input: CreateKeyInput,
  opts: CreateKeyOptions,
  emit: (e: CreateKeyEvent) => void,
  onAccepted?: () => void,
): Promise<Made> {
  let name = input.name;
  for (let attempt = 1; ; attempt++) {
    const pending = (id: string | undefined): CreateKeyEvent => ({ type: 'starting', resource: { kind: 'service-account', id, name, folderId: input.folderId } });
    emit(pending(undefined));
    try {
      const account = await gateway.createServiceAccount(
        { folderId: input.folderId, name, description: input.description, labels: accountLabels(opts.runId) },
        {
          ...mutationOpts(opts),
          onOperation: (started) => {
            onAccepted?.();
            if (started.resourceId) emit(pending(started.resourceId));
          },
        },
      );
      const made: Made = { folderId: input.folderId, account, accountConfirmed: true, owned: true, runId: opts.runId, granted: [...input.roles], bindings: { state: 'not-started' }, key: { state: 'not-started' } };
      emit({ type: 'created', resource: accountResource(account) });
      return made;
    } catch (error) {
      const started = startedOperationOf(error);
      if (started?.resourceId) {
        // The call was accepted and the account named, but its operation's outcome is unknown (a
        // poll failed, the wait timed out or was cut short): remove it by id.
        const account: ServiceAccount = {
          id: started.resourceId, folderId: input.folderId, name, description: input.description, labels: { ...MANAGED_BY_LABEL }, createdAt: undefined,
        };
        const made: Made = { folderId: input.folderId, account, accountConfirmed: false, owned: true, runId: opts.runId, granted: [...input.roles], bindings: { state: 'not-started' }, key: { state: 'not-started' } };
        const reason = opts.signal?.aborted ? abortError(opts.signal) : toAppError(error);
        throw await rollBack(gateway, made, reason, emit);
      }
      if (isAmbiguousOutcome(error) && error instanceof AppError) {
        // The run stopped waiting before the cloud answered (a stalled service): the account may
        // exist, and no id is known to remove it by.
        emit({ type: 'not-created', kind: 'service-account' });
        appendReport(error, {
          removed: [],
          left: [`possibly service account ${name} in folder ${input.folderId} (its create was never answered; see \`aistudio-key list --accounts --folder-id ${input.folderId}\`)`],
        });
        throw error;
      }
      if (error instanceof AlreadyExistsError) {
        // The name may be taken by this very run: an earlier attempt whose answer was lost, repeated
        // by a service that ignores idempotency keys. Its run label tells.
        const own = await ownAccount(gateway, input.folderId, name, opts);
        if (own) {
          emit({ type: 'note', text: `service account ${own.id} (${name}) was made by this run; its answer had been lost` });
          const made: Made = { folderId: input.folderId, account: own, accountConfirmed: true, owned: true, runId: opts.runId, granted: [...input.roles], bindings: { state: 'not-started' }, key: { state: 'not-started' } };
          emit({ type: 'created', resource: accountResource(own) });
          return made;
        }
      }
      emit({ type: 'not-created', kind: 'service-account' });
      if (error instanceof AlreadyExistsError) {
        if (opts.newName && attempt < 3 && !opts.signal?.aborted) {
          name = opts.newName();
          continue;
        }
        throw new AlreadyExistsError(
          `--name: a service account named "${name}" already exists in this cloud (names are unique per cloud); pass another --name, or --service-account ${name} (with --folder-id of its folder) to issue the key on it`,
          { cause: error, status: 'ALREADY_EXISTS' },
        );
      }
      // Other errors arrive from the gateway already saying what was refused and which role is missing.
      throw error;
    }
  }
}

/** The account named `name` in the folder when it carries this run's label; undefined otherwise (or when it cannot be read). */
async function ownAccount(gateway: CloudGateway, folderId: string, name: string, opts: CreateKeyOptions): Promise<ServiceAccount | undefined> {
  if (opts.runId === undefined) return undefined;
  try {
    const found = await gateway.findServiceAccountByName(folderId, name, { signal: opts.signal });
    return found?.labels[RUN_LABEL] === opts.runId ? found : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ApiKeyService.Create, with the run marker. After an ambiguous failure (the key may exist, its
 * secret lost with the answer): list the account's keys, delete those carrying this run's marker,
 * and try again, as often as --retries allows (key-attempts.ts), so that exactly one key exists and
 * its secret is the one returned.
 */
export function issueKey(
  gateway: CloudGateway,
  account: ServiceAccount,
  input: CreateKeyInput,
  opts: CreateKeyOptions,
  emit: (e: CreateKeyEvent) => void,
  keepGoing: () => boolean,
): Promise<CreatedApiKey> {
  const { runId } = opts;
  const marker = runId === undefined ? undefined : runMarker(runId);
  const request = {
    serviceAccountId: account.id,
    description: keyDescription(input.description, runId, input.adoptedRoles),
    scopes: [...input.scopes],
    expiresAt: input.expiresAt,
  };
  return createKeyWithRetries(gateway, request, {
    runId,
    write: mutationOpts(opts),
    signal: opts.signal,
    keepGoing,
    note: (text) => emit({ type: 'note', text }),
    onAttempt: () => emit({ type: 'starting', resource: { kind: 'api-key', serviceAccountId: account.id, marker } }),
    onNotCreated: () => emit({ type: 'not-created', kind: 'api-key' }),
    // A new account may not be known to the key service yet: waited out (settle.ts).
    settle: opts.settle ? { ...opts.settle, signal: opts.signal, onWait: (text: string) => emit({ type: 'note', text }) } : undefined,
  });
}

/**
 * Removes what `made` records and returns `error` with the report appended to its hints. Never throws.
 */
async function rollBack(gateway: CloudGateway, made: Made, error: AppError, emit: (e: CreateKeyEvent) => void): Promise<AppError> {
  emit({ type: 'step', step: 'clean-up' });
  appendReport(error, await cleanUp(gateway, made, emit));
  return error;
}

function appendReport(error: AppError, report: CleanupReport): void {
  if (report.removed.length > 0) error.hints.push(`Cleaned up what this run created: ${report.removed.join(', ')}.`);
  if (report.left.length > 0) error.hints.push(`Could not clean up: ${report.left.join('; ')}.`);
}

/**
 * Delivery failed: nobody holds the secret. Revokes the key and removes everything else this run
 * made; returns the error to throw (a DeliveryError unless the deliverer threw an AppError of its own).
 */
async function undoDelivery(gateway: CloudGateway, made: Made, failure: unknown, emit: (e: CreateKeyEvent) => void): Promise<AppError> {
  const error = failure instanceof AppError
    ? failure
    : new DeliveryError(`Could not hand over the new key: ${messageOf(failure)}.`, { cause: failure });
  emit({ type: 'step', step: 'clean-up' });
  const report = await cleanUp(gateway, made, emit);
  const key = made.key.state === 'done' ? `API key ${made.key.created.apiKey.id}` : 'the new API key';
  error.hints.push(
    report.left.length === 0
      ? `Nobody received the secret, so ${key} was revoked and everything this run created was removed; run the command again.`
      : `Nobody received the secret, so ${key} and everything this run created must go; not all of it could be removed (see below).`,
  );
  appendReport(error, report);
  return error;
}

async function cleanUp(gateway: CloudGateway, made: Made, emit: (e: CreateKeyEvent) => void): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], left: [] };
  const removeBindings = async (): Promise<void> => {
    const ours = await bindingsToRemove(gateway, made, undefined, report);
    if (ours.length === 0) return;
    const { folderId, account } = made;
    const roles = ours.map((b) => b.roleId);
    try {
      await gateway.removeFolderAccessBindings(folderId, ours);
    } catch (e) {
      report.left.push(`role bindings ${roles.join(', ')} of ${account.id} on folder ${folderId} (${messageOf(e)})`);
      return;
    }
    // The report says what the cloud confirmed. A bindings operation may answer without effective
    // deltas (google.protobuf.Empty before cloudapi 807f2a1, issue #14), so its success does not
    // say which bindings went: the folder's list does.
    const { removed, left } = await confirmRemoved(gateway, folderId, ours);
    if (removed.length > 0) {
      report.removed.push(`${removed.length} role binding${removed.length === 1 ? '' : 's'} on folder ${folderId} (${removed.map((b) => b.roleId).join(', ')})`);
      emit({ type: 'removed', resource: bindingsResource(folderId, account.id, removed) });
    }
    if (left.kind === 'listed' && left.bindings.length > 0) {
      report.left.push(`role bindings ${left.bindings.map((b) => b.roleId).join(', ')} of ${account.id} on folder ${folderId} (the cloud accepted their removal but still lists them)`);
    } else if (left.kind === 'unknown') {
      report.left.push(`possibly role bindings ${roles.join(', ')} of ${account.id} on folder ${folderId} (their removal was accepted, but the folder's bindings could not be read to confirm it: ${left.reason})`);
    }
  };

  await Promise.all([removeKey(gateway, made, report, emit), removeBindings()]);
  await removeAccount(gateway, made, report, emit);
  return report;
}

/** Deletes the key `made` records (or, on an existing account after an ambiguous failure, the keys carrying its marker). Never throws. */
export async function removeKey(gateway: CloudGateway, made: Made, report: CleanupReport, emit: (e: CreateKeyEvent) => void): Promise<void> {
  // A failed key call created nothing we could name; deleting the account removes any key it did
  // make. An existing account stays, so a key this run may have made is looked for by its marker.
  if (made.key.state === 'failed' && made.key.ambiguous && !made.owned) return sweepMarkedKeys(gateway, made, report, emit);
  if (made.key.state !== 'done') return;
  const key = made.key.created.apiKey;
  try {
    await gateway.deleteApiKey(key.id);
    report.removed.push(`API key ${key.id}`);
    emit({ type: 'removed', resource: keyResource(key) });
  } catch (e) {
    // Already gone (an earlier attempt of this delete whose answer was lost): removed all the same.
    if (e instanceof NotFoundError) {
      report.removed.push(`API key ${key.id}`);
      emit({ type: 'removed', resource: keyResource(key) });
      return;
    }
    report.left.push(`API key ${key.id} (${messageOf(e)}; delete it with \`yc iam api-key delete ${key.id}\`)`);
  }
}

/**
 * After a REMOVE call the cloud accepted: which of `bindings` the folder no longer lists. Never throws.
 */
export async function confirmRemoved(
  gateway: CloudGateway,
  folderId: string,
  bindings: AccessBinding[],
): Promise<{ removed: AccessBinding[]; left: { kind: 'listed'; bindings: AccessBinding[] } | { kind: 'unknown'; reason: string } }> {
  let listed: AccessBinding[];
  try {
    listed = await gateway.listFolderAccessBindings(folderId);
  } catch (e) {
    return { removed: [], left: { kind: 'unknown', reason: messageOf(e) } };
  }
  const present = (b: AccessBinding): boolean => listed.some((l) => l.roleId === b.roleId && l.subject.type === b.subject.type && l.subject.id === b.subject.id);
  return { removed: bindings.filter((b) => !present(b)), left: { kind: 'listed', bindings: bindings.filter(present) } };
}

/**
 * The folder bindings this run added for `made`'s account: the effective ones when the call
 * answered; when it failed (possibly after the change was applied), those found in the folder's
 * list (`listed`, read here when not given). Never throws: a list that cannot be read goes to
 * `report.left`.
 */
export async function bindingsToRemove(
  gateway: CloudGateway,
  made: Made,
  listed: (() => Promise<AccessBinding[]>) | undefined,
  report: CleanupReport,
): Promise<AccessBinding[]> {
  if (made.bindings.state === 'not-started') return [];
  if (made.bindings.state === 'done') return made.bindings.effective;
  const { account, folderId } = made;
  // A new account's bindings on this folder were all made by this run; an existing account's, only
  // those of the roles it lacked.
  try {
    const all = await (listed ?? (() => gateway.listFolderAccessBindings(folderId)))();
    return all.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === account.id && (made.owned || made.granted.includes(b.roleId)));
  } catch (e) {
    report.left.push(`possibly role bindings of ${account.id} on folder ${folderId} (could not check: ${messageOf(e)})`);
    return [];
  }
}

/** Deletes `made`'s account when this run created it. Never throws. */
export async function removeAccount(gateway: CloudGateway, made: Made, report: CleanupReport, emit: (e: CreateKeyEvent) => void): Promise<void> {
  // Never delete an account this run did not create.
  if (!made.owned) return;
  const account = made.account;
  try {
    await gateway.deleteServiceAccount(account.id);
    report.removed.push(`service account ${account.name} (${account.id})`);
    emit({ type: 'removed', resource: accountResource(account) });
  } catch (e) {
    if (e instanceof NotFoundError) {
      // Never created after all, already rolled back by the cloud, or deleted by an earlier attempt
      // of this delete whose answer was lost: nothing to remove.
      emit({ type: 'removed', resource: accountResource(account) });
    } else {
      const keyNote = made.key.state === 'failed' && made.key.ambiguous ? ' and possibly an API key on it' : '';
      report.left.push(`service account ${account.name} (${account.id})${keyNote} (${messageOf(e)}; delete it with \`yc iam service-account delete ${account.id}\`)`);
    }
  }
}

/** An existing account's key call failed ambiguously for good: delete keys carrying this run's marker. */
async function sweepMarkedKeys(gateway: CloudGateway, made: Made, report: CleanupReport, emit: (e: CreateKeyEvent) => void): Promise<void> {
  const { account, runId } = made;
  if (runId === undefined) {
    report.left.push(`possibly an API key on ${account.id} (no run marker to find it by; check \`aistudio-key list --service-account ${account.id}\`)`);
    return;
  }
  try {
    for (const k of await gateway.listApiKeys(account.id)) {
      if (!hasRunMarker(k.description, runId)) continue;
      await gateway.deleteApiKey(k.id);
      report.removed.push(`API key ${k.id}`);
      emit({ type: 'removed', resource: keyResource(k) });
    }
    emit({ type: 'not-created', kind: 'api-key' });
  } catch (e) {
    report.left.push(`possibly an API key on ${account.id} whose description ends with ${runMarker(runId)} (${messageOf(e)}; delete it with \`yc iam api-key delete <id>\`)`);
  }
}

export function abortError(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  return reason instanceof AppError ? reason : new InterruptedError('Interrupted.');
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new InternalError(error instanceof Error ? error.message : String(error), { cause: error });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function accountResource(a: ServiceAccount): CreatedResource {
  return { kind: 'service-account', id: a.id, name: a.name, folderId: a.folderId };
}

export function keyResource(k: ApiKey): CreatedResource {
  return { kind: 'api-key', id: k.id, serviceAccountId: k.serviceAccountId };
}

export function bindingsResource(folderId: string, serviceAccountId: string, bindings: AccessBinding[]): CreatedResource {
  return { kind: 'role-bindings', folderId, serviceAccountId, roles: bindings.map((b) => b.roleId) };
}

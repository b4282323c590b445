/**
 * The `create` use-case: a service account in a folder, its roles on the folder, one API key.
 * Typed input in, typed result out; no printing. Progress and every resource this run creates are
 * reported through `onEvent`, so a caller can show a spinner and say what may be left if the
 * process is killed.
 */
import { AlreadyExistsError, AppError, InternalError, InterruptedError, UsageError } from '../errors.js';
import type { AccessBinding, ApiKey, CloudGateway, CreatedApiKey, Folder, ServiceAccount } from '../cloud/types.js';
import { MANAGED_BY_LABEL } from './preset.js';
import type { ResolvedFolder } from './target.js';

export interface CreateKeyInput {
  folderId: string;
  /** Service account name, already checked against the API's pattern. */
  name: string;
  /** Put on the account and on the key. */
  description: string;
  roles: readonly string[];
  /** Never empty: an empty list makes the cloud grant its ten default scopes. */
  scopes: readonly string[];
  /** undefined: the key never expires. */
  expiresAt: Date | undefined;
}

export interface CreateKeyResult {
  /** Shown once. Never log it, never put it in an error. */
  secret: string;
  apiKey: ApiKey;
  serviceAccount: ServiceAccount;
  /** Roles the account holds on the folder through this run. */
  roles: string[];
}

/** Something this run made in the cloud. */
export type CreatedResource =
  | { kind: 'service-account'; id: string; name: string; folderId: string }
  | { kind: 'role-bindings'; folderId: string; serviceAccountId: string; roles: string[] }
  | { kind: 'api-key'; id: string; serviceAccountId: string };

export type CreateKeyStep = 'create-service-account' | 'grant-roles-and-issue-key' | 'clean-up';

export type CreateKeyEvent =
  | { type: 'step'; step: CreateKeyStep }
  | { type: 'created'; resource: CreatedResource }
  | { type: 'removed'; resource: CreatedResource };

export interface CreateKeyOptions {
  /**
   * Aborting stops the run at the next step boundary: work already sent to the cloud is waited for
   * (so its result is known), then everything this run made is removed and the signal's reason (an
   * AppError) or an InterruptedError is thrown. Mutating calls are deliberately not given the signal:
   * an abandoned call would leave a resource whose ID we never learn.
   */
  signal?: AbortSignal;
  onEvent?: (event: CreateKeyEvent) => void;
  /** When the name was generated: a fresh one to try if the cloud says the name is taken. */
  newName?: () => string;
}

/** What a clean-up did, in words for the error's hints. */
export interface CleanupReport {
  removed: string[];
  left: string[];
}

/**
 * Creates the service account (labelled managed-by: aistudio-key), then in parallel grants its roles
 * with one UpdateAccessBindings call of ADD deltas and issues the API key.
 *
 * If anything fails after the account exists — or the signal is aborted — it waits for in-flight
 * calls to settle, deletes the key (if issued), removes the bindings this run added (only the
 * effective ones), deletes the account, and rethrows the first error with hints saying what was
 * cleaned up and what could not be.
 *
 * @throws UsageError when scopes are empty (a caller bug guard); AlreadyExistsError when the name is
 *   taken in the cloud; AuthError, CloudError, NotFoundError from the gateway; InterruptedError (or the
 *   signal's AppError reason) after an abort; InternalError wrapping anything unexpected.
 */
export async function createKey(gateway: CloudGateway, input: CreateKeyInput, opts: CreateKeyOptions = {}): Promise<CreateKeyResult> {
  if (input.scopes.length === 0) throw new UsageError('--scopes: give at least one scope (an empty list would grant the cloud\'s default scopes)');
  if (input.roles.length === 0) throw new UsageError('--roles: give at least one role');
  const emit = opts.onEvent ?? (() => undefined);
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);

  emit({ type: 'step', step: 'create-service-account' });
  const account = await createServiceAccount(gateway, input, opts);
  const made: Made = { folderId: input.folderId, account, bindings: { state: 'not-started' }, key: { state: 'not-started' } };
  emit({ type: 'created', resource: accountResource(account) });

  if (signal?.aborted) throw await rollBack(gateway, made, abortError(signal), emit);

  emit({ type: 'step', step: 'grant-roles-and-issue-key' });
  const subject = { type: 'serviceAccount', id: account.id };
  const bindingsCall = gateway
    .addFolderAccessBindings(input.folderId, input.roles.map((roleId) => ({ roleId, subject })))
    .then((effective) => {
      made.bindings = { state: 'done', effective };
      if (effective.length > 0) emit({ type: 'created', resource: bindingsResource(input.folderId, account.id, effective) });
    })
    .catch((error: unknown) => {
      // A throwing listener must not hide that the bindings exist.
      if (made.bindings.state !== 'done') made.bindings = { state: 'failed' };
      throw error;
    });
  const keyCall = gateway
    .createApiKey({ serviceAccountId: account.id, description: input.description, scopes: [...input.scopes], expiresAt: input.expiresAt })
    .then((created) => {
      made.key = { state: 'done', created };
      emit({ type: 'created', resource: keyResource(created.apiKey) });
    })
    .catch((error: unknown) => {
      if (made.key.state !== 'done') made.key = { state: 'failed' };
      throw error;
    });
  const [bindings, key] = await Promise.allSettled([bindingsCall, keyCall]);

  const failures = [bindings, key].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const [first, ...rest] = failures;
    const error = toAppError(first);
    for (const other of rest) error.hints.push(`Also failed at the same time: ${toAppError(other).message}`);
    throw await rollBack(gateway, made, error, emit);
  }
  if (signal?.aborted) throw await rollBack(gateway, made, abortError(signal), emit);
  if (made.key.state !== 'done') throw new InternalError('The API key call settled without a result.');

  return {
    secret: made.key.created.secret,
    apiKey: made.key.created.apiKey,
    serviceAccount: account,
    roles: [...input.roles],
  };
}

export interface CreateKeyPlan {
  folder: { id: string; name: string | undefined; cloudId: string | undefined };
  serviceAccount: { name: string; description: string; labels: Record<string, string> };
  roles: string[];
  apiKey: { description: string; scopes: string[]; expiresAt: Date | undefined };
  /** Bindings on the folder now (reading them proves the caller may see the folder's access list). */
  existingBindings: number;
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
  opts: { signal?: AbortSignal; nameGiven: boolean } = { nameGiven: true },
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
  return {
    folder: { id: info.id, name: info.name, cloudId: info.cloudId || undefined },
    serviceAccount: { name: input.name, description: input.description, labels: { ...MANAGED_BY_LABEL } },
    roles: [...input.roles],
    apiKey: { description: input.description, scopes: [...input.scopes], expiresAt: input.expiresAt },
    existingBindings: bindings.length,
  };
}

// ---------------------------------------------------------------------------------------------

type CallState<T> = { state: 'not-started' } | { state: 'failed' } | ({ state: 'done' } & T);

interface Made {
  folderId: string;
  account: ServiceAccount;
  bindings: CallState<{ effective: AccessBinding[] }>;
  key: CallState<{ created: CreatedApiKey }>;
}

async function createServiceAccount(gateway: CloudGateway, input: CreateKeyInput, opts: CreateKeyOptions): Promise<ServiceAccount> {
  let name = input.name;
  for (let attempt = 1; ; attempt++) {
    try {
      return await gateway.createServiceAccount({
        folderId: input.folderId,
        name,
        description: input.description,
        labels: { ...MANAGED_BY_LABEL },
      });
    } catch (error) {
      if (error instanceof AlreadyExistsError) {
        if (opts.newName && attempt < 3) {
          name = opts.newName();
          continue;
        }
        throw new AlreadyExistsError(
          `--name: a service account named "${name}" already exists in this cloud (names are unique per cloud, not per folder).`,
          { cause: error, status: 'ALREADY_EXISTS', hints: ['Pass another --name, or leave --name out to get a generated one.'] },
        );
      }
      // Other errors arrive from the gateway already saying what was refused and which role is missing.
      throw error;
    }
  }
}

/**
 * Removes what `made` records, in dependency order: key and bindings together, then the account.
 * Returns `error` with the report appended to its hints. Never throws.
 */
async function rollBack(gateway: CloudGateway, made: Made, error: AppError, emit: (e: CreateKeyEvent) => void): Promise<AppError> {
  emit({ type: 'step', step: 'clean-up' });
  const report = await cleanUp(gateway, made, emit);
  if (report.removed.length > 0) error.hints.push(`Cleaned up what this run created: ${report.removed.join(', ')}.`);
  if (report.left.length > 0) error.hints.push(`Could not clean up: ${report.left.join('; ')}.`);
  return error;
}

async function cleanUp(gateway: CloudGateway, made: Made, emit: (e: CreateKeyEvent) => void): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], left: [] };
  const account = made.account;
  const folderId = made.folderId;

  const removeKey = async (): Promise<void> => {
    // A failed key call created nothing we could name; deleting the account removes any key it did make.
    if (made.key.state !== 'done') return;
    const key = made.key.created.apiKey;
    try {
      await gateway.deleteApiKey(key.id);
      report.removed.push(`API key ${key.id}`);
      emit({ type: 'removed', resource: keyResource(key) });
    } catch (e) {
      report.left.push(`API key ${key.id} (${messageOf(e)}; delete it with \`yc iam api-key delete ${key.id}\`)`);
    }
  };

  const removeBindings = async (): Promise<void> => {
    if (made.bindings.state === 'not-started') return;
    let ours: AccessBinding[];
    if (made.bindings.state === 'done') {
      ours = made.bindings.effective;
    } else {
      // The call failed, possibly after the change was applied. The account is new, so every
      // binding naming it on this folder was made by this run.
      try {
        ours = (await gateway.listFolderAccessBindings(folderId)).filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === account.id);
      } catch (e) {
        report.left.push(`possibly role bindings of ${account.id} on folder ${folderId} (could not check: ${messageOf(e)})`);
        return;
      }
    }
    if (ours.length === 0) return;
    const roles = ours.map((b) => b.roleId);
    try {
      await gateway.removeFolderAccessBindings(folderId, ours);
      report.removed.push(`${roles.length} role binding${roles.length === 1 ? '' : 's'} on folder ${folderId} (${roles.join(', ')})`);
      emit({ type: 'removed', resource: bindingsResource(folderId, account.id, ours) });
    } catch (e) {
      report.left.push(`role bindings ${roles.join(', ')} of ${account.id} on folder ${folderId} (${messageOf(e)})`);
    }
  };

  await Promise.all([removeKey(), removeBindings()]);
  try {
    await gateway.deleteServiceAccount(account.id);
    report.removed.push(`service account ${account.name} (${account.id})`);
    emit({ type: 'removed', resource: accountResource(account) });
  } catch (e) {
    report.left.push(`service account ${account.name} (${account.id}) (${messageOf(e)}; delete it with \`yc iam service-account delete ${account.id}\`)`);
  }
  return report;
}

function abortError(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  return reason instanceof AppError ? reason : new InterruptedError('Interrupted.');
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new InternalError(error instanceof Error ? error.message : String(error), { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function accountResource(a: ServiceAccount): CreatedResource {
  return { kind: 'service-account', id: a.id, name: a.name, folderId: a.folderId };
}

function keyResource(k: ApiKey): CreatedResource {
  return { kind: 'api-key', id: k.id, serviceAccountId: k.serviceAccountId };
}

function bindingsResource(folderId: string, serviceAccountId: string, bindings: AccessBinding[]): CreatedResource {
  return { kind: 'role-bindings', folderId, serviceAccountId, roles: bindings.map((b) => b.roleId) };
}

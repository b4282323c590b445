/**
 * `create --count N`: N independent sets, as if the console's button were pressed
 * N times (N service accounts, each bound the roles, each with one API key), or, with an existing
 * account, N keys on it. Not N sequential runs:
 * - the accounts are created with bounded concurrency (BULK_CONCURRENCY Create calls in flight; the
 *   waits for their operations overlap freely, they are light reads that back off on their own);
 * - then ONE FolderService.UpdateAccessBindings carries every ADD delta (split only past the API's
 *   1000 deltas per call), in parallel with the N ApiKeyService.Create calls (same bound).
 * Rate limits (RESOURCE_EXHAUSTED) are retried with backoff by the transport (src/cloud/transport.ts),
 * inside the caller's slot, so a rate-limited pool slows down by itself; a used-up quota is not
 * retried and fails the run.
 *
 * All or nothing, like createKey: if anything fails, the signal aborts, or delivery fails, every
 * key, binding and account this run made is removed (with createKey's own clean-up pieces) and the
 * first error is thrown with a report in its hints.
 */
import { isManagedAccount } from './accounts.js';
import { inheritedRoles } from './adoption.js';
import { AppError, InternalError, InterruptedError, UsageError } from '../errors.js';
import { isAmbiguousOutcome } from '../cloud/errors.js';
import type { AccessBinding, CloudGateway } from '../cloud/types.js';
import {
  abortError,
  bindingsResource,
  bindingsToRemove,
  confirmRemoved,
  createServiceAccount,
  issueKey,
  keyResource,
  messageOf,
  mutationOpts,
  removeAccount,
  removeKey,
  toAppError,
  type CleanupReport,
  type CreateKeyEvent,
  type CreateKeyInput,
  type CreateKeyOptions,
  type CreateKeyPlan,
  type CreateKeyResult,
  type Made,
} from './create-key.js';
import { DeliveryError, type Deliver } from './delivery.js';
import { MANAGED_BY_LABEL } from './preset.js';
import { grantDenied } from './roles.js';
import { whileAccountSettles } from './settle.js';
import type { ResolvedFolder } from './target.js';

/**
 * Calls that change the cloud, in flight at once. Small on purpose: IAM rate-limits per cloud, and
 * 8 already takes N = 20 from 20 round trips down to 3 waves; more would mostly buy
 * RESOURCE_EXHAUSTED answers and their backoff.
 */
export const BULK_CONCURRENCY = 8;
/** UpdateAccessBindings takes 1 to 1000 deltas per call (reference §10). */
export const MAX_DELTAS_PER_CALL = 1000;
/** The largest --count: the default quota is 100 service accounts per cloud. */
export const MAX_COUNT = 100;

export interface CreateKeysInput extends Omit<CreateKeyInput, 'name'> {
  /** How many keys (and, without serviceAccount, accounts). */
  count: number;
  /** Without serviceAccount: one name per account (already checked), `count` of them. */
  names: readonly string[];
}

export type CreateKeysStep = 'check-roles' | 'create-service-accounts' | 'grant-roles-and-issue-keys' | 'deliver' | 'clean-up';

export type CreateKeysEvent =
  /** `bindings`: with 'grant-roles-and-issue-keys', how many ADD deltas are sent (0: none missing). */
  | { type: 'step'; step: CreateKeysStep; count: number; bindings?: number }
  | { type: 'progress'; what: 'accounts' | 'keys'; done: number; total: number }
  /** An event of set number `index` (0-based): what createKey reports for one set. */
  | { type: 'item'; index: number; event: CreateKeyEvent };

export interface CreateKeysOptions {
  /** As CreateKeyOptions.signal: no new work once aborted; what was made is removed. */
  signal?: AbortSignal;
  /** As CreateKeyOptions.waitSignal. */
  waitSignal?: AbortSignal;
  onEvent?: (event: CreateKeysEvent) => void;
  /** When the names were generated: a fresh one to try if the cloud says a name is taken. */
  newName?: () => string;
  /**
   * One run id per key (see runMarker), `count` of them. Distinct ids let a lost answer on one key
   * be recovered without touching the others, even when all keys share one account.
   */
  runIds: readonly string[];
  /** The last step: hands every result over; if it throws, everything is undone (see createKey). */
  deliver?: Deliver<CreateKeyResult[]>;
  /** Bound on calls in flight; default BULK_CONCURRENCY. */
  concurrency?: number;
  /** As CreateKeyOptions.settle: waiting out new accounts' eventual consistency. */
  settle?: CreateKeyOptions['settle'];
}

/**
 * Creates `input.count` sets (or keys on `input.serviceAccount`), as described at the top.
 * @returns one result per key, in order.
 * @throws UsageError for empty roles or scopes, or a count/names/runIds mismatch (caller bugs);
 *   otherwise as createKey: AlreadyExistsError, AuthError, CloudError, NotFoundError,
 *   InterruptedError (or the signal's reason), DeliveryError, InternalError.
 */
export async function createKeys(gateway: CloudGateway, input: CreateKeysInput, opts: CreateKeysOptions): Promise<CreateKeyResult[]> {
  if (input.scopes.length === 0) throw new UsageError('--scopes: give at least one scope (an empty list would grant the cloud\'s default scopes)');
  if (input.roles.length === 0) throw new UsageError('--roles: give at least one role');
  const { count, folderId } = input;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count: expected a whole number from 1 to ${MAX_COUNT}`);
  if (opts.runIds.length !== count || (!input.serviceAccount && input.names.length !== count)) {
    throw new InternalError('createKeys: one name and one run id per key expected.');
  }
  const emit = opts.onEvent ?? (() => undefined);
  const itemEmit = (index: number) => (event: CreateKeyEvent): void => emit({ type: 'item', index, event });
  const { signal } = opts;
  const limit = Math.max(1, opts.concurrency ?? BULK_CONCURRENCY);
  if (signal?.aborted) throw abortError(signal);

  const roles = [...new Set(input.roles)];
  const failures: unknown[] = [];
  const stopping = (): boolean => (signal?.aborted ?? false) || failures.length > 0;
  const made: Array<Made | undefined> = new Array<Made | undefined>(count).fill(undefined);
  const fail = async (): Promise<never> => {
    throw await rollBack(gateway, folderId, made, firstError(failures, signal), emit, limit);
  };

  if (input.serviceAccount) {
    // One existing account: its missing roles are granted once, and N keys are issued on it.
    emit({ type: 'step', step: 'check-roles', count });
    const account = input.serviceAccount;
    const held = new Set(
      (await gateway.listFolderAccessBindings(folderId, { signal }))
        .filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === account.id)
        .map((b) => b.roleId),
    );
    if (signal?.aborted) throw abortError(signal);
    const missing = roles.filter((r) => !held.has(r));
    if (!isManagedAccount(account)) {
      // Adopted: every key records what aistudio-key granted here, now and before (adoption.ts).
      input = { ...input, adoptedRoles: [...new Set([...inheritedRoles(await gateway.listApiKeys(account.id, { signal })), ...missing])] };
      if (signal?.aborted) throw abortError(signal);
    }
    for (let i = 0; i < count; i++) {
      made[i] = {
        folderId, account, accountConfirmed: true, owned: false, runId: opts.runIds[i],
        granted: i === 0 ? missing : [], bindings: { state: 'not-started' }, key: { state: 'not-started' },
      };
    }
  } else {
    emit({ type: 'step', step: 'create-service-accounts', count });
    let done = 0;
    await pool(count, limit, stopping, async (i, release) => {
      try {
        const one: CreateKeyInput = { ...input, name: input.names[i] ?? '' };
        const m = await createServiceAccount(gateway, one, { signal, waitSignal: opts.waitSignal, newName: opts.newName, runId: opts.runIds[i] }, itemEmit(i), release);
        m.granted = roles;
        made[i] = m;
        emit({ type: 'progress', what: 'accounts', done: ++done, total: count });
      } catch (error) {
        failures.push(error);
      }
    });
    if (stopping()) await fail();
  }

  const sets = made.filter((m): m is Made => m !== undefined);
  const deltas = sets.reduce((n, m) => n + m.granted.length, 0);
  emit({ type: 'step', step: 'grant-roles-and-issue-keys', count, bindings: deltas });

  const grant = async (): Promise<void> => {
    for (const batch of batches(sets.filter((m) => m.granted.length > 0), MAX_DELTAS_PER_CALL)) {
      if (stopping()) return;
      const wanted: AccessBinding[] = [];
      for (const m of batch) {
        m.bindings = { state: 'in-flight' };
        emit({ type: 'item', index: made.indexOf(m), event: { type: 'starting', resource: { kind: 'role-bindings', folderId, serviceAccountId: m.account.id, roles: [...m.granted] } } });
        wanted.push(...m.granted.map((roleId) => ({ roleId, subject: { type: 'serviceAccount', id: m.account.id } })));
      }
      try {
        const owned = batch.filter((m) => m.owned).map((m) => m.account.id);
        const settle = owned.length > 0 && opts.settle ? { ...opts.settle, signal, onWait: (text: string) => emit({ type: 'item', index: 0, event: { type: 'note', text } }) } : undefined;
        const reported = await whileAccountSettles(() => gateway.addFolderAccessBindings(folderId, wanted, mutationOpts({ waitSignal: opts.waitSignal })), owned, settle)
          .catch((error: unknown) => { throw grantDenied(error, roles, folderId); });
        for (const m of batch) {
          // An account this run made holds only what this run granted (see createKey's grantRoles).
          const effective = m.owned ? wanted : reported;
          const mine = effective.filter((b) => b.subject.type === 'serviceAccount' && b.subject.id === m.account.id && m.granted.includes(b.roleId));
          m.bindings = { state: 'done', effective: mine };
          if (mine.length > 0) emit({ type: 'item', index: made.indexOf(m), event: { type: 'created', resource: bindingsResource(folderId, m.account.id, mine) } });
        }
      } catch (error) {
        for (const m of batch) if (m.bindings.state !== 'done') m.bindings = { state: 'failed' };
        failures.push(error);
        return;
      }
    }
  };

  let issued = 0;
  const issue = pool(count, limit, stopping, async (i) => {
    const m = made[i];
    if (!m) return;
    m.key = { state: 'in-flight' };
    try {
      const created = await issueKey(gateway, m.account, { ...input, name: m.account.name }, { signal, waitSignal: opts.waitSignal, runId: m.runId, settle: m.owned ? opts.settle : undefined }, itemEmit(i), () => !stopping());
      m.key = { state: 'done', created };
      emit({ type: 'item', index: i, event: { type: 'created', resource: keyResource(created.apiKey) } });
      emit({ type: 'progress', what: 'keys', done: ++issued, total: count });
    } catch (error) {
      if (m.key.state !== 'done') m.key = { state: 'failed', ambiguous: isAmbiguousOutcome(error) };
      failures.push(error);
    }
  });
  await Promise.all([grant(), issue]);
  if (stopping()) await fail();

  const results = sets.map((m): CreateKeyResult => {
    if (m.key.state !== 'done') throw new InternalError('An API key call settled without a result.');
    return {
      secret: m.key.created.secret,
      apiKey: m.key.created.apiKey,
      serviceAccount: m.account,
      roles,
      rolesAdded: m.bindings.state === 'done' ? m.bindings.effective.map((b) => b.roleId) : [],
    };
  });
  if (opts.deliver) {
    emit({ type: 'step', step: 'deliver', count });
    try {
      await opts.deliver(results);
    } catch (failure) {
      const error = failure instanceof AppError
        ? failure
        : new DeliveryError(`Could not hand over the new keys: ${messageOf(failure)}.`, { cause: failure });
      const report = await cleanUp(gateway, folderId, made, emit, limit);
      error.hints.push(
        report.left.length === 0
          ? `Nobody received the secrets, so the ${count} new API keys were revoked and everything this run created was removed; run the command again.`
          : `Nobody received the secrets, so the ${count} new API keys and everything this run created must go; not all of it could be removed (see below).`,
      );
      appendBulkReport(error, report, folderId);
      throw error;
    }
  }
  return results;
}

export interface CreateKeysPlan extends CreateKeyPlan {
  /** The accounts that would be made (their names), one key each. */
  names: string[];
}

/**
 * `--dry-run --count N`: read-only checks, then the plan. Reads the folder, its access bindings and
 * its service accounts (once, for every name); changes nothing.
 * @throws UsageError when one of the names is already taken in the folder; AuthError,
 *   NotFoundError, CloudError from the gateway.
 */
export async function planCreateKeys(
  gateway: CloudGateway,
  input: CreateKeysInput,
  folder: ResolvedFolder,
  opts: { signal?: AbortSignal; nameGiven: boolean },
): Promise<CreateKeysPlan> {
  const call = { signal: opts.signal };
  const [info, bindings, accounts] = await Promise.all([
    folder.name ? Promise.resolve({ id: folder.id, name: folder.name, cloudId: folder.cloudId ?? '' }) : gateway.getFolder(folder.id, call),
    gateway.listFolderAccessBindings(folder.id, call),
    gateway.listServiceAccounts(folder.id, call),
  ]);
  const taken = new Map(accounts.map((a) => [a.name, a.id]));
  const clash = input.names.find((n) => taken.has(n));
  if (clash !== undefined) {
    throw new UsageError(
      opts.nameGiven
        ? `--name: a service account named "${clash}" already exists in folder ${folder.id} (${taken.get(clash) ?? ''}); choose another name`
        : `--name: the generated name "${clash}" is taken in folder ${folder.id}; run again or pass --name`,
    );
  }
  return {
    folder: { id: info.id, name: info.name, cloudId: info.cloudId || undefined },
    serviceAccount: { name: input.names[0] ?? '', description: input.description, labels: { ...MANAGED_BY_LABEL } },
    roles: [...input.roles],
    apiKey: { description: input.description, scopes: [...input.scopes], expiresAt: input.expiresAt },
    existingBindings: bindings.length,
    names: [...input.names],
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs `work(i)` for i = 0…count-1 with at most `limit` holding a slot at once. A worker may free
 * its slot early with `release` (an account's Create call was answered; only the wait remains).
 * Once `stop()` is true no further worker starts. Resolves when every started worker settled;
 * workers must not throw (they record their own failures).
 */
async function pool(count: number, limit: number, stop: () => boolean, work: (index: number, release: () => void) => Promise<void>): Promise<void> {
  let free = limit;
  const waiting: Array<() => void> = [];
  const acquire = (): Promise<void> => {
    if (free > 0) {
      free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const handBack = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    await acquire();
    if (stop()) {
      handBack();
      break;
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      handBack();
    };
    running.push(work(i, release).catch(() => undefined).finally(release));
  }
  await Promise.all(running);
}

/** Consecutive groups of sets whose granted roles together stay within `max` deltas (at least one set each). */
function batches(sets: Made[], max: number): Made[][] {
  const out: Made[][] = [];
  let current: Made[] = [];
  let size = 0;
  for (const m of sets) {
    if (current.length > 0 && size + m.granted.length > max) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += m.granted.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The error a failed run throws: the abort's reason, or the first failure; others (distinct) as hints. */
function firstError(failures: unknown[], signal: AbortSignal | undefined): AppError {
  const aborted = signal?.aborted ?? false;
  const [first, ...rest] = failures;
  const error = aborted || first === undefined ? (signal ? abortError(signal) : new InterruptedError('Interrupted.')) : toAppError(first);
  const seen = new Set([error.message]);
  const others: string[] = [];
  for (const other of aborted ? failures : rest) {
    // After an abort, calls cut short by it are its consequence, not news.
    if (other instanceof InterruptedError) continue;
    const text = toAppError(other).message;
    if (seen.has(text)) continue;
    seen.add(text);
    others.push(text);
  }
  const shown = others.slice(0, 3);
  for (const text of shown) error.hints.push(`Also failed at the same time: ${text}`);
  if (others.length > shown.length) error.hints.push(`… and ${others.length - shown.length} more failures.`);
  return error;
}

async function rollBack(
  gateway: CloudGateway,
  folderId: string,
  made: Array<Made | undefined>,
  error: AppError,
  emit: (e: CreateKeysEvent) => void,
  limit: number,
): Promise<AppError> {
  appendBulkReport(error, await cleanUp(gateway, folderId, made, emit, limit), folderId);
  return error;
}

interface BulkReport extends CleanupReport {
  /** Role bindings removed (one REMOVE call per ≤1000). */
  bindingsRemoved: number;
}

/**
 * createKey's clean-up for every set: keys (bounded), the bindings in as few REMOVE calls as the API
 * allows (the folder's list read at most once), then the accounts this run created (bounded).
 * Never throws.
 */
async function cleanUp(gateway: CloudGateway, folderId: string, made: Array<Made | undefined>, emit: (e: CreateKeysEvent) => void, limit: number): Promise<BulkReport> {
  const report: BulkReport = { removed: [], left: [], bindingsRemoved: 0 };
  const sets = made.map((m, index) => ({ m, index })).filter((s): s is { m: Made; index: number } => s.m !== undefined);
  if (sets.length === 0) return report;
  emit({ type: 'step', step: 'clean-up', count: made.length });
  const itemEmit = (index: number) => (event: CreateKeyEvent): void => emit({ type: 'item', index, event });

  const keys = pool(sets.length, limit, () => false, async (i) => {
    const s = sets[i];
    if (s) await removeKey(gateway, s.m, report, itemEmit(s.index));
  });
  const bindings = async (): Promise<void> => {
    let listing: Promise<AccessBinding[]> | undefined;
    const listed = (): Promise<AccessBinding[]> => (listing ??= gateway.listFolderAccessBindings(folderId));
    const ours = await Promise.all(sets.map(async (s) => ({ ...s, bindings: await bindingsToRemove(gateway, s.m, listed, report) })));
    const pending = ours.filter((o) => o.bindings.length > 0);
    const groups: Array<typeof pending> = [];
    let size = 0;
    for (const o of pending) {
      const last = groups[groups.length - 1];
      if (!last || size + o.bindings.length > MAX_DELTAS_PER_CALL) {
        groups.push([o]);
        size = o.bindings.length;
      } else {
        last.push(o);
        size += o.bindings.length;
      }
    }
    for (const group of groups) {
      const all = group.flatMap((o) => o.bindings);
      try {
        await gateway.removeFolderAccessBindings(folderId, all);
      } catch (e) {
        for (const o of group) report.left.push(`role bindings ${o.bindings.map((b) => b.roleId).join(', ')} of ${o.m.account.id} on folder ${folderId} (${messageOf(e)})`);
        continue;
      }
      // Reported as removed only when the folder no longer lists them (create-key.ts cleanUp says why).
      const { removed, left } = await confirmRemoved(gateway, folderId, all);
      report.bindingsRemoved += removed.length;
      const gone = (b: AccessBinding): boolean => removed.includes(b);
      for (const o of group) {
        const mine = o.bindings.filter(gone);
        if (mine.length > 0) itemEmit(o.index)({ type: 'removed', resource: bindingsResource(folderId, o.m.account.id, mine) });
        const still = o.bindings.filter((b) => !gone(b));
        if (still.length === 0) continue;
        const why = left.kind === 'unknown' ? `their removal was accepted, but the folder's bindings could not be read to confirm it: ${left.reason}` : 'the cloud accepted their removal but still lists them';
        report.left.push(`${left.kind === 'unknown' ? 'possibly ' : ''}role bindings ${still.map((b) => b.roleId).join(', ')} of ${o.m.account.id} on folder ${folderId} (${why})`);
      }
    }
  };
  await Promise.all([keys, bindings()]);
  await pool(sets.length, limit, () => false, async (i) => {
    const s = sets[i];
    if (s) await removeAccount(gateway, s.m, report, itemEmit(s.index));
  });
  return report;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Counts rather than one entry per resource (a run may make 100 of each); what is left, in full. */
function appendBulkReport(error: AppError, report: BulkReport, folderId: string): void {
  const keys = report.removed.filter((r) => r.startsWith('API key ')).length;
  const accounts = report.removed.filter((r) => r.startsWith('service account ')).length;
  const parts = [
    keys > 0 ? plural(keys, 'API key', 'API keys') : '',
    report.bindingsRemoved > 0 ? `${plural(report.bindingsRemoved, 'role binding', 'role bindings')} on folder ${folderId}` : '',
    accounts > 0 ? plural(accounts, 'service account', 'service accounts') : '',
  ].filter(Boolean);
  if (parts.length > 0) error.hints.push(`Cleaned up what this run created: ${parts.join(', ')}.`);
  if (report.left.length > 0) error.hints.push(`Could not clean up: ${report.left.join('; ')}.`);
}

/**
 * The `list` use-case: the API keys of a folder's service accounts — the ones aistudio-key made
 * (default), all of them, or one account — optionally only those expiring soon. Read-only.
 */
import type { ApiKey, CallOptions, CloudGateway, ServiceAccount } from '../cloud/types.js';
import { findServiceAccount, isManagedAccount } from './accounts.js';

/** Which accounts' keys to list. */
export type KeySelection =
  /** Accounts labelled managed-by=aistudio-key. */
  | { kind: 'managed' }
  /** Every account in the folder. */
  | { kind: 'all' }
  /** One account, by ID or name (see findServiceAccount). */
  | { kind: 'account'; ref: string };

export interface ListKeysInput {
  /** Resolves the folder. Called at most once, and not at all for an account given by ID. */
  folder: () => Promise<string>;
  selection: KeySelection;
  /** Keep only keys that expire before now + this many ms (expired ones included); undefined keeps every key. */
  expiringWithinMs?: number;
  now: Date;
}

/** A key with its account's name. Never a secret: the API does not return one after creation. */
export interface ListedKey extends ApiKey {
  serviceAccountName: string;
}

export interface ListKeysResult {
  selection: KeySelection;
  /** The folder searched; undefined when an account given by ID made a folder unnecessary. */
  folderId: string | undefined;
  /** Accounts whose keys were read. */
  accounts: ServiceAccount[];
  /** With the `managed` selection: accounts in the folder left out because aistudio-key did not make them. */
  unmanagedAccounts: number;
  /** Keys that passed the filter, by account name, then creation time. */
  keys: ListedKey[];
  /** Keys read, before the expiry filter. */
  totalKeys: number;
  /** Set when filtering by expiry: keys expiring at or before `before` were kept. */
  expiring: { withinMs: number; before: Date } | undefined;
  now: Date;
}

/** How many accounts' keys are read at once: enough to be quick, few enough not to trip rate limits. */
export const PARALLEL_LISTS = 8;

/**
 * Lists keys (every page of every account, the gateway follows next_page_token).
 * @returns the keys and what was searched.
 * @throws NotFoundError for an `account` ref that names nothing; whatever `input.folder()` throws;
 *   AuthError, CloudError from the gateway.
 */
export async function listKeys(gateway: CloudGateway, input: ListKeysInput, opts: CallOptions = {}): Promise<ListKeysResult> {
  let folderId: string | undefined;
  const folder = async (): Promise<string> => (folderId ??= await input.folder());

  let accounts: ServiceAccount[];
  let unmanagedAccounts = 0;
  if (input.selection.kind === 'account') {
    accounts = [await findServiceAccount(gateway, input.selection.ref, folder, opts)];
  } else {
    const all = await gateway.listServiceAccounts(await folder(), opts);
    accounts = input.selection.kind === 'all' ? all : all.filter(isManagedAccount);
    unmanagedAccounts = all.length - accounts.length;
  }

  const perAccount = await mapLimit(accounts, PARALLEL_LISTS, (sa) => gateway.listApiKeys(sa.id, opts));
  const names = new Map(accounts.map((sa) => [sa.id, sa.name]));
  const all: ListedKey[] = perAccount.flat().map((k) => ({ ...k, serviceAccountName: names.get(k.serviceAccountId) ?? '' }));

  const expiring = input.expiringWithinMs === undefined ? undefined : { withinMs: input.expiringWithinMs, before: new Date(input.now.getTime() + input.expiringWithinMs) };
  const keys = (expiring ? all.filter((k) => expiresBy(k, expiring.before)) : all).sort(byAccountThenCreated);
  return { selection: input.selection, folderId, accounts, unmanagedAccounts, keys, totalKeys: all.length, expiring, now: input.now };
}

/** True when the key has an expiry at or before `before` (keys that never expire never match). */
export function expiresBy(key: Pick<ApiKey, 'expiresAt'>, before: Date): boolean {
  return key.expiresAt !== undefined && key.expiresAt.getTime() <= before.getTime();
}

function byAccountThenCreated(a: ListedKey, b: ListedKey): number {
  return (
    a.serviceAccountName.localeCompare(b.serviceAccountName) ||
    a.serviceAccountId.localeCompare(b.serviceAccountId) ||
    (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0) ||
    a.id.localeCompare(b.id)
  );
}

/** Promise.all over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The read-only checks `create` makes before it changes anything, and the run ID it marks its keys
 * with. Each check throws a UsageError (exit 2) naming the flag to change.
 */
import type { CloudGateway, ServiceAccount } from '../cloud/types.js';
import { UsageError } from '../errors.js';
import { findServiceAccount, foreignAccountError, isManagedAccount } from './accounts.js';

/**
 * --service-account: the account, in `folderId`, managed by aistudio-key unless `adopt`.
 * @throws NotFoundError when there is none; UsageError (exit 2) when it is in another folder or
 *   foreign without --adopt.
 */
export async function existingAccount(gateway: CloudGateway, ref: string, adopt: boolean, folderId: string, signal: AbortSignal | undefined): Promise<ServiceAccount> {
  const account = await findServiceAccount(gateway, ref, () => Promise.resolve(folderId), { signal });
  if (account.folderId !== folderId) {
    throw new UsageError(`--service-account: ${account.name} (${account.id}) is in folder ${account.folderId}, not ${folderId}; pass --folder-id ${account.folderId}`);
  }
  if (!adopt && !isManagedAccount(account)) {
    throw foreignAccountError('--service-account', account);
  }
  return account;
}

/** `create --name X` when X is already in the folder: exit 2 before anything is created. */
export async function refuseTakenName(gateway: CloudGateway, folderId: string, name: string, signal: AbortSignal | undefined): Promise<void> {
  const clash = await gateway.findServiceAccountByName(folderId, name, { signal });
  if (clash) {
    throw new UsageError(`--name: a service account named "${name}" already exists in folder ${folderId} (${clash.id}); to issue a key on it, pass --service-account ${name} instead`);
  }
}

/** `--name X --count N`: exit 2 when any of X-1 … X-N is already in the folder (one List call). */
export async function refuseTakenNames(gateway: CloudGateway, folderId: string, names: readonly string[], signal: AbortSignal | undefined): Promise<void> {
  const taken = new Map((await gateway.listServiceAccounts(folderId, { signal })).map((a) => [a.name, a.id]));
  const clash = names.find((n) => taken.has(n));
  if (clash !== undefined) {
    throw new UsageError(`--name: a service account named "${clash}" already exists in folder ${folderId} (${taken.get(clash) ?? ''}); choose another --name`);
  }
}

const RUN_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 10 random letters and digits: tells this run's API keys from any other run's (about 52 bits). */
export function newRunId(randomInt: (max: number) => number): string {
  let id = '';
  for (let i = 0; i < 10; i++) id += RUN_ID_ALPHABET[randomInt(RUN_ID_ALPHABET.length)] ?? 'x';
  return id;
}

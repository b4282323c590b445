/**
 * Service accounts as aistudio-key sees them: which ones it made (the `managed-by` label `create`
 * puts on every account) and how `--service-account <name|id>` finds one. Shared by `list`,
 * `revoke --with-service-account` and, later, `rotate` and `create --service-account`.
 */
import { NotFoundError, UsageError } from '../errors.js';
import type { CallOptions, CloudGateway, ServiceAccount } from '../cloud/types.js';
import { isResourceId } from '../cloud/shapes.js';
import { RESOURCE_NAME_PATTERN } from './names.js';
import { MANAGED_BY_LABEL } from './preset.js';


/** True when aistudio-key created the account: it carries every `managed-by` label `create` sets. */
export function isManagedAccount(sa: Pick<ServiceAccount, 'labels'>): boolean {
  return Object.entries(MANAGED_BY_LABEL).every(([k, v]) => sa.labels[k] === v);
}

/** `managed-by=aistudio-key`, for messages. */
export function managedLabelText(): string {
  return Object.entries(MANAGED_BY_LABEL)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * The refusal for an account aistudio-key did not make, named by `flag`: one rule for `create` and
 * `ensure`, so neither takes over an account somebody else relies on without --adopt.
 */
export function foreignAccountError(flag: string, account: Pick<ServiceAccount, 'id' | 'name'>): UsageError {
  return new UsageError(
    `${flag}: ${account.name} (${account.id}) was not created by aistudio-key (no label ${managedLabelText()}); pass --adopt to issue a key on it and grant it the roles it lacks`,
  );
}

/** undefined when `ref` can name a service account (an ID or a name), else what would be right. */
export function checkServiceAccountRef(ref: string): string | undefined {
  return RESOURCE_NAME_PATTERN.test(ref)
    ? undefined
    : `expected a service account ID (20 lowercase letters and digits, like ajeabcdefghij0123456) or name (1–63 of a-z 0-9 -), got "${ref}"`;
}

/**
 * Finds the account `ref` names. A 20-character ID-shaped ref is tried as an ID first (no folder
 * needed); when no account has that ID, or the ref is a name, it is looked up by name in the folder
 * `folder()` resolves to (called only then, so a ref given by ID needs no folder at all).
 * @returns the account.
 * @throws NotFoundError when neither finds it (also for an unknown ID when no folder is given);
 *   whatever `folder()` throws (UsageError when no folder is given); gateway errors as they come.
 */
export async function findServiceAccount(gateway: CloudGateway, ref: string, folder: () => Promise<string>, opts: CallOptions = {}): Promise<ServiceAccount> {
  const idShaped = isResourceId(ref);
  let notFound: NotFoundError | undefined;
  if (idShaped) {
    try {
      return await gateway.getServiceAccount(ref, opts);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A name may look like an ID; fall through to the name lookup.
      notFound = error;
    }
  }
  let folderId: string;
  try {
    folderId = await folder();
  } catch (error) {
    // No folder to look a name up in: for an ID-shaped ref, the missing account is the news.
    if (notFound && error instanceof UsageError) throw new NotFoundError(`No service account with ID ${ref}.`, { hints: ['If it is a name, say which folder it is in with --folder-id.'], cause: notFound });
    throw error;
  }
  const found = await gateway.findServiceAccountByName(folderId, ref, opts);
  if (!found) {
    throw new NotFoundError(`No service account with ID or name "${ref}" in folder ${folderId}.`, {
      hints: ['See the accounts and their keys with `aistudio-key list --all`.'],
    });
  }
  return found;
}

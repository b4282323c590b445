/**
 * `--to-lockbox <secret name or ID>` (+ `--lockbox-folder-id`): the key goes into a Yandex Lockbox
 * secret as a new version holding `api-key-id` and `api-key` (other entries of the secret are
 * carried over: AddVersion merges onto its base version), or into a new secret with those entries
 * when no secret of that name exists in the folder. The secret is then not printed anywhere.
 *
 * The preflight is read-only: the secret is read (by ID) or looked up in the folder's list (by
 * name), which proves the folder and secret are visible and the secret active. Write access itself
 * cannot be tested without writing; a refused write after the key was issued makes the caller revoke it.
 */
import { AlreadyExistsError, CloudError, NotFoundError, UsageError } from '../../errors.js';
import { abortableSleep } from '../../cloud/retry.js';
import type { CallOptions, CloudGateway, LockboxSecret } from '../../cloud/types.js';
import { MANAGED_BY_LABEL } from '../preset.js';
import { hasUnsafeChars } from '../unsafe-chars.js';
import { apiLength } from '../validate.js';
import { LOCKBOX_ENTRY, type DeliverableKey, type Delivered } from './types.js';

/** Lockbox IDs are 20 characters starting `e6q` (reference §2). */
const SECRET_ID = /^e6q[a-z0-9]{17}$/;
/** The API's limit on a secret's name. */
const NAME_MAX = 100;

export const LOCKBOX_SECRET_DESCRIPTION = 'AI Studio API key, written by aistudio-key';

export interface LockboxRequest {
  /** A secret ID (`e6q…`) or a name in `folderId`. */
  ref: string;
  /** Where a name is looked up and a missing secret is created. */
  folderId: string;
  /**
   * How to wait for a secret still CREATING (another run has just made it). Without it such a
   * secret is an error at once.
   */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * How long a CREATING secret is waited for. A secret's creation is one short operation; the docs
 * give no duration (DOCS:en/lockbox/operations/secret-create.md), so this bounds a wait the cloud
 * normally ends in about a second, and keeps a CI job from hanging on a secret stuck in creation.
 */
export const CREATING_WAIT_MS = 30_000;
const CREATING_POLL_MS = [250, 500, 1000, 2000, 4000] as const;

export type LockboxPlan =
  | { kind: 'add-version'; secret: LockboxSecret }
  | { kind: 'create'; name: string; folderId: string; sleep?: ((ms: number) => Promise<void>) | undefined };

/** True when `ref` is shaped like a Lockbox secret ID rather than a name. */
export function isSecretId(ref: string): boolean {
  return SECRET_ID.test(ref);
}

/** undefined when `ref` can name a secret; else what is wrong with it. */
export function checkSecretRef(ref: string): string | undefined {
  if (!ref.trim()) return 'expected a Lockbox secret name or ID';
  if (apiLength(ref) > NAME_MAX) return `a secret name is at most ${NAME_MAX} characters as the API counts them (got ${apiLength(ref)})`;
  if (hasUnsafeChars(ref)) return 'a secret name cannot hold control characters or bidi controls';
  return undefined;
}

/**
 * Finds the secret `ref` names: by ID (SecretService.Get) or by name in the folder (SecretService.List).
 * @returns the secret, or undefined when no secret has that name in the folder.
 * @throws NotFoundError for an ID that does not exist; AuthError, CloudError from the gateway.
 */
export async function findLockboxSecret(gateway: CloudGateway, request: LockboxRequest, opts: CallOptions = {}): Promise<LockboxSecret | undefined> {
  if (isSecretId(request.ref)) {
    try {
      return await gateway.getSecret(request.ref, opts);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new NotFoundError(`No Lockbox secret with ID ${request.ref}.`, {
          cause: error,
          hints: ['To create a new secret, name it: --to-lockbox <name> (it is created in the folder when missing).'],
        });
      }
      throw error;
    }
  }
  return gateway.findSecretByName(request.folderId, request.ref, opts);
}

/**
 * Read-only checks before anything is created: the secret (or its folder) is visible, and an
 * existing secret is active.
 * @throws UsageError for a bad ref or an inactive secret; NotFoundError for an unknown ID or folder;
 *   AuthError when the caller may not see them.
 */
export async function preflightLockbox(gateway: CloudGateway, request: LockboxRequest, opts: CallOptions = {}): Promise<LockboxPlan> {
  const problem = checkSecretRef(request.ref);
  if (problem) throw new UsageError(`--to-lockbox: ${problem}`);
  const found = await findLockboxSecret(gateway, request, opts);
  if (!found) return { kind: 'create', name: request.ref, folderId: request.folderId, sleep: request.sleep };
  const secret = await settledSecret(gateway, found, request, opts);
  assertActive(secret);
  return { kind: 'add-version', secret };
}

/**
 * `secret`, or, while it is CREATING (another run has just created it), the same secret read again
 * until it is not, with backoff, for at most CREATING_WAIT_MS (not at all without `request.sleep`).
 * @throws CloudError when it is still being created after that; errors of SecretService.Get.
 */
export async function settledSecret(gateway: CloudGateway, secret: LockboxSecret, request: LockboxRequest, opts: CallOptions = {}): Promise<LockboxSecret> {
  let current = secret;
  let waited = 0;
  for (let i = 0; current.status === 'CREATING'; i++) {
    const delay = CREATING_POLL_MS[Math.min(i, CREATING_POLL_MS.length - 1)] ?? 4000;
    if (!request.sleep || waited + delay > CREATING_WAIT_MS) {
      throw new CloudError(`Lockbox secret ${secret.name || secret.id} (${secret.id}) is still being created${waited > 0 ? ` after ${Math.round(waited / 1000)} s` : ''}, so it cannot take the key yet.`, {
        status: 'FAILED_PRECONDITION',
        hints: [`Another run or person has just created it: run the command again in a minute. \`yc lockbox secret get --id ${secret.id}\` shows its status.`],
      });
    }
    await abortableSleep(request.sleep, delay, opts.signal);
    waited += delay;
    current = await gateway.getSecret(secret.id, opts);
  }
  return current;
}

/** @throws UsageError when the secret cannot take a new version (deactivated; or still creating). */
export function assertActive(secret: LockboxSecret): void {
  const what = `--to-lockbox: secret ${secret.name || secret.id} (${secret.id})`;
  if (secret.status === 'INACTIVE') {
    // Deactivated: its contents can be neither read nor replaced (DOCS:en/lockbox/concepts/secret.md).
    throw new UsageError(`${what} is deactivated, so its contents cannot be read or replaced; activate it (\`yc lockbox secret activate --id ${secret.id}\`) or name another secret`);
  }
  if (secret.status !== 'ACTIVE' && secret.status !== 'UNSPECIFIED') {
    throw new UsageError(`${what} is ${secret.status.toLowerCase()}; wait until it is active, or name another secret`);
  }
}

/** The entries a version holds for `key`. */
export function lockboxEntries(key: Pick<DeliverableKey, 'apiKeyId' | 'secret'>): Record<string, string> {
  return { [LOCKBOX_ENTRY.apiKeyId]: key.apiKeyId, [LOCKBOX_ENTRY.apiKey]: key.secret };
}

export interface LockboxWriteOptions extends CallOptions {
  /**
   * AddVersion's base (`ensure` passes the version it read, so a concurrent write is detectable).
   * undefined: the current version when the call arrives.
   */
  baseVersionId?: string | undefined;
}

/**
 * Writes the key: AddVersion onto the base for an existing secret, else SecretService.Create (and,
 * when another run created the secret meanwhile, AddVersion onto it).
 * @throws AuthError (no write access), NotFoundError (secret or base version gone), CloudError.
 */
export async function deliverToLockbox(gateway: CloudGateway, plan: LockboxPlan, key: DeliverableKey, opts: LockboxWriteOptions = {}): Promise<Delivered> {
  const entries = lockboxEntries(key);
  const { baseVersionId, ...call } = opts;
  let secretId: string;
  let versionId: string;
  let folderId: string;
  let createdSecret = false;
  if (plan.kind === 'add-version') {
    secretId = plan.secret.id;
    folderId = plan.secret.folderId;
    ({ versionId } = await gateway.addSecretVersion({ secretId, baseVersionId, entries, description: `API key ${key.apiKeyId}` }, call));
  } else {
    folderId = plan.folderId;
    try {
      ({ secretId, versionId } = await gateway.createSecret(
        { folderId, name: plan.name, description: LOCKBOX_SECRET_DESCRIPTION, labels: { ...MANAGED_BY_LABEL }, entries },
        call,
      ));
      createdSecret = true;
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      // Created by someone else since the preflight: write into it instead.
      const found = await gateway.findSecretByName(folderId, plan.name, call);
      if (!found) throw error;
      // Just created by that other run: it may still be CREATING.
      const secret = await settledSecret(gateway, found, { ref: plan.name, folderId, sleep: plan.sleep }, call);
      assertActive(secret);
      secretId = secret.id;
      ({ versionId } = await gateway.addSecretVersion({ secretId, baseVersionId: undefined, entries, description: `API key ${key.apiKeyId}` }, call));
    }
  }
  return {
    receipt: { target: 'lockbox', secretId, versionId, folderId, createdSecret },
    // A version cannot be taken back; Lockbox is the last target, so nothing after it can fail.
    undo: () => Promise.resolve(`Lockbox secret ${secretId} version ${versionId} holds the revoked key ${key.apiKeyId}; the version before it is unchanged.`),
  };
}

/**
 * ApiKeyService.Create as `create`, `rotate` and `ensure` issue it. The call returns the secret
 * directly and is not known to honour an idempotency-key, so the transport never repeats it after an
 * answer that leaves unclear whether a key was made (AmbiguousOutcomeError). This loop does, within
 * the same `--retries` budget every other call gets (1 + retries attempts): before each retry it
 * lists the account's keys and deletes those carrying this run's marker (their secret was lost with
 * the answer), so exactly one key exists and its secret is the one returned.
 */
import { AppError } from '../errors.js';
import { isAmbiguousOutcome } from '../cloud/errors.js';
import type { ApiKey, CallOptions, CloudGateway, CreateApiKeyInput, CreatedApiKey } from '../cloud/types.js';
import { hasRunMarker, runMarker } from './run-marker.js';
import { whileAccountSettles, type SettleOptions } from './settle.js';

export interface KeyAttemptHooks {
  /** The run marker's id; without it an ambiguous failure is not retried (no orphan could be found). */
  runId: string | undefined;
  /** Options of the create calls (the wait signal: mutations are never cut mid-flight). */
  write: CallOptions;
  /** Signal of the List that looks for orphans. */
  signal: AbortSignal | undefined;
  /** False once the run is stopping: no further attempt. */
  keepGoing(): boolean;
  /** A --debug line. */
  note(text: string): void;
  /** Before each attempt. */
  onAttempt?(): void;
  /** An attempt failed and surely made nothing. */
  onNotCreated?(): void;
  /** For an account this run just made: its not being known yet is waited out (settle.ts). */
  settle?: SettleOptions;
}

/**
 * Creates the key, retrying ambiguous failures up to `gateway.retries` times (see the module comment).
 * @returns the key and its secret.
 * @throws the last attempt's error (AmbiguousOutcomeError, AuthError, CloudError, …); when looking for
 *   or deleting an orphan fails, the ambiguous error with a hint saying so.
 */
export async function createKeyWithRetries(gateway: CloudGateway, request: CreateApiKeyInput, hooks: KeyAttemptHooks): Promise<CreatedApiKey> {
  const { runId } = hooks;
  for (let retry = 0; ; retry++) {
    hooks.onAttempt?.();
    try {
      return await whileAccountSettles(() => gateway.createApiKey(request, hooks.write), [request.serviceAccountId], hooks.settle);
    } catch (error) {
      if (!isAmbiguousOutcome(error)) {
        hooks.onNotCreated?.();
        throw error;
      }
      // No marker to find an orphan by, the budget spent, or an abort: no further attempt. The
      // caller's clean-up then deletes what the run made (an account it made takes its keys along).
      if (runId === undefined || retry >= gateway.retries || !hooks.keepGoing()) throw error;
      await deleteOrphans(gateway, request.serviceAccountId, runId, error, hooks);
      if (!hooks.keepGoing()) throw error;
      hooks.note(`issuing the API key again (retry ${retry + 1}/${gateway.retries})`);
    }
  }
}

async function deleteOrphans(gateway: CloudGateway, accountId: string, runId: string, error: unknown, hooks: KeyAttemptHooks): Promise<void> {
  const hint = (text: string): unknown => {
    if (error instanceof AppError) error.hints.push(text);
    return error;
  };
  hooks.note(`the API key call for ${accountId} failed ambiguously; looking for keys marked ${runMarker(runId)}`);
  let orphans: ApiKey[];
  try {
    orphans = (await gateway.listApiKeys(accountId, { signal: hooks.signal })).filter((k) => hasRunMarker(k.description, runId));
  } catch (listError) {
    throw hint(`Could not look for a key it may have made (${listError instanceof Error ? listError.message : String(listError)}).`);
  }
  for (const orphan of orphans) {
    try {
      await gateway.deleteApiKey(orphan.id);
    } catch (deleteError) {
      throw hint(`Could not delete API key ${orphan.id}, made by this run but its answer lost (${deleteError instanceof Error ? deleteError.message : String(deleteError)}).`);
    }
    hooks.note(`deleted API key ${orphan.id}: made by this run, its secret lost with the answer`);
  }
  if (orphans.length === 0) hooks.note('no key was made');
}

/**
 * A service account this run has just made may not be known everywhere at once: the
 * docs say access changes "usually take 5 seconds or less" and to repeat the operation, and the
 * Terraform provider has `sleep_after` on IAM resources for the same delay. So NOT_FOUND from the
 * bindings call or the key call, or INVALID_ARGUMENT naming the new account, is waited out with
 * backoff for a bounded time. PERMISSION_DENIED is never waited out.
 */
import { AppError, CloudError, NotFoundError } from '../errors.js';

/** The longest a run waits for an account it just made to be known (README "When things go wrong"). */
export const NEW_ACCOUNT_SETTLE_MS = 30_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

export interface SettleOptions {
  sleep: (ms: number) => Promise<void>;
  /** ms since an epoch (deps.now). */
  now: () => number;
  signal?: AbortSignal | undefined;
  /** Hears each wait (a --debug line). */
  onWait?: (text: string) => void;
}

/** Whether `error` says an account of `accountIds` is not (yet) known. */
export function isUnsettledAccount(error: unknown, accountIds: readonly string[]): boolean {
  if (error instanceof NotFoundError) return true;
  return error instanceof CloudError && error.status === 'INVALID_ARGUMENT' && accountIds.some((id) => error.message.includes(id));
}

/**
 * Runs `call`; while it fails because a just-made account of `accountIds` is not known yet, waits
 * (100 ms doubling to 2 s) and runs it again, for at most NEW_ACCOUNT_SETTLE_MS. Without `settle`
 * (an existing account) `call` runs once.
 * @throws the last error, with a hint saying how long it waited.
 */
export async function whileAccountSettles<T>(call: () => Promise<T>, accountIds: readonly string[], settle: SettleOptions | undefined): Promise<T> {
  if (!settle) return call();
  const start = settle.now();
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isUnsettledAccount(error, accountIds) || settle.signal?.aborted) throw error;
      const waited = settle.now() - start;
      if (waited + delay > NEW_ACCOUNT_SETTLE_MS) {
        if (error instanceof AppError) error.hints.push(`The new service account was still unknown to the cloud after ${Math.round(waited / 1000)} s of retrying.`);
        throw error;
      }
      settle.onWait?.(`the new service account is not known yet (attempt ${attempt}); trying again in ${delay} ms`);
      await sleepUnlessAborted(settle, delay);
      if (settle.signal?.aborted) throw error;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

/** `settle.sleep(ms)`, cut short when the run is aborted (the listener is removed either way). */
function sleepUnlessAborted(settle: SettleOptions, ms: number): Promise<void> {
  const { signal } = settle;
  if (!signal) return settle.sleep(ms);
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void settle.sleep(ms).then(done, done);
  });
}

/**
 * Retries with exponential backoff and jitter, and sleeps that a signal can cut short.
 * Pure: time comes from the injected `sleep`, randomness from the injected `random`.
 */

export interface BackoffPolicy {
  /** Delay before the first retry (before jitter), ms. */
  baseMs: number;
  /** Upper bound of the delay (before jitter), ms. */
  maxMs: number;
}

/** Transient failures of ordinary calls. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 4000 };
/** RESOURCE_EXHAUSTED is a rate limit: back off harder. */
export const RATE_LIMIT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 8000 };

/**
 * Delay before retry number `attempt` (0-based): base·2^attempt capped at max, then "equal
 * jitter" — uniformly between 50 % and 100 % of it, so parallel clients spread out but never
 * retry immediately.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.round(exp * (0.5 + 0.5 * random()));
}

/** An Error named AbortError, the shape nice-grpc and DOM APIs use. */
export function abortError(message = 'The operation was aborted'): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

/** Callbacks waiting for each signal's abort, behind that signal's one listener (see onAbort). */
const abortWaiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` once when `signal` aborts; returns the function that unsubscribes it.
 *
 * One run shares its signals among all its calls: `create --count 100` polls up to 100 operations
 * at once, each sleeping between polls. A listener per sleep (or per call) on the shared signal
 * passes Node's limit of 10 and prints MaxListenersExceededWarning (issue #14). So each signal gets
 * a single listener, added on first use, which fans out to the callbacks registered here.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let waiting = abortWaiters.get(signal);
  if (!waiting) {
    const set = new Set<() => void>();
    waiting = set;
    abortWaiters.set(signal, set);
    signal.addEventListener('abort', () => {
      for (const f of [...set]) f();
      set.clear();
    }, { once: true });
  }
  const entry = (): void => fn();
  waiting.add(entry);
  const set = waiting;
  return () => void set.delete(entry);
}

/**
 * A signal of its own for one call, aborted with the first of `parents` that aborts, for APIs that
 * add a listener per call (nice-grpc). `done()` unsubscribes it from the parents once the call is over.
 */
export function childSignal(...parents: (AbortSignal | undefined)[]): { signal: AbortSignal; done: () => void } {
  const child = new AbortController();
  const present = parents.filter((p): p is AbortSignal => p !== undefined);
  const aborted = present.find((p) => p.aborted);
  if (aborted) {
    child.abort(aborted.reason);
    return { signal: child.signal, done: () => undefined };
  }
  const offs = present.map((p) => onAbort(p, () => child.abort(p.reason)));
  return { signal: child.signal, done: () => offs.forEach((off) => off()) };
}

/**
 * `sleep(ms)`, rejected with an AbortError as soon as `signal` aborts. The injected sleep cannot
 * be cancelled, so its timer may run on; callers keep delays short (≤ a few seconds).
 */
export async function abortableSleep(sleep: (ms: number) => Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortError();
  if (!signal) return sleep(ms);
  await new Promise<void>((resolve, reject) => {
    const unsubscribe = onAbort(signal, () => reject(abortError()));
    sleep(ms).then(
      () => {
        unsubscribe();
        resolve();
      },
      (err: unknown) => {
        unsubscribe();
        reject(err);
      },
    );
  });
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** Whether `err` is worth another attempt. */
  shouldRetry(err: unknown): boolean;
  /** Delay before retry `attempt` (0-based) after `err`. */
  delayMs(err: unknown, attempt: number): number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /** Called before each backoff sleep. */
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
}

/**
 * Runs `fn(attempt)` until it succeeds, fails with a non-retryable error, or runs out of retries;
 * then rethrows the last error unchanged. An abort during backoff rejects with AbortError.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.retries || !opts.shouldRetry(err)) throw err;
      const delay = opts.delayMs(err, attempt);
      opts.onRetry?.(err, attempt, delay);
      await abortableSleep(opts.sleep, delay, opts.signal);
    }
  }
}

/**
 * Our operation waiter (reference §8, §11.4), instead of the SDK's `waitForOperation`, which polls
 * once a second and never settles when a poll fails.
 *
 * - The first Get goes out at once (`firstDelayMs` 0, as the SDK's own first check does). For the
 *   first `fastPhaseMs` (500 ms) of the wait, polls are `minIntervalMs` (20 ms) apart start to
 *   start: on a link slower than that they go back to back, one Get in flight. After that the
 *   start-to-start delay grows ×`factor` (1.3) from `minIntervalMs` up to `maxDelayMs` (1 s).
 *   Delays run from the start of the previous poll, so a slow Get does not stretch the schedule.
 * - An `x-operation-poll-interval` hint from the server (seconds) replaces the next delay.
 * - Up to `notFoundTolerance` NOT_FOUNDs are ignored (a fresh operation may not be on every replica yet).
 * - Transient Get failures are retried `retries` times in a row with backoff.
 * - The whole wait is bounded by `timeoutMs`; `signal` aborts it. Time comes from the injected clock.
 *
 * Why back to back at first: the operations we wait on (account creation, role bindings, keys)
 * mostly finish within a few hundred ms, and every ms between their end and our next Get is added
 * to the run; a back-off from the first Get learns of a 150 ms operation later than back-to-back
 * Gets would, twice per `create`. The price is a few more Gets: at a 30 ms round trip about 17 in the first half second,
 * then the old back-off (a 2 s operation costs ~27 Gets instead of ~12; the SDK's 1 s polling costs 3
 * but finishes up to 1 s late).
 */
import { OperationInterruptedError, OperationTimeoutError, isAbortError, isTransient, parseRpcError } from './errors.js';
import { DEFAULT_BACKOFF, abortableSleep, backoffDelay, type BackoffPolicy } from './retry.js';

/** The parts of an Operation the poller looks at. */
export interface OperationLike {
  id: string;
  description?: string;
  done: boolean;
  error?: { code: number; message: string } | undefined;
}

export interface PollResult<Op> {
  operation: Op;
  /** Value of the `x-operation-poll-interval` response header, seconds. */
  pollIntervalSeconds?: number | undefined;
}

export interface PollEvent {
  poll: number;
  /** 'running' | 'done' | a status name of a tolerated failure */
  outcome: string;
  nextDelayMs: number | undefined;
}

export interface PollOptions<Op extends OperationLike> {
  /** One OperationService.Get. */
  get(operationId: string, signal: AbortSignal | undefined): Promise<PollResult<Op>>;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  signal?: AbortSignal | undefined;
  /** Bound on the whole wait, ms. */
  timeoutMs: number;
  /** Transient Get failures tolerated in a row. */
  retries: number;
  firstDelayMs?: number;
  /** Start-to-start floor between polls; also where the back-off starts. */
  minIntervalMs?: number;
  /** How long, from the start of the wait, polls stay `minIntervalMs` apart. */
  fastPhaseMs?: number;
  factor?: number;
  maxDelayMs?: number;
  notFoundTolerance?: number;
  /** Backoff after a transient Get failure (the schedule's delay is the floor). Default DEFAULT_BACKOFF. */
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Put into timeout/interrupt errors so the caller can clean up. */
  resourceId?: string | undefined;
  onPoll?(event: PollEvent): void;
}

export const POLL_DEFAULTS = { firstDelayMs: 0, minIntervalMs: 20, fastPhaseMs: 500, factor: 1.3, maxDelayMs: 1000, notFoundTolerance: 3 } as const;

/**
 * Waits until `initial` is done and returns the final operation (the caller inspects `error` /
 * `response`). Returns early with a not-done operation only when it already carries an `error`
 * and the time is up (the service is rolling back; the error is what matters).
 * @throws OperationTimeoutError, OperationInterruptedError, or the Get's own error when it is not tolerated
 */
export async function pollOperation<Op extends OperationLike>(initial: Op, opts: PollOptions<Op>): Promise<Op> {
  if (initial.done) return initial;
  const firstDelay = opts.firstDelayMs ?? POLL_DEFAULTS.firstDelayMs;
  const minInterval = opts.minIntervalMs ?? POLL_DEFAULTS.minIntervalMs;
  const fastPhase = opts.fastPhaseMs ?? POLL_DEFAULTS.fastPhaseMs;
  const factor = opts.factor ?? POLL_DEFAULTS.factor;
  const maxDelay = opts.maxDelayMs ?? POLL_DEFAULTS.maxDelayMs;
  const notFoundTolerance = opts.notFoundTolerance ?? POLL_DEFAULTS.notFoundTolerance;
  const id = initial.id;
  const began = opts.now().getTime();
  const deadline = began + opts.timeoutMs;
  const interrupted = (): OperationInterruptedError =>
    new OperationInterruptedError(
      `Stopped waiting for operation ${id}${initial.description ? ` (${initial.description})` : ''}; it goes on in the cloud.`,
      { operationId: id, resourceId: opts.resourceId },
    );

  let current = initial;
  let scheduleDelay = minInterval; // start-to-start delay of the schedule
  let sleepMs = firstDelay;
  let notFound = 0;
  let transientInRow = 0;

  for (let poll = 0; ; poll++) {
    const remaining = deadline - opts.now().getTime();
    if (remaining <= 0) {
      if (current.error) return current;
      const seconds = Math.round(opts.timeoutMs / 1000);
      throw new OperationTimeoutError(
        `Operation ${id}${initial.description ? ` (${initial.description})` : ''} did not finish within ${seconds} s; it may still complete.`,
        { operationId: id, resourceId: opts.resourceId, hints: [`Check it later with \`yc operation get ${id}\`.`] },
      );
    }
    try {
      await abortableSleep(opts.sleep, Math.min(sleepMs, remaining), opts.signal);
    } catch (err) {
      if (isAbortError(err)) throw interrupted();
      throw err;
    }

    const started = opts.now().getTime();
    // Fast phase: the floor; after it, the back-off grows from the floor.
    scheduleDelay = Math.min(maxDelay, started - began < fastPhase ? minInterval : Math.max(minInterval, scheduleDelay * factor));
    let result: PollResult<Op>;
    try {
      result = await opts.get(id, opts.signal);
    } catch (err) {
      if (isAbortError(err) || opts.signal?.aborted) throw interrupted();
      const f = parseRpcError(err);
      if (f?.status === 'NOT_FOUND' && notFound < notFoundTolerance) {
        notFound++;
        sleepMs = Math.round(Math.max(0, scheduleDelay - (opts.now().getTime() - started)));
        opts.onPoll?.({ poll, outcome: 'NOT_FOUND', nextDelayMs: sleepMs });
        continue;
      }
      if (f && isTransient(f) && transientInRow < opts.retries) {
        sleepMs = Math.max(scheduleDelay, backoffDelay(transientInRow, opts.backoff ?? DEFAULT_BACKOFF, opts.random));
        transientInRow++;
        opts.onPoll?.({ poll, outcome: f.status, nextDelayMs: sleepMs });
        continue;
      }
      throw err;
    }
    transientInRow = 0;
    current = result.operation;
    if (current.done) {
      opts.onPoll?.({ poll, outcome: 'done', nextDelayMs: undefined });
      return current;
    }
    const hint = result.pollIntervalSeconds;
    sleepMs = hint !== undefined && Number.isFinite(hint) && hint >= 0
      ? Math.round(hint * 1000)
      : Math.round(Math.max(0, scheduleDelay - (opts.now().getTime() - started)));
    opts.onPoll?.({ poll, outcome: 'running', nextDelayMs: sleepMs });
  }
}

/**
 * How a run stops: Ctrl-C, SIGTERM or --timeout. Three stages: `signal` aborts at once (start no new
 * work; the use-case removes what it made); `waitSignal` a grace period later (stop waiting for calls
 * and operations already sent: a call still unanswered is cancelled and reported as possibly done,
 * what they make is removed by id); `abandonSignal` a bounded clean-up later (every call still
 * running is cancelled, so a stalled service cannot hold the run, and what the clean-up could not
 * remove is reported). A second Ctrl-C leaves at once, saying what the run may have left behind
 * (what it tracked).
 */
import type { Deps } from '../deps.js';
import { type AppError, CloudError, EXIT_CODES, InterruptedError } from '../errors.js';

/** After a Ctrl-C or --timeout, how long calls already in flight are waited for before giving up on them. */
export const DEFAULT_INTERRUPT_GRACE_MS = 10_000;
/** After that grace period, how long the clean-up may take before every call still running is abandoned. */
export const DEFAULT_CLEANUP_BOUND_MS = 10_000;

export interface RunStops {
  signal: AbortSignal;
  waitSignal: AbortSignal;
  abandonSignal: AbortSignal;
  /** Records something this run created, so a forced exit can say what may be left. */
  track(id: string, description: string): void;
  untrack(id: string): void;
  /** Unsubscribes from the signals and clears the timers. */
  dispose(): void;
}

export interface StopOptions {
  /** --timeout in ms, and as the user wrote it (for the message). */
  timeout?: { ms: number; text: string };
  /** Writes a line on stderr (already redacted by the caller). */
  err(text: string): void;
  /** Called first on each interrupt (the spinner stops, so the message is readable). */
  beforeMessage(): void;
}

export function watchStops(deps: Pick<Deps, 'onInterrupt' | 'exit' | 'interruptGraceMs' | 'cleanupBoundMs'>, opts: StopOptions): RunStops {
  const controller = new AbortController();
  const waiting = new AbortController();
  const abandon = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = (reason: AppError): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    graceTimer = setTimeout(() => {
      waiting.abort(reason);
      graceTimer = setTimeout(() => abandon.abort(reason), deps.cleanupBoundMs ?? DEFAULT_CLEANUP_BOUND_MS);
    }, deps.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS);
  };
  const tracked = new Map<string, string>();
  let interrupts = 0;
  const unsubscribe = deps.onInterrupt((signal) => {
    interrupts += 1;
    opts.beforeMessage();
    if (interrupts === 1) {
      opts.err(`${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: finishing calls in flight and removing what this run created. Press Ctrl-C again to exit at once.\n`);
      stop(new InterruptedError(`Interrupted (${signal}).`));
      return;
    }
    const left = [...tracked.values()];
    opts.err(
      left.length > 0
        ? `Exiting at once. This run may have left: ${left.join('; ')}. Deleting the service account also deletes its API keys.\n`
        : 'Exiting at once; this run had created nothing yet.\n',
    );
    deps.exit(EXIT_CODES.interrupted);
  });
  const timeout = opts.timeout;
  const timer = timeout === undefined ? undefined : setTimeout(() => stop(new CloudError(`Gave up after --timeout ${timeout.text}.`, { status: 'DEADLINE_EXCEEDED' })), timeout.ms);
  return {
    signal: controller.signal,
    waitSignal: waiting.signal,
    abandonSignal: abandon.signal,
    track: (id, description) => void tracked.set(id, description),
    untrack: (id) => void tracked.delete(id),
    dispose: () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
    },
  };
}

/** How a run stops (src/commands/interrupts.ts), alone: Ctrl-C, a second Ctrl-C, the grace period, --timeout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { watchStops } from '../../src/commands/interrupts.js';
import type { InterruptSignal } from '../../src/deps.js';
import { CloudError, EXIT_CODES, InterruptedError } from '../../src/errors.js';

function harness(interruptGraceMs = 0) {
  let handler: ((signal: InterruptSignal) => void) | undefined;
  const lines: string[] = [];
  const exits: number[] = [];
  let unsubscribed = 0;
  const deps = {
    onInterrupt: (h: (signal: InterruptSignal) => void) => {
      handler = h;
      return () => void (unsubscribed += 1);
    },
    exit: (code: number) => void exits.push(code),
    interruptGraceMs,
  };
  const press = (signal: InterruptSignal = 'SIGINT'): void => handler?.(signal);
  return { deps, press, lines, exits, unsubscribed: () => unsubscribed, err: (t: string) => void lines.push(t) };
}

test('the first Ctrl-C aborts the run at once, and what is in flight after the grace period', async () => {
  const h = harness(0);
  let stopped = 0;
  const stops = watchStops(h.deps, { err: h.err, beforeMessage: () => (stopped += 1) });
  assert.equal(stops.signal.aborted, false);
  h.press();
  assert.ok(stops.signal.reason instanceof InterruptedError);
  assert.equal(stopped, 1, 'the spinner is stopped before the message');
  assert.match(h.lines[0] ?? '', /^Interrupted: finishing calls in flight/);
  if (!stops.waitSignal.aborted) await once(stops.waitSignal, 'abort');
  assert.equal(stops.waitSignal.reason, stops.signal.reason);
  assert.deepEqual(h.exits, []);
  stops.dispose();
  assert.equal(h.unsubscribed(), 1);
});

test('a second Ctrl-C exits at once (130), naming what the run tracked and not untracked', () => {
  const h = harness(60_000);
  const stops = watchStops(h.deps, { err: h.err, beforeMessage: () => undefined });
  stops.track('sa1', 'service account a');
  stops.track('key1', 'API key k');
  stops.untrack('key1');
  h.press('SIGTERM');
  assert.match(h.lines[0] ?? '', /^Terminated:/);
  h.press();
  assert.deepEqual(h.exits, [EXIT_CODES.interrupted]);
  assert.match(h.lines[1] ?? '', /This run may have left: service account a\. /);
  assert.equal(stops.waitSignal.aborted, false, 'the grace period has not run out');
  stops.dispose();
});

test('nothing tracked: the second Ctrl-C says nothing was created yet', () => {
  const h = harness(60_000);
  const stops = watchStops(h.deps, { err: h.err, beforeMessage: () => undefined });
  h.press();
  h.press();
  assert.equal(h.lines[1], 'Exiting at once; this run had created nothing yet.\n');
  stops.dispose();
});

test('--timeout aborts with DEADLINE_EXCEEDED, quoting the value as written', async () => {
  const h = harness(0);
  const stops = watchStops(h.deps, { err: h.err, beforeMessage: () => undefined, timeout: { ms: 0, text: '5m' } });
  if (!stops.signal.aborted) await once(stops.signal, 'abort');
  const reason: unknown = stops.signal.reason;
  assert.ok(reason instanceof CloudError);
  assert.equal(reason.message, 'Gave up after --timeout 5m.');
  stops.dispose();
});

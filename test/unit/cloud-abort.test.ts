/**
 * Issue #14 item 13: a run's signal is shared by all its calls and sleeps, so each must not add a
 * listener of its own (Node warns past 10: MaxListenersExceededWarning with `create --count 11`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { abortableSleep, childSignal } from '../../src/cloud/retry.js';

test('50 sleeps on one signal add one abort listener, and an abort rejects all of them', async () => {
  const controller = new AbortController();
  const never = (): Promise<void> => new Promise(() => undefined);
  const sleeps = Array.from({ length: 50 }, () => abortableSleep(never, 1000, controller.signal));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort();
  const settled = await Promise.allSettled(sleeps);
  assert.ok(settled.every((s) => s.status === 'rejected' && (s.reason as Error).name === 'AbortError'));
});

test('finished sleeps unsubscribe: the fan-out does not grow with the number of sleeps done', async () => {
  const controller = new AbortController();
  for (let i = 0; i < 30; i++) await abortableSleep(() => Promise.resolve(), 0, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  let fired = 0;
  const c = childSignal(controller.signal);
  c.signal.addEventListener('abort', () => (fired += 1));
  controller.abort(new Error('stop'));
  assert.equal(fired, 1, 'a child signal aborts with its parent');
  assert.equal((c.signal.reason as Error).message, 'stop');
});

test('a child of an aborted signal is born aborted', () => {
  const controller = new AbortController();
  controller.abort();
  assert.equal(childSignal(controller.signal).signal.aborted, true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, Metadata, Status } from 'nice-grpc';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { pollOperation, type OperationLike, type PollOptions, type PollResult } from '../../src/cloud/poller.js';
import { OperationInterruptedError, OperationTimeoutError } from '../../src/cloud/errors.js';

const GET = '/yandex.cloud.operation.OperationService/Get';

/** A virtual clock: sleep advances it; nothing really waits. */
function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    get t() {
      return t;
    },
    sleeps,
  };
}

const running = (id = 'op1'): OperationLike => ({ id, done: false });

/** get() answering from a script; each entry is an operation or an error to throw. Records poll start times. */
function scripted(c: ReturnType<typeof clock>, script: Array<OperationLike | Error | PollResult<OperationLike>>, latencyMs = 0) {
  const starts: number[] = [];
  let i = 0;
  const get = async (): Promise<PollResult<OperationLike>> => {
    starts.push(c.t);
    c.advance(latencyMs);
    const next = script[Math.min(i++, script.length - 1)];
    if (next instanceof Error) throw next;
    if (next && 'operation' in next) return next;
    return { operation: next ?? running() };
  };
  return { get, starts, calls: () => i };
}

function opts(c: ReturnType<typeof clock>, get: PollOptions<OperationLike>['get'], extra: Partial<PollOptions<OperationLike>> = {}): PollOptions<OperationLike> {
  return { get, sleep: c.sleep, now: c.now, timeoutMs: 60_000, retries: 3, random: () => 0.5, ...extra };
}

test('an operation that is already done needs no poll', async () => {
  const c = clock();
  const s = scripted(c, []);
  const op = await pollOperation({ id: 'x', done: true }, opts(c, s.get));
  assert.equal(op.id, 'x');
  assert.equal(s.calls(), 0);
});

test('the first poll goes out at once; polls stay 20 ms apart for 0.5 s, then back off ×1.3 up to 1 s', async () => {
  const c = clock();
  const script: OperationLike[] = [...Array.from({ length: 60 }, () => running()), { id: 'op1', done: true }];
  const s = scripted(c, script);
  await pollOperation(running(), opts(c, s.get));
  assert.equal(s.starts[0], 0);
  const gaps = s.starts.slice(1).map((t, k) => t - (s.starts[k] ?? 0));
  // The fast phase: every poll that starts within the first 500 ms is followed 20 ms later.
  const fast = s.starts.filter((t) => t < 500).length;
  assert.equal(fast, 25);
  assert.deepEqual(gaps.slice(0, fast), Array.from({ length: fast }, () => 20));
  // Then the back-off, from the floor: 26, 34, 44, … never shrinking, capped at 1 s.
  assert.deepEqual(gaps.slice(fast, fast + 3), [26, 34, 44]);
  for (let k = fast + 1; k < gaps.length; k++) assert.ok((gaps[k] ?? 0) >= (gaps[k - 1] ?? 0));
  assert.equal(Math.max(...gaps), 1000);
});

test('delays run start to start: a Get slower than the floor is followed at once (back to back)', async () => {
  const c = clock();
  const s = scripted(c, [running(), running(), running(), { id: 'op1', done: true }], 10);
  await pollOperation(running(), opts(c, s.get));
  assert.deepEqual(s.starts, [0, 20, 40, 60]);
  const slow = clock();
  const s2 = scripted(slow, [running(), running(), running(), { id: 'op1', done: true }], 30);
  await pollOperation(running(), opts(slow, s2.get));
  assert.deepEqual(s2.starts, [0, 30, 60, 90]);
});

test('x-operation-poll-interval replaces the next delay', async () => {
  const c = clock();
  const s = scripted(c, [{ operation: running(), pollIntervalSeconds: 0.2 }, { id: 'op1', done: true }]);
  await pollOperation(running(), opts(c, s.get));
  assert.deepEqual(s.starts, [0, 200]);
});

test('up to three NOT_FOUNDs right after creation are tolerated, in both error shapes', async () => {
  const c = clock();
  const md = new Metadata();
  md.set('x-request-id', 'r');
  const s = scripted(c, [
    new ClientError(GET, Status.NOT_FOUND, 'Operation op1 not found'),
    new ApiError(new ClientError(GET, Status.NOT_FOUND, 'Operation op1 not found'), md),
    new ClientError(GET, Status.NOT_FOUND, 'Operation op1 not found'),
    { id: 'op1', done: true },
  ]);
  const op = await pollOperation(running(), opts(c, s.get));
  assert.equal(op.done, true);
  assert.equal(s.calls(), 4);
});

test('a fourth NOT_FOUND is an error', async () => {
  const c = clock();
  const nf = new ClientError(GET, Status.NOT_FOUND, 'Operation op1 not found');
  const s = scripted(c, [nf, nf, nf, nf]);
  await assert.rejects(pollOperation(running(), opts(c, s.get)), (e) => e === nf);
});

test('transient Get failures are retried, then the error is thrown', async () => {
  const c = clock();
  const un = new ClientError(GET, Status.UNAVAILABLE, 'Connection dropped');
  const ok = scripted(c, [un, un, un, { id: 'op1', done: true }]);
  assert.equal((await pollOperation(running(), opts(c, ok.get))).done, true);

  const c2 = clock();
  const bad = scripted(c2, [un, un, un, un]);
  await assert.rejects(pollOperation(running(), opts(c2, bad.get)), (e) => e === un);
  assert.equal(bad.calls(), 4);
});

test('a non-transient Get failure is thrown at once', async () => {
  const c = clock();
  const pd = new ClientError(GET, Status.PERMISSION_DENIED, 'no');
  const s = scripted(c, [pd]);
  await assert.rejects(pollOperation(running(), opts(c, s.get)), (e) => e === pd);
  assert.equal(s.calls(), 1);
});

test('the wait is bounded: OperationTimeoutError names the operation and the resource', async () => {
  const c = clock();
  const s = scripted(c, [running()]);
  await assert.rejects(pollOperation({ ...running(), description: 'Create service account' }, opts(c, s.get, { timeoutMs: 5000, resourceId: 'ajesa' })), (e) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.operationId, 'op1');
    assert.equal(e.resourceId, 'ajesa');
    assert.equal(e.status, 'DEADLINE_EXCEEDED');
    assert.match(e.message, /op1 \(Create service account\) did not finish within 5 s/);
    return true;
  });
  assert.ok(c.t <= 5000, `stopped at ${c.t}`);
});

test('an error seen on a not-yet-done operation is returned at the deadline rather than a timeout', async () => {
  const c = clock();
  const failing = { id: 'op1', done: false, error: { code: 13, message: 'boom' } };
  const s = scripted(c, [failing]);
  const op = await pollOperation(running(), opts(c, s.get, { timeoutMs: 2000 }));
  assert.deepEqual(op.error, { code: 13, message: 'boom' });
});

test('an aborted signal stops the wait with OperationInterruptedError', async () => {
  const c = clock();
  const ac = new AbortController();
  const s = scripted(c, [running()]);
  const get: PollOptions<OperationLike>['get'] = async (id, signal) => {
    const r = await s.get();
    if (s.calls() === 2) ac.abort();
    void id;
    void signal;
    return r;
  };
  await assert.rejects(pollOperation(running(), opts(c, get, { signal: ac.signal, resourceId: 'ajesa' })), (e) => {
    assert.ok(e instanceof OperationInterruptedError);
    assert.equal(e.operationId, 'op1');
    assert.equal(e.resourceId, 'ajesa');
    assert.equal(e.exitCode, 130);
    return true;
  });
  assert.equal(s.calls(), 2);
});

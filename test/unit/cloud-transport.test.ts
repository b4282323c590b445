import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, Metadata, Status } from 'nice-grpc';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { AuthError, CloudError, InterruptedError } from '../../src/errors.js';
import { AbandonedCallError, AmbiguousOutcomeError, isAmbiguousOutcome } from '../../src/cloud/errors.js';
import { Redactor } from '../../src/cloud/redact.js';
import { Caller, type CallKind, type CallOpts } from '../../src/cloud/transport.js';
import { DEFAULT_BACKOFF, backoffDelay, withRetries } from '../../src/cloud/retry.js';
import { fakeIamToken } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();

const TOKEN = FAKE_1;
const PATH = '/yandex.cloud.iam.v1.ServiceAccountService/Create';

function caller(extra: { retries?: number; debug?: string[] } = {}) {
  const sleeps: number[] = [];
  const c = new Caller({
    retries: extra.retries ?? 3,
    callTimeoutMs: 1234,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    redactor: new Redactor(),
    debug: extra.debug ? (l) => extra.debug?.push(l) : undefined,
    random: () => 0.5,
  });
  c.setToken(TOKEN);
  return { c, sleeps };
}

/** An invoke that fails with the given errors, then answers `result`; records the options of each attempt. */
function flaky<T>(errors: unknown[], result: T, headers: Record<string, string> = { 'x-request-id': 'rid-1' }) {
  const seen: CallOpts[] = [];
  const invoke = async (o: CallOpts): Promise<T> => {
    seen.push(o);
    const md = new Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    o.onHeader?.(md);
    const err = errors[seen.length - 1];
    if (err !== undefined) throw err;
    return result;
  };
  return { invoke, seen };
}

const spec = (kind: CallKind, extra: object = {}) => ({
  method: 'ServiceAccountService/Create',
  kind,
  ctx: { action: 'create service account "x" in folder b1g', needs: '`editor` on folder b1g' },
  ...extra,
});

function apiError(code: Status, details: string): ApiError {
  const md = new Metadata();
  md.set('x-request-id', 'rid-api');
  return new ApiError(new ClientError(PATH, code, details), md);
}

test('a mutation reuses one idempotency-key across its retries; request ids differ; token in authorization', async () => {
  const { c } = caller();
  const f = flaky([new ClientError(PATH, Status.UNAVAILABLE, 'lost'), apiError(Status.UNAVAILABLE, 'lost again')], 'op');
  assert.equal(await c.run(spec('mutation'), f.invoke), 'op');
  assert.equal(f.seen.length, 3);
  const keys = f.seen.map((o) => o.metadata?.get('idempotency-key'));
  assert.match(String(keys[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(keys).size, 1);
  assert.equal(new Set(f.seen.map((o) => o.metadata?.get('x-client-request-id'))).size, 3);
  assert.equal(f.seen[0]?.metadata?.get('authorization'), `Bearer ${TOKEN}`);
  assert.equal(f.seen[0]?.deadline, 1234);
  assert.equal(f.seen[0]?.retry, false, "the SDK's own retry middleware stays off");
});

test('each mutation gets a fresh idempotency-key', async () => {
  const { c } = caller();
  const a = flaky([], 1);
  const b = flaky([], 2);
  await c.run(spec('mutation'), a.invoke);
  await c.run(spec('mutation'), b.invoke);
  assert.notEqual(a.seen[0]?.metadata?.get('idempotency-key'), b.seen[0]?.metadata?.get('idempotency-key'));
});

test('reads carry no idempotency-key; credential-less calls carry no authorization', async () => {
  const { c } = caller();
  const f = flaky([], 'x');
  await c.run(spec('read', { auth: false }), f.invoke);
  assert.equal(f.seen[0]?.metadata?.get('idempotency-key'), undefined);
  assert.equal(f.seen[0]?.metadata?.get('authorization'), undefined);
});

test('ApiError-shaped transient failures are retried too (the SDK middleware would not)', async () => {
  const { c } = caller();
  const f = flaky([apiError(Status.INTERNAL, 'x'), apiError(Status.RESOURCE_EXHAUSTED, 'slow down')], 'ok');
  assert.equal(await c.run(spec('read'), f.invoke), 'ok');
  assert.equal(f.seen.length, 3);
});

test('retries stop at target.retries with the mapped error; backoff has jitter and grows', async () => {
  const { c, sleeps } = caller({ retries: 2 });
  const un = new ClientError(PATH, Status.UNAVAILABLE, 'down');
  const f = flaky([un, un, un, un], 'never');
  await assert.rejects(c.run(spec('read'), f.invoke), (e) => {
    assert.ok(e instanceof CloudError);
    assert.equal(e.status, 'UNAVAILABLE');
    return true;
  });
  assert.equal(f.seen.length, 3);
  assert.deepEqual(sleeps, [backoffDelay(0, DEFAULT_BACKOFF, () => 0.5), backoffDelay(1, DEFAULT_BACKOFF, () => 0.5)]);
  assert.ok((sleeps[1] ?? 0) > (sleeps[0] ?? 0));
});

test('PERMISSION_DENIED is not retried and maps to AuthError', async () => {
  const { c } = caller();
  const f = flaky([apiError(Status.PERMISSION_DENIED, 'denied')], 'never');
  await assert.rejects(c.run(spec('mutation'), f.invoke), (e) => e instanceof AuthError && e.code === 'permission_denied');
  assert.equal(f.seen.length, 1);
});

test('a "once" call is not repeated after an ambiguous failure: AmbiguousOutcomeError', async () => {
  for (const err of [new ClientError(PATH, Status.UNAVAILABLE, 'Connection dropped'), apiError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), apiError(Status.INTERNAL, 'x')]) {
    const { c } = caller();
    const f = flaky([err], 'never');
    await assert.rejects(c.run(spec('once'), f.invoke), (e) => {
      assert.ok(e instanceof AmbiguousOutcomeError);
      assert.equal(e.ambiguous, true);
      assert.ok(e instanceof CloudError);
      assert.match(e.message, /did not confirm whether it managed to create service account/);
      return true;
    });
    assert.equal(f.seen.length, 1);
  }
});

test('a "once" call is repeated when the request surely never arrived or was rate-limited', async () => {
  const { c } = caller();
  const f = flaky(
    [
      new ClientError(PATH, Status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:9'),
      new ClientError(PATH, Status.RESOURCE_EXHAUSTED, 'Too many requests'),
    ],
    'ok',
  );
  assert.equal(await c.run(spec('once'), f.invoke), 'ok');
  assert.equal(f.seen.length, 3);
  assert.equal(f.seen[0]?.metadata?.get('idempotency-key'), undefined);
});

test('a definite "once" failure keeps its own class', async () => {
  const { c } = caller();
  const f = flaky([new ClientError(PATH, Status.INVALID_ARGUMENT, 'bad scope')], 'never');
  await assert.rejects(c.run(spec('once'), f.invoke), (e) => e instanceof CloudError && !(e instanceof AmbiguousOutcomeError) && e.status === 'INVALID_ARGUMENT');
});

test('an aborted signal stops a mutation before it starts, and backoff sleeps', async () => {
  const { c } = caller();
  const ac = new AbortController();
  ac.abort();
  const f = flaky([], 'x');
  await assert.rejects(c.run(spec('mutation', { signal: ac.signal }), f.invoke), (e) => e instanceof InterruptedError);
  assert.equal(f.seen.length, 0);

  const ac2 = new AbortController();
  const slow = new Caller({
    retries: 3,
    callTimeoutMs: 1000,
    sleep: () => new Promise(() => undefined), // never resolves: only the abort can end it
    redactor: new Redactor(),
  });
  slow.setToken(TOKEN);
  const g = flaky([new ClientError(PATH, Status.UNAVAILABLE, 'x')], 'never');
  const p = slow.run(spec('read', { signal: ac2.signal }), g.invoke);
  setImmediate(() => ac2.abort());
  await assert.rejects(p, (e) => e instanceof InterruptedError);
});

test('debug lines name method, status, duration and request id, never the token', async () => {
  const lines: string[] = [];
  const { c } = caller({ debug: lines });
  const f = flaky([apiError(Status.UNAVAILABLE, `echo ${TOKEN}`)], 'ok', { 'x-request-id': 'rid-9' });
  await c.run(spec('mutation'), f.invoke);
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^rpc ServiceAccountService\/Create UNAVAILABLE\(ApiError\) \d+ms request-id=rid-api idempotency-key=/);
  assert.match(lines[1] ?? '', /retry 2\/4 in \d+ms/);
  assert.match(lines[2] ?? '', /^rpc ServiceAccountService\/Create OK \d+ms request-id=rid-9 attempt=2\/4/);
  for (const l of lines) assert.ok(!l.includes(TOKEN));
});

test('withRetries rethrows non-retryable errors unchanged', async () => {
  const boom = new TypeError('bug');
  await assert.rejects(
    withRetries(async () => {
      throw boom;
    }, { retries: 5, shouldRetry: () => false, delayMs: () => 0, sleep: async () => undefined }),
    (e) => e === boom,
  );
});

test('backoff: exponential, capped, jittered between 50 % and 100 %', () => {
  const p = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(0, p, () => 0), 50);
  assert.equal(backoffDelay(0, p, () => 1), 100);
  assert.equal(backoffDelay(3, p, () => 1), 800);
  assert.equal(backoffDelay(10, p, () => 1), 1000);
  assert.equal(backoffDelay(10, p, () => 0), 500);
});

test('abandon: a call on an abandoned connection is never started (the SDK deadline middleware would ignore an aborted signal)', async () => {
  const abandon = new AbortController();
  const c = new Caller({ retries: 3, callTimeoutMs: 1000, sleep: async () => undefined, redactor: new Redactor(), abandon: abandon.signal });
  c.setToken(TOKEN);
  abandon.abort();
  const poll = flaky([], 'x');
  await assert.rejects(c.attempt(spec('read'), poll.invoke), (e: Error) => e.name === 'AbortError');
  assert.equal(poll.seen.length, 0, 'an operation poll after the clean-up bound is not sent');
  const del = flaky([], 'x');
  await assert.rejects(c.run(spec('mutation'), del.invoke), (e) => e instanceof InterruptedError);
  assert.equal(del.seen.length, 0);
});

test('a mutation still unanswered when its wait bound aborts is cancelled, not retried, and reported as possibly done', async () => {
  const { c } = caller();
  const wait = new AbortController();
  const seen: CallOpts[] = [];
  // A call that never answers (a stalled service): only its signal can end it.
  const invoke = (o: CallOpts): Promise<string> => {
    seen.push(o);
    return new Promise((_resolve, reject) => o.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
  };
  const p = c.run(spec('mutation', { signal: wait.signal }), invoke);
  setImmediate(() => wait.abort());
  await assert.rejects(p, (e) => e instanceof AbandonedCallError && isAmbiguousOutcome(e) && /may or may not have happened/.test(e.message));
  assert.equal(seen.length, 1, 'no retry after the abort');
});

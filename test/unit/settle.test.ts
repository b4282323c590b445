import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, CloudError, NotFoundError } from '../../src/errors.js';
import { NEW_ACCOUNT_SETTLE_MS, isUnsettledAccount, whileAccountSettles } from '../../src/core/settle.js';

const ID = 'ajenewaccount0000001';

function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, slept };
}

function failing(times: number, error: () => Error): { call: () => Promise<string>; calls: () => number } {
  let n = 0;
  return { call: async () => { if (n++ < times) throw error(); return 'ok'; }, calls: () => n };
}

test('NOT_FOUND for a just-made account is waited out with doubling delays', async () => {
  const c = clock();
  const f = failing(3, () => new NotFoundError(`Service account ${ID} not found`));
  assert.equal(await whileAccountSettles(f.call, [ID], c), 'ok');
  assert.equal(f.calls(), 4);
  assert.deepEqual(c.slept, [100, 200, 400]);
});

test('INVALID_ARGUMENT counts only when it names the account', () => {
  assert.ok(isUnsettledAccount(new CloudError(`Request validation error: ServiceAccountId: service account ${ID} not found`, { status: 'INVALID_ARGUMENT' }), [ID]));
  assert.ok(!isUnsettledAccount(new CloudError('Request validation error: Scopes[0]: unknown scope', { status: 'INVALID_ARGUMENT' }), [ID]));
  assert.ok(!isUnsettledAccount(new AuthError('denied', { code: 'permission_denied' }), [ID]));
});

test('PERMISSION_DENIED is final: one call, no wait', async () => {
  const c = clock();
  const f = failing(5, () => new AuthError('denied', { code: 'permission_denied' }));
  await assert.rejects(whileAccountSettles(f.call, [ID], c), AuthError);
  assert.equal(f.calls(), 1);
  assert.deepEqual(c.slept, []);
});

test(`gives up within NEW_ACCOUNT_SETTLE_MS (${NEW_ACCOUNT_SETTLE_MS} ms), saying how long it waited`, async () => {
  const c = clock();
  const f = failing(Infinity, () => new NotFoundError('gone'));
  const err = await whileAccountSettles(f.call, [ID], c).catch((e: unknown) => e);
  assert.ok(err instanceof NotFoundError);
  assert.ok(c.now() <= NEW_ACCOUNT_SETTLE_MS);
  assert.ok(c.now() > NEW_ACCOUNT_SETTLE_MS / 2);
  assert.match(err.hints.at(-1) ?? '', /still unknown to the cloud after \d+ s/);
});

test('without settle options (an existing account) the call runs once', async () => {
  const f = failing(1, () => new NotFoundError('gone'));
  await assert.rejects(whileAccountSettles(f.call, [ID], undefined), NotFoundError);
  assert.equal(f.calls(), 1);
});

test('an abort during the wait ends it at once with the last error', async () => {
  const controller = new AbortController();
  let sleeping = 0;
  const settle = { now: () => 0, sleep: () => { sleeping++; controller.abort(); return new Promise<void>(() => undefined); }, signal: controller.signal };
  const f = failing(Infinity, () => new NotFoundError('gone'));
  await assert.rejects(whileAccountSettles(f.call, [ID], settle), NotFoundError);
  assert.equal(f.calls(), 1);
  assert.equal(sleeping, 1);
});

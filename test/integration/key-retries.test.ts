/**
 * Issue #14 item 9: the key create honours `--retries`. ApiKeyService.Create is not known to honour an
 * idempotency-key, so after an answer that does not say whether a key was made, the run lists the
 * account's keys, deletes those carrying its own marker, and tries again — as many times as
 * `--retries` allows (1 + retries attempts in all, the same count every other call gets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorlds } from '../helpers/create-world.js';

const world = createWorlds({ folderFlag: true });
const FAST = { target: { backoff: { baseMs: 1, maxMs: 4 } } };

test('ApiKeyService.Create answering UNAVAILABLE twice: --retries 3 succeeds on the third attempt, one key', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'UNAVAILABLE', times: 2 });
  const r = await w.create(['--retries', '3', '--json'], FAST);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 3);
  // The marker lookup happens before each retry, never before the first attempt.
  const order = w.emu.journal.map((e) => e.method).filter((m) => m === 'ApiKeyService/Create' || m === 'ApiKeyService/List');
  assert.deepEqual(order, ['ApiKeyService/Create', 'ApiKeyService/List', 'ApiKeyService/Create', 'ApiKeyService/List', 'ApiKeyService/Create']);
  const doc = JSON.parse(r.stdout) as { api_key: { id: string } };
  assert.deepEqual(w.emu.state.apiKeys().map((k) => k.id), [doc.api_key.id]);
});

test('lost answers twice: the orphans carrying the run marker are deleted before each retry; exactly one key is left', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Create', { kind: 'lost-answer', times: 2 });
  const r = await w.create(['--retries', '3', '--json'], FAST);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 3);
  assert.equal(w.emu.calls('ApiKeyService/Delete').length, 2, 'each lost key deleted');
  const doc = JSON.parse(r.stdout) as { api_key: { id: string } };
  assert.deepEqual(w.emu.state.apiKeys().map((k) => k.id), [doc.api_key.id]);
});

test('--retries 1 with two UNAVAILABLE answers: two attempts, then the run rolls back and exits 1', async () => {
  const w = await world();
  const before = w.emu.state.serviceAccounts().length;
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'UNAVAILABLE', times: 2 });
  const r = await w.create(['--retries', '1', '--json'], FAST);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 2);
  assert.equal(w.emu.state.serviceAccounts().length, before, 'the account this run made is gone');
  assert.equal(w.emu.state.apiKeys().length, 0);
  assert.equal(r.stdout, '');
});

test('--retries 0: one attempt only', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'UNAVAILABLE' });
  const r = await w.create(['--retries', '0', '--json'], FAST);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.equal(w.emu.calls("ApiKeyService/Create").length, 1, r.stderr);
});

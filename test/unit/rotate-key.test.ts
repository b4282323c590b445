/**
 * The rotate use-case on the fake gateway: the order create -> deliver -> delete; a failed delivery
 * revokes the new key and keeps the old; --keep-old; a missing key; an account aistudio-key did not
 * make; a failed revoke after delivery; interruption before and after delivery; lost answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AmbiguousOutcomeError } from '../../src/cloud/errors.js';
import type { ApiKey, ServiceAccount } from '../../src/cloud/types.js';
import { keyDescription } from '../../src/core/create-key.js';
import { runMarker } from '../../src/core/run-marker.js';
import { DeliveryError } from '../../src/core/delivery.js';
import { rotateKey, stripRunMarker, type RotateKeyEvent, type RotateKeyOptions, type RotateKeyResult } from '../../src/core/rotate-key.js';
import { AuthError, CloudError, InterruptedError, NotFoundError, UsageError } from '../../src/errors.js';
import { FakeGateway, FOLDER_ID } from '../helpers/fake-gateway.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const LATER = new Date('2027-02-25T12:00:00Z');
const SA = 'ajesa000000000000001';
const OLD = 'ajeold00000000000001';
const OTHER = 'ajeold00000000000002';
const SCOPES = ['yc.ai.languageModels.execute', 'yc.search-api.execute'];

function world(labels: Record<string, string> = { 'managed-by': 'aistudio-key' }): FakeGateway {
  const gw = new FakeGateway();
  const sa: ServiceAccount = { id: SA, folderId: FOLDER_ID, name: 'bot', description: '', labels, createdAt: NOW };
  gw.serviceAccounts.set(SA, sa);
  const key = (id: string, description: string): ApiKey => ({ id, serviceAccountId: SA, description, scopes: [...SCOPES], createdAt: NOW, expiresAt: NOW, lastUsedAt: undefined });
  gw.apiKeys.set(OLD, { apiKey: key(OLD, keyDescription('chat bot', 'oldrun0001')), secret: 'AQVNold' });
  gw.apiKeys.set(OTHER, { apiKey: key(OTHER, 'another key'), secret: 'AQVNother' });
  gw.folders.get(FOLDER_ID)?.bindings.push({ roleId: 'ai.editor', subject: { type: 'serviceAccount', id: SA } }, { roleId: 'viewer', subject: { type: 'userAccount', id: SA } });
  return gw;
}

/** Options whose deliver records the result and logs 'deliver' between the gateway's calls. */
function opts(gw: FakeGateway, more: Partial<RotateKeyOptions> = {}): RotateKeyOptions & { delivered: RotateKeyResult[] } {
  const delivered: RotateKeyResult[] = [];
  return {
    runId: 'newrun0001',
    deliver: async (r) => {
      gw.log.push('deliver');
      delivered.push(structuredClone(r));
    },
    ...more,
    delivered,
  };
}

const input = (more: { keepOld?: boolean; keyId?: string } = {}) => ({ keyId: more.keyId ?? OLD, expiresAt: LATER, keepOld: more.keepOld ?? false });

test('issues the new key, delivers it, and only then deletes the old one', async () => {
  const gw = world();
  const o = opts(gw);
  const out = await rotateKey(gw, input(), o);

  assert.deepEqual(gw.log.filter((l) => l === 'deliver' || l.startsWith('end ')), [
    'end getApiKey',
    'end getServiceAccount',
    'end listFolderAccessBindings',
    'end createApiKey',
    'deliver',
    'end deleteApiKey',
  ]);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey', 'deleteApiKey']);
  assert.equal(gw.callsOf('deleteApiKey')[0]?.args[0], OLD);

  const request = gw.callsOf('createApiKey')[0]?.args[0] as { serviceAccountId: string; description: string; scopes: string[]; expiresAt: Date };
  assert.equal(request.serviceAccountId, SA, 'same account');
  assert.deepEqual(request.scopes, SCOPES, 'same scopes');
  assert.equal(request.description, `chat bot ${runMarker('newrun0001')}`, "the user's text, this run's marker in place of the old one");
  assert.deepEqual(request.expiresAt, LATER, 'the expiry it was given, not the old one');

  assert.equal(o.delivered.length, 1);
  const d = o.delivered[0];
  assert.equal(d?.apiKey.id, out.apiKey.id);
  assert.equal(d?.secret, out.secret);
  assert.deepEqual(d?.revoked, [], 'nothing is revoked yet when the result is handed over (issue #14)');
  assert.deepEqual(out.revoked, [OLD], 'the outcome names the key once its delete succeeded');
  assert.equal(d?.replaced.id, OLD);
  assert.deepEqual(d?.roles, ['ai.editor'], "the account's roles on its folder (not another subject's with the same id)");
  assert.equal(d?.serviceAccount.id, SA);
  assert.equal(out.old, 'revoked');
  assert.deepEqual([...gw.apiKeys.keys()].sort(), [OTHER, out.apiKey.id].sort(), 'old key gone, the other key untouched');
});

test('delivery fails: the new key is revoked, the old one kept, and the error says so', async () => {
  const gw = world();
  const err = await rotateKey(gw, input(), {
    runId: 'newrun0001',
    deliver: async () => {
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    },
  }).catch((e: unknown) => e);
  assert.ok(err instanceof DeliveryError, String(err));
  assert.equal(err.exitCode, 1);
  assert.match(err.message, /^Could not hand over the new key: write EPIPE\.$/);
  const newId = gw.callsOf('deleteApiKey')[0]?.args[0] as string;
  assert.match(err.hints.join('\n'), new RegExp(`Nobody received the secret, so the new API key ${newId} was revoked; the old key ${OLD} was not touched and still works`));
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey', 'deleteApiKey']);
  assert.notEqual(newId, OLD, 'the delete was of the new key');
  assert.deepEqual([...gw.apiKeys.keys()].sort(), [OLD, OTHER], 'exactly the keys there were before');
  assert.doesNotMatch([err.message, ...err.hints].join('\n'), /AQVN/);

  // The deliverer's own AppError comes back, with the same hint appended.
  const gw2 = world();
  const own = new DeliveryError('Could not write the result to stdout: no space left on the device (ENOSPC).');
  const err2 = await rotateKey(gw2, input(), { deliver: () => Promise.reject(own) }).catch((e: unknown) => e);
  assert.equal(err2, own);
  assert.ok(own.hints.some((h) => h.startsWith('Nobody received the secret')));
  assert.ok(gw2.apiKeys.has(OLD));
  assert.equal(gw2.apiKeys.size, 2);
});

test('delivery fails and the new key cannot be revoked either: the hint names it', async () => {
  const gw = world();
  gw.fail('deleteApiKey', () => new CloudError('unavailable', { status: 'UNAVAILABLE' }));
  const err = await rotateKey(gw, input(), { deliver: () => Promise.reject(new Error('EPIPE')) }).catch((e: unknown) => e);
  assert.ok(err instanceof DeliveryError);
  assert.match(err.hints.join('\n'), /could not be revoked \(unavailable\): revoke it with `aistudio-key revoke --yes ajk\w+`; the old key ajeold00000000000001 was not touched/);
  assert.ok(gw.apiKeys.has(OLD));
});

test('--keep-old: the new key is delivered with revoked [], and nothing is deleted', async () => {
  const gw = world();
  const o = opts(gw);
  const out = await rotateKey(gw, input({ keepOld: true }), o);
  assert.equal(out.old, 'kept');
  assert.deepEqual(o.delivered[0]?.revoked, []);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey']);
  assert.equal(gw.apiKeys.size, 3);
});

test('a missing key: NotFoundError saying nothing was rotated, before any change', async () => {
  const gw = world();
  const o = opts(gw);
  const err = await rotateKey(gw, input({ keyId: 'ajenosuchkey00000000' }), o).catch((e: unknown) => e);
  assert.ok(err instanceof NotFoundError);
  assert.equal(err.exitCode, 1);
  assert.equal(err.message, 'API key ajenosuchkey00000000 was not found: it was revoked already, or this credential cannot see it. Nothing was rotated.');
  assert.match(err.hints[0] ?? '', /aistudio-key list --all/);
  assert.deepEqual(gw.mutations(), []);
  assert.equal(o.delivered.length, 0);
});

test('an account aistudio-key did not make is rotated all the same, and left as it was', async () => {
  const gw = world({ 'managed-by': 'terraform' });
  const out = await rotateKey(gw, input(), opts(gw));
  assert.equal(out.old, 'revoked');
  assert.deepEqual(out.serviceAccount.labels, { 'managed-by': 'terraform' });
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey', 'deleteApiKey'], 'no account, label or binding call');
});

test('revoking the old key fails after delivery: its error, naming the key still live; the new key stays', async () => {
  const gw = world();
  gw.fail('deleteApiKey', () => new AuthError('You may not delete API key', { code: 'permission_denied' }));
  const o = opts(gw);
  const err = await rotateKey(gw, input(), o).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  assert.equal(err.exitCode, 3);
  const newId = o.delivered[0]?.apiKey.id ?? '';
  assert.match(err.hints.join('\n'), new RegExp(`The new API key ${newId} was delivered and works, but the old key ${OLD} is still live: revoke it with \`aistudio-key revoke --yes ${OLD}\``));
  assert.ok(gw.apiKeys.has(OLD));
  assert.ok(gw.apiKeys.has(newId), 'the delivered key is never taken back');
});

test('the old key vanishing before its delete is success: already-gone', async () => {
  const gw = world();
  gw.fail('deleteApiKey', () => new NotFoundError('API key not found', { status: 'NOT_FOUND' }));
  const out = await rotateKey(gw, input(), opts(gw));
  assert.equal(out.old, 'already-gone');
});

test('interrupted while the key is issued: nothing delivered, the new key revoked, the old kept', async () => {
  const gw = world();
  const ac = new AbortController();
  const gate = gw.hold('createApiKey');
  const o = opts(gw, { signal: ac.signal });
  const run = rotateKey(gw, input(), o).catch((e: unknown) => e);
  await gate.entered;
  ac.abort(new InterruptedError('Interrupted (SIGINT).'));
  gate.release();
  const err = await run;
  assert.ok(err instanceof InterruptedError);
  assert.equal(o.delivered.length, 0);
  assert.match(err.hints.join('\n'), /so the new API key ajk\w+ was revoked; the old key ajeold00000000000001 was not touched/);
  assert.deepEqual([...gw.apiKeys.keys()].sort(), [OLD, OTHER]);
});

test('interrupted during delivery: the new key is kept (it was delivered), the old one not revoked, and the error says which', async () => {
  const gw = world();
  const ac = new AbortController();
  const o = opts(gw, {
    signal: ac.signal,
    deliver: async () => {
      ac.abort(new InterruptedError('Interrupted (SIGINT).'));
    },
  });
  const err = await rotateKey(gw, input(), o).catch((e: unknown) => e);
  assert.ok(err instanceof InterruptedError);
  assert.match(err.hints.join('\n'), /delivered and works, but the old key ajeold00000000000001 is still live/);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey']);
  assert.equal(gw.apiKeys.size, 3);
});

test('aborted before it starts: no call at all', async () => {
  const gw = world();
  const ac = new AbortController();
  ac.abort(new InterruptedError('Interrupted (SIGINT).'));
  await assert.rejects(rotateKey(gw, input(), opts(gw, { signal: ac.signal })), InterruptedError);
  assert.deepEqual(gw.calls, []);
});

test('a lost answer is recovered as in create: the orphan deleted by its run marker, the key issued once more', async () => {
  const gw = world();
  gw.fail('createApiKey', () => new AmbiguousOutcomeError('answer lost', { status: 'UNAVAILABLE' }), { afterWork: true });
  const o = opts(gw);
  const out = await rotateKey(gw, input(), o);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey', 'deleteApiKey', 'createApiKey', 'deleteApiKey']);
  assert.deepEqual([...gw.apiKeys.keys()].sort(), [OTHER, out.apiKey.id].sort(), 'one new key, the delivered one');
});

test('lost answers to the end: every key this run may have made is removed, the old one kept', async () => {
  const gw = world();
  gw.fail('createApiKey', () => new AmbiguousOutcomeError('answer lost', { status: 'UNAVAILABLE' }), { afterWork: true, times: gw.retries + 1 });
  const events: RotateKeyEvent[] = [];
  const o = opts(gw, { onEvent: (e) => events.push(e) });
  const err = await rotateKey(gw, input(), o).catch((e: unknown) => e);
  assert.ok(err instanceof AmbiguousOutcomeError);
  assert.equal(o.delivered.length, 0);
  assert.deepEqual([...gw.apiKeys.keys()].sort(), [OLD, OTHER], 'no orphan left on the account');
  assert.deepEqual(events.at(-1), { type: 'not-created', kind: 'api-key' });
});

test('a key listing no scopes is refused before any change (an empty list means the default scopes)', async () => {
  const gw = world();
  const k = gw.apiKeys.get(OLD);
  if (k) k.apiKey.scopes = [];
  const err = await rotateKey(gw, input(), opts(gw)).catch((e: unknown) => e);
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /lists no scopes/);
  assert.deepEqual(gw.mutations(), []);
});

test('roles that cannot be read do not stop the rotation: roles [] and why', async () => {
  const gw = world();
  gw.fail('listFolderAccessBindings', () => new AuthError('Permission denied to list access bindings', { code: 'permission_denied' }));
  const o = opts(gw);
  const out = await rotateKey(gw, input(), o);
  assert.deepEqual(out.roles, []);
  assert.equal(out.rolesUnread, 'Permission denied to list access bindings');
  assert.equal(out.old, 'revoked');
});

test('mutating calls get the wait signal, never the abort signal', async () => {
  const gw = world();
  const waitSignal = new AbortController().signal;
  await rotateKey(gw, input(), opts(gw, { signal: new AbortController().signal, waitSignal }));
  for (const c of gw.mutations()) assert.equal(c.signal, waitSignal, c.method);
});

test('stripRunMarker takes off the markers create and rotate add, and nothing else', () => {
  assert.equal(stripRunMarker(keyDescription('chat bot', 'abc123')), 'chat bot');
  assert.equal(stripRunMarker(keyDescription('', 'abc123')), '');
  assert.equal(stripRunMarker(`${keyDescription('x', 'a1')} ${runMarker('b2')}`), 'x');
  for (const plain of ['chat bot', 'ends with [aistudio-key run ]', 'ends with [aistudio-key run AB]', '[aistudio-key run a1] in front']) {
    assert.equal(stripRunMarker(plain), plain);
  }
});

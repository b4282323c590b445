import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstFailure, removeServiceAccountIfUnused, revokeKey, revokeKeys, type RevokeEvent } from '../../src/core/revoke-keys.js';
import { AuthError, CloudError, InterruptedError, NotFoundError } from '../../src/errors.js';
import type { AccessBinding, ApiKey, ServiceAccount } from '../../src/cloud/types.js';
import { FakeGateway, FOLDER_ID, FOREIGN_BINDING } from '../helpers/fake-gateway.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const MANAGED = { 'managed-by': 'aistudio-key' };
const SA = 'ajesa000000000000001';
const FOREIGN_SA = 'ajesa000000000000002';

function account(gw: FakeGateway, id: string, labels: Record<string, string> = MANAGED): ServiceAccount {
  const sa: ServiceAccount = { id, folderId: FOLDER_ID, name: `bot-${id.slice(-1)}`, description: '', labels, createdAt: NOW };
  gw.serviceAccounts.set(id, sa);
  return sa;
}

function key(gw: FakeGateway, id: string, saId: string): ApiKey {
  const apiKey: ApiKey = { id, serviceAccountId: saId, description: '', scopes: ['yc.ai.languageModels.execute'], createdAt: NOW, expiresAt: undefined, lastUsedAt: undefined };
  gw.apiKeys.set(id, { apiKey, secret: `AQVN${id}` });
  return apiKey;
}

function bind(gw: FakeGateway, roleId: string, id: string, type = 'serviceAccount'): AccessBinding {
  const b = { roleId, subject: { type, id } };
  gw.folders.get(FOLDER_ID)?.bindings.push(b);
  return b;
}

function world(): FakeGateway {
  const gw = new FakeGateway();
  account(gw, SA);
  account(gw, FOREIGN_SA, { 'managed-by': 'terraform' });
  key(gw, 'ajekey00000000000001', SA);
  key(gw, 'ajekey00000000000002', SA);
  key(gw, 'ajekey00000000000003', FOREIGN_SA);
  bind(gw, 'ai.editor', SA);
  bind(gw, 'search-api.webSearch.user', SA);
  bind(gw, 'viewer', FOREIGN_SA);
  // Same id, other subject type: must not be removed with the account's bindings.
  bind(gw, 'viewer', SA, 'userAccount');
  return gw;
}

test('revokes each key once, in order; an unknown key is already-gone, not a failure', async () => {
  const gw = world();
  const events: RevokeEvent[] = [];
  const r = await revokeKeys(gw, { keyIds: ['ajekey00000000000002', 'ajekeynosuchkey00000', 'ajekey00000000000002'], withServiceAccount: false }, { onEvent: (e) => events.push(e) });
  assert.deepEqual(r.keys.map((k) => [k.id, k.status]), [['ajekey00000000000002', 'revoked'], ['ajekeynosuchkey00000', 'already-gone']]);
  assert.deepEqual(r.serviceAccounts, []);
  assert.equal(gw.apiKeys.has('ajekey00000000000002'), false);
  assert.deepEqual(gw.mutations().map((c) => [c.method, c.args[0]]), [['deleteApiKey', 'ajekey00000000000002']]);
  assert.deepEqual(events, [{ type: 'key', id: 'ajekey00000000000002' }, { type: 'key', id: 'ajekeynosuchkey00000' }]);
  assert.equal(firstFailure(r), undefined);
});

test('a key that vanishes between read and delete is already-gone, with what was read', async () => {
  const gw = world();
  gw.fail('deleteApiKey', () => new NotFoundError('API key not found', { status: 'NOT_FOUND' }));
  const r = await revokeKey(gw, 'ajekey00000000000001');
  assert.equal(r.status, 'already-gone');
  assert.equal(r.status === 'already-gone' ? r.apiKey?.serviceAccountId : undefined, SA);
});

test('a failed delete is reported per key and the others go on', async () => {
  const gw = world();
  gw.fail('deleteApiKey', () => new AuthError('Permission denied', { code: 'permission_denied' }));
  const r = await revokeKeys(gw, { keyIds: ['ajekey00000000000001', 'ajekey00000000000003'], withServiceAccount: false });
  assert.deepEqual(r.keys.map((k) => k.status), ['failed', 'revoked']);
  const failure = firstFailure(r);
  assert.ok(failure instanceof AuthError);
  assert.equal(gw.apiKeys.has('ajekey00000000000001'), true);
  // A non-AppError (a bug) is wrapped, not thrown.
  gw.fail('getApiKey', () => new TypeError('boom'));
  const bug = await revokeKey(gw, 'ajekey00000000000002');
  assert.equal(bug.status, 'failed');
  assert.equal(bug.status === 'failed' ? bug.error.code : '', 'internal');
});

test('a known key is not read again', async () => {
  const gw = world();
  const known = gw.apiKeys.get('ajekey00000000000001')?.apiKey;
  await revokeKeys(gw, { keyIds: ['ajekey00000000000001'], withServiceAccount: false }, { known: new Map([['ajekey00000000000001', known as ApiKey]]) });
  assert.equal(gw.callsOf('getApiKey').length, 0);
});

test('--with-service-account: an account left without keys loses exactly its own bindings (one REMOVE call), then is deleted', async () => {
  const gw = world();
  const r = await revokeKeys(gw, { keyIds: ['ajekey00000000000001', 'ajekey00000000000002'], withServiceAccount: true });
  assert.deepEqual(r.keys.map((k) => k.status), ['revoked', 'revoked']);
  assert.equal(r.serviceAccounts.length, 1);
  const outcome = r.serviceAccounts[0];
  assert.equal(outcome?.status, 'deleted');
  assert.deepEqual(outcome?.status === 'deleted' ? outcome.removedBindings.map((b) => b.roleId) : [], ['ai.editor', 'search-api.webSearch.user']);

  const removes = gw.callsOf('removeFolderAccessBindings');
  assert.equal(removes.length, 1, 'one UpdateAccessBindings of REMOVE deltas');
  assert.deepEqual(removes[0]?.args, [FOLDER_ID, [
    { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: SA } },
    { roleId: 'search-api.webSearch.user', subject: { type: 'serviceAccount', id: SA } },
  ]]);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['deleteApiKey', 'deleteApiKey', 'removeFolderAccessBindings', 'deleteServiceAccount']);
  assert.equal(gw.serviceAccounts.has(SA), false);
  const left = gw.folders.get(FOLDER_ID)?.bindings ?? [];
  assert.ok(left.some((b) => b.subject.id === FOREIGN_BINDING.subject.id), 'the foreign user keeps editor');
  assert.ok(left.some((b) => b.subject.id === FOREIGN_SA), 'the other account keeps its role');
  assert.ok(left.some((b) => b.subject.id === SA && b.subject.type === 'userAccount'), 'a subject of another type is not touched');
});

test('--with-service-account keeps an account that still holds keys, and one aistudio-key did not make', async () => {
  const gw = world();
  const r = await revokeKeys(gw, { keyIds: ['ajekey00000000000001', 'ajekey00000000000003'], withServiceAccount: true });
  assert.deepEqual(
    r.serviceAccounts.map((a) => (a.status === 'kept' ? [a.serviceAccount.id, a.reason, a.otherKeys] : [a.status])),
    [
      [SA, 'has-other-keys', ['ajekey00000000000002']],
      [FOREIGN_SA, 'not-managed', []],
    ],
  );
  assert.deepEqual(gw.mutations().map((c) => c.method), ['deleteApiKey', 'deleteApiKey']);
  assert.equal(gw.callsOf('listApiKeys').length, 1, 'the foreign account is not even looked into');
});

test('--with-service-account: an account with no bindings is deleted without an UpdateAccessBindings call', async () => {
  const gw = new FakeGateway();
  account(gw, SA);
  key(gw, 'ajekey00000000000001', SA);
  const r = await revokeKeys(gw, { keyIds: ['ajekey00000000000001'], withServiceAccount: true });
  assert.equal(r.serviceAccounts[0]?.status, 'deleted');
  assert.deepEqual(gw.mutations().map((c) => c.method), ['deleteApiKey', 'deleteServiceAccount']);
});

test('account failures say which step failed; bindings stay removed when only the delete fails', async () => {
  let gw = world();
  gw.fail('removeFolderAccessBindings', () => new AuthError('Permission denied', { code: 'permission_denied' }));
  let outcome = await removeServiceAccountIfUnused(gw, FOREIGN_SA);
  assert.equal(outcome.status, 'kept');
  gw.apiKeys.clear();
  outcome = await removeServiceAccountIfUnused(gw, SA);
  assert.equal(outcome.status === 'failed' ? outcome.step : outcome.status, 'remove-bindings');
  assert.equal(gw.serviceAccounts.has(SA), true, 'not deleted when its roles could not be removed');

  gw = world();
  gw.apiKeys.clear();
  gw.fail('deleteServiceAccount', () => new CloudError('internal', { status: 'INTERNAL' }));
  outcome = await removeServiceAccountIfUnused(gw, SA);
  assert.equal(outcome.status === 'failed' ? outcome.step : outcome.status, 'delete');
  assert.deepEqual(outcome.status === 'failed' ? outcome.removedBindings.map((b) => b.roleId) : [], ['ai.editor', 'search-api.webSearch.user']);

  assert.deepEqual(await removeServiceAccountIfUnused(gw, 'ajesanosuchaccount00'), { status: 'already-gone', id: 'ajesanosuchaccount00' });
});

test('an abort stops at the next key: the rest are failed with the reason, nothing more is deleted', async () => {
  const gw = world();
  const controller = new AbortController();
  const hold = gw.hold('deleteApiKey');
  const run = revokeKeys(gw, { keyIds: ['ajekey00000000000001', 'ajekey00000000000002'], withServiceAccount: true }, { signal: controller.signal });
  await hold.entered;
  controller.abort(new InterruptedError('Interrupted (SIGINT).'));
  hold.release();
  const r = await run;
  assert.deepEqual(r.keys.map((k) => k.status), ['revoked', 'failed']);
  assert.ok(firstFailure(r) instanceof InterruptedError);
  assert.deepEqual(r.serviceAccounts.map((a) => a.status), ['failed']);
  assert.deepEqual(gw.mutations().map((c) => c.method), ['deleteApiKey']);
});

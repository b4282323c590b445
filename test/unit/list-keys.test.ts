import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findServiceAccount, isManagedAccount } from '../../src/core/accounts.js';
import { expiresBy, listKeys, type KeySelection } from '../../src/core/list-keys.js';
import { AuthError, NotFoundError, UsageError } from '../../src/errors.js';
import type { ApiKey, ServiceAccount } from '../../src/cloud/types.js';
import { FakeGateway, FOLDER_ID, OTHER_FOLDER_ID } from '../helpers/fake-gateway.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY = 86_400_000;
const MANAGED = { 'managed-by': 'aistudio-key' };

function account(gw: FakeGateway, id: string, name: string, labels: Record<string, string> = MANAGED, folderId = FOLDER_ID): ServiceAccount {
  const sa: ServiceAccount = { id, folderId, name, description: '', labels, createdAt: NOW };
  gw.serviceAccounts.set(id, sa);
  return sa;
}

function key(gw: FakeGateway, id: string, saId: string, over: Partial<ApiKey> = {}): ApiKey {
  const apiKey: ApiKey = { id, serviceAccountId: saId, description: `key ${id}`, scopes: ['yc.ai.languageModels.execute'], createdAt: NOW, expiresAt: undefined, lastUsedAt: undefined, ...over };
  gw.apiKeys.set(id, { apiKey, secret: `AQVN${id}` });
  return apiKey;
}

/** Two managed accounts, one foreign, one managed in another folder. */
function world(): FakeGateway {
  const gw = new FakeGateway();
  account(gw, 'ajesa000000000000002', 'zeta-bot');
  account(gw, 'ajesa000000000000001', 'alpha-bot');
  account(gw, 'ajesa000000000000003', 'legacy-bot', {});
  account(gw, 'ajesa000000000000004', 'elsewhere', MANAGED, OTHER_FOLDER_ID);
  key(gw, 'ajekey00000000000002', 'ajesa000000000000002', { createdAt: new Date(NOW.getTime() - DAY), expiresAt: new Date(NOW.getTime() + 3 * DAY) });
  key(gw, 'ajekey00000000000001', 'ajesa000000000000001', { createdAt: new Date(NOW.getTime() - 2 * DAY), expiresAt: new Date(NOW.getTime() + 60 * DAY) });
  key(gw, 'ajekey00000000000003', 'ajesa000000000000001', { createdAt: new Date(NOW.getTime() - 3 * DAY) });
  key(gw, 'ajekey00000000000004', 'ajesa000000000000003', { expiresAt: new Date(NOW.getTime() - DAY) });
  key(gw, 'ajekey00000000000005', 'ajesa000000000000004');
  return gw;
}

const folder = async (): Promise<string> => FOLDER_ID;
const list = (gw: FakeGateway, selection: KeySelection, expiringWithinMs?: number) => listKeys(gw, { folder, selection, expiringWithinMs, now: NOW });

test('by default lists the keys of the folder\'s managed accounts, sorted by account name then creation', async () => {
  const gw = world();
  const r = await list(gw, { kind: 'managed' });
  assert.deepEqual(r.keys.map((k) => k.id), ['ajekey00000000000003', 'ajekey00000000000001', 'ajekey00000000000002']);
  assert.deepEqual(r.keys.map((k) => k.serviceAccountName), ['alpha-bot', 'alpha-bot', 'zeta-bot']);
  assert.equal(r.folderId, FOLDER_ID);
  assert.equal(r.unmanagedAccounts, 1, 'legacy-bot left out');
  assert.equal(r.totalKeys, 3);
  assert.equal(r.expiring, undefined);
  assert.deepEqual(gw.mutations(), [], 'read-only');
  assert.deepEqual(gw.callsOf('listServiceAccounts').map((c) => c.args[0]), [FOLDER_ID]);
});

test('--all includes accounts aistudio-key did not make', async () => {
  const r = await list(world(), { kind: 'all' });
  assert.deepEqual(r.keys.map((k) => k.id).sort(), ['ajekey00000000000001', 'ajekey00000000000002', 'ajekey00000000000003', 'ajekey00000000000004']);
  assert.equal(r.unmanagedAccounts, 0);
});

test('one account by ID needs no folder; by name it is looked up in the folder', async () => {
  const gw = world();
  let asked = 0;
  const r = await listKeys(gw, { folder: async () => (asked++, FOLDER_ID), selection: { kind: 'account', ref: 'ajesa000000000000003' }, now: NOW });
  assert.equal(asked, 0);
  assert.equal(r.folderId, undefined);
  assert.deepEqual(r.keys.map((k) => k.id), ['ajekey00000000000004']);

  const byName = await list(gw, { kind: 'account', ref: 'zeta-bot' });
  assert.deepEqual(byName.keys.map((k) => k.id), ['ajekey00000000000002']);
  assert.deepEqual(gw.callsOf('findServiceAccountByName').map((c) => c.args), [[FOLDER_ID, 'zeta-bot']]);
});

test('a name shaped like an ID falls back to the name lookup; nothing found is NotFoundError', async () => {
  const gw = world();
  account(gw, 'ajesa000000000000009', 'abcdefghij0123456789');
  const r = await list(gw, { kind: 'account', ref: 'abcdefghij0123456789' });
  assert.equal(r.accounts[0]?.id, 'ajesa000000000000009');
  await assert.rejects(list(gw, { kind: 'account', ref: 'no-such-bot' }), (e: unknown) => e instanceof NotFoundError && /No service account with ID or name "no-such-bot" in folder/.test(e.message));
});

test('an unresolvable folder only matters when one is needed', async () => {
  const gw = world();
  const noFolder = async (): Promise<string> => {
    throw new UsageError('--folder-id: no folder given');
  };
  await assert.rejects(listKeys(gw, { folder: noFolder, selection: { kind: 'managed' }, now: NOW }), UsageError);
  const r = await listKeys(gw, { folder: noFolder, selection: { kind: 'account', ref: 'ajesa000000000000001' }, now: NOW });
  assert.equal(r.keys.length, 2);
  await assert.rejects(
    listKeys(gw, { folder: noFolder, selection: { kind: 'account', ref: 'ajesanosuchaccount00' }, now: NOW }),
    (e: unknown) => e instanceof NotFoundError && e.message === 'No service account with ID ajesanosuchaccount00.',
  );
  await assert.rejects(listKeys(gw, { folder: noFolder, selection: { kind: 'account', ref: 'some-name' }, now: NOW }), UsageError);
});

test('--expiring-within keeps keys expiring by then, expired ones included, never-expiring ones never', async () => {
  const r = await list(world(), { kind: 'all' }, 7 * DAY);
  assert.deepEqual(r.keys.map((k) => k.id), ['ajekey00000000000004', 'ajekey00000000000002']);
  assert.equal(r.totalKeys, 4);
  assert.deepEqual(r.expiring, { withinMs: 7 * DAY, before: new Date(NOW.getTime() + 7 * DAY) });
  assert.equal(expiresBy({ expiresAt: undefined }, new Date('2999-01-01')), false);
  assert.equal(expiresBy({ expiresAt: NOW }, NOW), true, 'the boundary counts');
});

test('gateway errors pass through', async () => {
  const gw = world();
  gw.fail('listApiKeys', () => new AuthError('Permission denied', { code: 'permission_denied' }));
  await assert.rejects(list(gw, { kind: 'managed' }), AuthError);
});

test('isManagedAccount and findServiceAccount pass through non-NOT_FOUND errors', async () => {
  assert.equal(isManagedAccount({ labels: { 'managed-by': 'aistudio-key', other: 'x' } }), true);
  assert.equal(isManagedAccount({ labels: { 'managed-by': 'terraform' } }), false);
  const gw = world();
  gw.fail('getServiceAccount', () => new AuthError('Permission denied', { code: 'permission_denied' }));
  await assert.rejects(findServiceAccount(gw, 'ajesa000000000000001', folder), AuthError);
});

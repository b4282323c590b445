import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessBinding, Credential, Identity } from '../../src/cloud/types.js';
import type { FolderTarget } from '../../src/core/target.js';
import { CREATE_NEEDS, assessRoles, whoami, type WhoamiQuery } from '../../src/core/whoami.js';
import { AuthError, CloudError, UsageError } from '../../src/errors.js';
import { CLOUD_ID, FakeGateway, FOLDER_ID, FOREIGN_BINDING } from '../helpers/fake-gateway.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const SA_ID = 'ajesa000000000000001';
const USER_ID = FOREIGN_BINDING.subject.id;
const IAM: Credential = { kind: 'iam-token', source: 'env:YC_IAM_TOKEN', token: 't1.secret' };
const SA_KEY: Credential = { kind: 'sa-key', source: 'flag:--sa-key-file', key: { id: 'ajekey00000000000001', serviceAccountId: SA_ID, privateKey: 'PEM' } };
const UNKNOWN: Identity = { kind: 'unknown', id: undefined, tokenExpiresAt: undefined };
const SA: Identity = { kind: 'serviceAccount', id: SA_ID, tokenExpiresAt: new Date('2026-11-28T00:00:00Z') };
const BY_ID: FolderTarget = { kind: 'id', folderId: { value: FOLDER_ID, source: '--folder-id' } };

const denied = (): Error => new AuthError('You may not read the folder.', { code: 'permission_denied' });
const rejected = (): Error => new AuthError('The cloud did not accept the credentials.', { code: 'unauthenticated' });

function query(over: Partial<WhoamiQuery> = {}): WhoamiQuery {
  return {
    credential: SA_KEY,
    tried: ['flag --iam-token', 'flag --iam-token-file', 'flag --oauth-token', 'flag --sa-key-file'],
    defaultsSource: undefined,
    identity: SA,
    endpoint: { value: 'api.cloud.yandex.net:443', source: 'default' },
    target: BY_ID,
    now: NOW,
    ...over,
  };
}

/** A gateway whose folder holds `roles` for the service account, next to the foreign editor binding. */
function gatewayWith(bindings: AccessBinding[] = []): FakeGateway {
  const gw = new FakeGateway();
  const folder = gw.folders.get(FOLDER_ID);
  if (folder) folder.bindings.push(...bindings);
  gw.serviceAccounts.set(SA_ID, { id: SA_ID, folderId: FOLDER_ID, name: 'ci-robot', description: '', labels: {}, createdAt: undefined });
  return gw;
}

const saHolds = (...roles: string[]): AccessBinding[] => roles.map((roleId) => ({ roleId, subject: { type: 'serviceAccount', id: SA_ID } }));

function assertReadOnly(gw: FakeGateway): void {
  assert.deepEqual(gw.mutations(), [], 'no call that changes the cloud');
}

test('a service account with admin on the folder: yes, every step held by admin, subject and expiry known', async () => {
  const gw = gatewayWith(saHolds('admin'));
  const r = await whoami(gw, query());
  assert.deepEqual(r.subject, { type: 'serviceAccount', id: SA_ID, name: 'ci-robot' });
  assert.equal(r.tokenExpiresAt?.toISOString(), '2026-11-28T00:00:00.000Z');
  assert.deepEqual(r.credential, { kind: 'sa-key', source: 'flag:--sa-key-file', keyId: 'ajekey00000000000001' });
  assert.deepEqual(r.folder, { id: FOLDER_ID, name: 'default', cloudId: CLOUD_ID, givenAs: 'id', source: '--folder-id' });
  assert.equal(r.create.verdict, 'yes');
  assert.equal(r.create.reason, 'folder-roles-cover');
  assert.deepEqual(r.create.folderRoles, ['admin']);
  assert.deepEqual(r.create.needs?.map((n) => [n.need, n.heldBy]), [['create-service-account', ['admin']], ['grant-roles', ['admin']], ['issue-api-key', ['admin']]]);
  assert.deepEqual(r.create.caveats, []);
  assert.deepEqual(r.checks.map((c) => [c.name, c.status, c.count]), [['get-folder', 'ok', undefined], ['list-access-bindings', 'ok', 2]]);
  assert.deepEqual(r.tried, query().tried);
  assertReadOnly(gw);
});

test('resource-manager.admin with editor: yes, with the caveat that only held permissions can be granted', async () => {
  const r = await whoami(gatewayWith(saHolds('resource-manager.admin', 'editor')), query());
  assert.equal(r.create.verdict, 'yes');
  assert.deepEqual(r.create.needs?.map((n) => n.heldBy), [['editor'], ['resource-manager.admin'], ['editor']]);
  assert.deepEqual(r.create.caveats, ['grant-own-permissions']);
});

test('editor alone: not-on-folder, granting roles is the missing step, inherited roles are a caveat', async () => {
  const gw = gatewayWith(saHolds('editor'));
  const r = await whoami(gw, query());
  assert.equal(r.create.verdict, 'not-on-folder');
  assert.equal(r.create.reason, 'folder-roles-short');
  assert.deepEqual(r.create.folderRoles, ['editor']);
  assert.deepEqual(r.create.needs?.filter((n) => n.heldBy.length === 0).map((n) => n.need), ['grant-roles']);
  assert.deepEqual(r.create.caveats, ['inherited-roles']);
  assertReadOnly(gw);
});

test('a viewer that is known: can read the folder and its access list, cannot create as far as the folder shows', async () => {
  const gw = gatewayWith(saHolds('viewer'));
  const r = await whoami(gw, query());
  assert.deepEqual(r.checks.map((c) => c.status), ['ok', 'ok']);
  assert.equal(r.create.verdict, 'not-on-folder');
  assert.deepEqual(r.create.folderRoles, ['viewer']);
  assert.ok(r.create.needs?.every((n) => n.heldBy.length === 0));
});

test('an IAM token: subject unknown, no account lookup; the verdict is unknown and names who could create', async () => {
  const gw = gatewayWith(saHolds('admin'));
  const r = await whoami(gw, query({ credential: IAM, identity: UNKNOWN }));
  assert.deepEqual(r.subject, { type: 'unknown', id: undefined, name: undefined });
  assert.equal(r.tokenExpiresAt, undefined);
  assert.equal(r.credential.keyId, undefined);
  assert.equal(r.create.verdict, 'unknown');
  assert.equal(r.create.reason, 'subject-unknown');
  assert.equal(r.create.folderRoles, undefined);
  assert.deepEqual(r.create.capableSubjects, [`serviceAccount:${SA_ID}`], 'the foreign editor cannot grant roles');
  assert.ok(!r.create.capableSubjects?.includes(`userAccount:${USER_ID}`));
  assert.deepEqual(gw.callsOf('getServiceAccount'), []);
  assertReadOnly(gw);
});

test('an OAuth token: a user account whose ID is unknown is treated as unknown', async () => {
  const r = await whoami(gatewayWith(saHolds('admin')), query({ identity: { kind: 'userAccount', id: undefined, tokenExpiresAt: undefined } }));
  assert.deepEqual(r.subject, { type: 'userAccount', id: undefined, name: undefined });
  assert.equal(r.create.verdict, 'unknown');
});

test('roles granted to all authenticated users count for everyone, even an unknown caller', async () => {
  const everyone: AccessBinding = { roleId: 'admin', subject: { type: 'system', id: 'allAuthenticatedUsers' } };
  const r = await whoami(gatewayWith([everyone]), query({ credential: IAM, identity: UNKNOWN }));
  assert.equal(r.create.verdict, 'yes');
  assert.deepEqual(r.create.folderRoles, ['admin']);
  const known = assessRoles([everyone, ...saHolds('viewer')], { type: 'serviceAccount', id: SA_ID });
  assert.deepEqual(known.folderRoles, ['viewer', 'admin']);
  assert.equal(known.verdict, 'yes');
});

test('group bindings add a caveat: membership cannot be read', () => {
  const group: AccessBinding = { roleId: 'admin', subject: { type: 'group', id: 'ajggroup000000000001' } };
  const r = assessRoles([group, ...saHolds('viewer')], { type: 'serviceAccount', id: SA_ID });
  assert.equal(r.verdict, 'not-on-folder');
  assert.deepEqual(r.caveats, ['inherited-roles', 'group-bindings']);
  const orgUsers: AccessBinding = { roleId: 'admin', subject: { type: 'system', id: 'group:organization:bpf000:users' } };
  assert.deepEqual(assessRoles([orgUsers], { type: 'unknown', id: undefined }).caveats, ['inherited-roles', 'group-bindings']);
});

test('the folder cannot be read: no, and the access list result does not matter', async () => {
  const gw = gatewayWith(saHolds('admin'));
  gw.fail('getFolder', denied);
  const r = await whoami(gw, query());
  assert.equal(r.create.verdict, 'no');
  assert.equal(r.create.reason, 'folder-denied');
  assert.equal(r.checks[0]?.status, 'denied');
  assert.match(r.checks[0]?.message ?? '', /may not read/);
  assertReadOnly(gw);
});

test('the access list cannot be read: no (every role that grants roles can read it)', async () => {
  const gw = gatewayWith();
  gw.fail('listFolderAccessBindings', denied);
  const r = await whoami(gw, query());
  assert.deepEqual(r.checks.map((c) => c.status), ['ok', 'denied']);
  assert.equal(r.create.verdict, 'no');
  assert.equal(r.create.reason, 'bindings-denied');
});

test('a folder that does not exist: no, folder-not-found', async () => {
  const missing = 'b1gmissing0000000001';
  const r = await whoami(gatewayWith(), query({ target: { kind: 'id', folderId: { value: missing, source: 'YC_FOLDER_ID' } } }));
  assert.equal(r.create.verdict, 'no');
  assert.equal(r.create.reason, 'folder-not-found');
  assert.deepEqual(r.checks.map((c) => c.status), ['not-found', 'not-found']);
  assert.equal(r.folder?.source, 'YC_FOLDER_ID');
});

test('a folder by name is found in the only cloud, then read like one given by ID', async () => {
  const gw = gatewayWith(saHolds('admin'));
  const r = await whoami(gw, query({ target: { kind: 'name', folderName: { value: 'default', source: 'folder-name of yc-profile:prod' }, cloudId: undefined } }));
  assert.deepEqual(r.folder, { id: FOLDER_ID, name: 'default', cloudId: CLOUD_ID, givenAs: 'name', source: 'folder-name of yc-profile:prod' });
  assert.deepEqual(r.checks.map((c) => [c.name, c.call]), [
    ['resolve-folder-name', 'CloudService.List, FolderService.List'],
    ['get-folder', 'FolderService.Get'],
    ['list-access-bindings', 'FolderService.ListAccessBindings'],
  ]);
  assert.equal(gw.callsOf('listClouds').length, 1);
  assert.equal(r.create.verdict, 'yes');
});

test('a folder name that does not exist: no, and nothing else is read about it', async () => {
  const gw = gatewayWith();
  const r = await whoami(gw, query({ target: { kind: 'name', folderName: { value: 'nope', source: '--folder-name' }, cloudId: { value: CLOUD_ID, source: '--cloud-id' } } }));
  assert.deepEqual(r.folder, { id: undefined, name: 'nope', cloudId: CLOUD_ID, givenAs: 'name', source: '--folder-name' });
  assert.deepEqual(r.checks.map((c) => [c.name, c.call, c.status]), [['resolve-folder-name', 'FolderService.List', 'not-found']]);
  assert.equal(r.create.reason, 'folder-not-found');
  assert.deepEqual(gw.callsOf('getFolder'), []);
});

test('a folder name with several clouds visible and no cloud ID is a usage error', async () => {
  const gw = gatewayWith();
  gw.clouds.push({ id: 'b1gcloud000000000002', name: 'second' });
  const err = await whoami(gw, query({ target: { kind: 'name', folderName: { value: 'default', source: '--folder-name' }, cloudId: undefined } })).catch((e: unknown) => e);
  assert.ok(err instanceof UsageError, String(err));
  assert.match(err.message, /--cloud-id/);
});

test('no folder: the visible clouds are listed, which proves the credential is accepted; the verdict is unknown', async () => {
  const gw = gatewayWith(saHolds('admin'));
  const r = await whoami(gw, query({ target: undefined }));
  assert.equal(r.folder, undefined);
  assert.deepEqual(r.clouds, [{ id: CLOUD_ID, name: 'my-cloud' }]);
  assert.deepEqual(r.checks, [{ name: 'list-clouds', call: 'CloudService.List', status: 'ok', count: 1 }]);
  assert.deepEqual([r.create.verdict, r.create.reason], ['unknown', 'no-folder']);
  assert.deepEqual(gw.callsOf('getFolder'), []);
});

test('a credential the cloud rejects is an error (exit 3), not a verdict', async () => {
  for (const method of ['getFolder', 'listFolderAccessBindings', 'listClouds'] as const) {
    const gw = gatewayWith(saHolds('admin'));
    gw.fail(method, rejected);
    const err: unknown = await whoami(gw, query({ target: method === 'listClouds' ? undefined : BY_ID })).catch((e: unknown) => e);
    assert.ok(err instanceof AuthError, `${method}: ${String(err)}`);
    assert.equal(err.exitCode, 3);
  }
});

test('a network failure is the run\'s error (exit 1)', async () => {
  const gw = gatewayWith();
  gw.fail('listFolderAccessBindings', () => new CloudError('unavailable', { status: 'UNAVAILABLE' }));
  const err = await whoami(gw, query()).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  assert.equal(err.exitCode, 1);
});

test('an unreadable service account leaves its name unknown and changes nothing else', async () => {
  const gw = gatewayWith(saHolds('admin'));
  gw.fail('getServiceAccount', denied);
  const r = await whoami(gw, query());
  assert.deepEqual(r.subject, { type: 'serviceAccount', id: SA_ID, name: undefined });
  assert.equal(r.create.verdict, 'yes');
});

test('the folder, its access list and the account name are read in parallel', async () => {
  const gw = gatewayWith(saHolds('admin'));
  const held = (['getFolder', 'listFolderAccessBindings', 'getServiceAccount'] as const).map((m) => gw.hold(m));
  const run = whoami(gw, query());
  await Promise.all(held.map((h) => h.entered));
  for (const h of held) h.release();
  assert.equal((await run).create.verdict, 'yes');
});

test('every role list names admin, and only the owner roles besides admin skip the grant caveat', () => {
  for (const { anyOf } of CREATE_NEEDS) assert.ok(anyOf.includes('admin'));
  const owner = assessRoles(saHolds('resource-manager.clouds.owner'), { type: 'serviceAccount', id: SA_ID });
  assert.deepEqual([owner.verdict, owner.caveats], ['yes', []]);
});

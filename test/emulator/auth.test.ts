import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetFolderRequest } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { AccessBindingAction } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rawCall, rejectsWith, sdkClients, waitDone } from './sdk-clients.js';

describe('authentication and permissions', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  const createSa = (token: string, name: string, folderId = ids.folderId) =>
    sdkClients(emu, token).serviceAccounts.create({ folderId, name, description: '', labels: {} });

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    // A second cloud where the outsider is bound on the cloud itself (cloud bindings reach every folder).
    d.fixture.clouds.push({ id: 'b1gsecondcloud000001', name: 'second', organizationId: ids.organizationId, bindings: [{ roleId: 'editor', subject: { type: 'userAccount', id: ids.outsiderUserId } }] });
    d.fixture.folders.push({ id: 'b1gsecondfolder00001', cloudId: 'b1gsecondcloud000001', name: 'prod' });
    emu = await startEmulator({ fixture: d.fixture });
  });
  after(() => emu.stop());

  describe('UNAUTHENTICATED', () => {
    it('without an authorization header', async () => {
      const req = GetFolderRequest.encode({ folderId: ids.folderId }).finish();
      const { error } = await rawCall(emu, '/yandex.cloud.resourcemanager.v1.FolderService/Get', req);
      assert.equal(error?.code, 16);
      assert.equal(error?.details, 'Authentication required');
    });

    it('with an unknown token, a malformed header, or an API key', async () => {
      await rejectsWith(sdkClients(emu, ids.userIamToken + 'x').folders.get({ folderId: ids.folderId }), 'UNAUTHENTICATED', /Token is invalid or has expired/);
      const req = GetFolderRequest.encode({ folderId: ids.folderId }).finish();
      for (const authorization of [ids.userIamToken, `Basic ${ids.userIamToken}`, `Api-Key ${ids.userIamToken}`]) {
        const { error } = await rawCall(emu, '/yandex.cloud.resourcemanager.v1.FolderService/Get', req, { authorization });
        assert.equal(error?.code, 16, authorization.slice(0, 8));
      }
    });

    it('with an expired token', async () => {
      const expired = emu.issueIamToken(ids.userId, { ttlMs: -1000 });
      await rejectsWith(sdkClients(emu, expired).folders.get({ folderId: ids.folderId }), 'UNAUTHENTICATED');
      const fresh = emu.issueIamToken(ids.userId);
      assert.equal((await sdkClients(emu, fresh).folders.get({ folderId: ids.folderId })).id, ids.folderId);
    });

    it('is answered before any work is done', async () => {
      const before = emu.state.serviceAccounts().length;
      await rejectsWith(createSa('t1.bogus', 'never-made'), 'UNAUTHENTICATED');
      assert.equal(emu.state.serviceAccounts().length, before);
      assert.equal(emu.calls('ServiceAccountService/Create').at(-1)?.status, 'UNAUTHENTICATED');
    });

    it('refuses to mint tokens for unknown subjects', () => {
      assert.throws(() => emu.issueIamToken('ajenosuchsubject0000'), /unknown subject/);
    });
  });

  describe('PERMISSION_DENIED', () => {
    it('a viewer may read but not create service accounts or keys, nor change bindings', async () => {
      const viewer = sdkClients(emu, ids.viewerIamToken);
      const { serviceAccounts } = await viewer.serviceAccounts.list({ folderId: ids.folderId, pageSize: 0, pageToken: '', filter: '' });
      assert.ok(serviceAccounts.length >= 2);
      await viewer.folders.listAccessBindings({ resourceId: ids.folderId, pageSize: 0, pageToken: '' });
      await rejectsWith(createSa(ids.viewerIamToken, 'viewer-made'), 'PERMISSION_DENIED', new RegExp(`Permission to \\[resource-manager.folder ${ids.folderId}\\] denied`));
      await rejectsWith(viewer.apiKeys.create({ serviceAccountId: ids.serviceAccountId, description: '', scope: '', scopes: [] }), 'PERMISSION_DENIED');
      await rejectsWith(viewer.folders.updateAccessBindings({
        resourceId: ids.folderId,
        accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId: 'ai.editor', subject: { type: 'userAccount', id: ids.viewerUserId } } }],
      }), 'PERMISSION_DENIED');
      await rejectsWith(viewer.serviceAccounts.delete({ serviceAccountId: ids.foreignServiceAccountId }), 'PERMISSION_DENIED');
      assert.ok(emu.state.serviceAccounts().some((s) => s.id === ids.foreignServiceAccountId));
    });

    it('an editor may create service accounts but not change bindings', async () => {
      const editor = emu.issueIamToken(ids.foreignUserId);
      await waitDone(sdkClients(emu, ids.userIamToken).operations, await createSa(editor, 'editor-made'));
      await rejectsWith(sdkClients(emu, editor).folders.updateAccessBindings({
        resourceId: ids.folderId,
        accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId: 'viewer', subject: { type: 'userAccount', id: ids.outsiderUserId } } }],
      }), 'PERMISSION_DENIED');
      // ...and is only a viewer in the other folder.
      await rejectsWith(createSa(editor, 'editor-made-2', ids.otherFolderId), 'PERMISSION_DENIED');
    });

    it('an outsider sees neither the folder nor the cloud', async () => {
      const outsider = sdkClients(emu, ids.outsiderIamToken);
      await rejectsWith(outsider.folders.get({ folderId: ids.folderId }), 'PERMISSION_DENIED');
      await rejectsWith(outsider.clouds.get({ cloudId: ids.cloudId }), 'PERMISSION_DENIED');
      await rejectsWith(outsider.folders.list({ cloudId: ids.cloudId, pageSize: 0, pageToken: '', filter: '' }), 'PERMISSION_DENIED');
    });

    it('a service account acting with its own token has the roles bound to it', async () => {
      // ci-robot holds admin on the folder; legacy-bot only ai.languageModels.user.
      await waitDone(sdkClients(emu, ids.userIamToken).operations, await createSa(ids.serviceAccountIamToken, 'robot-made'));
      const bot = emu.issueIamToken(ids.foreignServiceAccountId);
      await rejectsWith(createSa(bot, 'bot-made'), 'PERMISSION_DENIED');
      await rejectsWith(sdkClients(emu, bot).serviceAccounts.get({ serviceAccountId: ids.serviceAccountId }), 'PERMISSION_DENIED');
    });

    it('cloud bindings apply to every folder of the cloud', async () => {
      // The outsider is editor on the second cloud, bound on the cloud, not on its folder.
      const op = await createSa(ids.outsiderIamToken, 'cloud-editor-made', 'b1gsecondfolder00001');
      assert.equal(op.createdBy, ids.outsiderUserId);
      assert.deepEqual(emu.state.folderBindings('b1gsecondfolder00001'), []);
      assert.equal(emu.state.cloudBindings('b1gsecondcloud000001')[0]?.roleId, 'editor');
    });

    it('lets a missing resource be NOT_FOUND (before permissions)', async () => {
      await rejectsWith(sdkClients(emu, ids.viewerIamToken).serviceAccounts.get({ serviceAccountId: 'ajenosuchsa000000000' }), 'NOT_FOUND');
      await rejectsWith(sdkClients(emu, ids.userIamToken).folders.get({ folderId: 'b1gnosuchfolder00000' }), 'NOT_FOUND');
    });
  });

  describe('CloudService', () => {
    it('lists only the clouds the caller holds a role in', async () => {
      const list = async (token: string) =>
        (await sdkClients(emu, token).clouds.list({ pageSize: 0, pageToken: '', filter: '', organizationId: '' })).clouds.map((c) => c.id).sort();
      assert.deepEqual(await list(ids.userIamToken), [ids.cloudId]);
      assert.deepEqual(await list(ids.viewerIamToken), [ids.cloudId]);
      assert.deepEqual(await list(ids.outsiderIamToken), ['b1gsecondcloud000001']);
      const cloud = await sdkClients(emu, ids.viewerIamToken).clouds.get({ cloudId: ids.cloudId });
      assert.deepEqual({ id: cloud.id, name: cloud.name, organizationId: cloud.organizationId }, { id: ids.cloudId, name: 'demo-cloud', organizationId: ids.organizationId });
    });

    it('filters by name and organization', async () => {
      const c = sdkClients(emu, ids.userIamToken);
      assert.equal((await c.clouds.list({ pageSize: 0, pageToken: '', filter: 'name="demo-cloud"', organizationId: '' })).clouds.length, 1);
      assert.equal((await c.clouds.list({ pageSize: 0, pageToken: '', filter: 'name="other-cloud"', organizationId: '' })).clouds.length, 0);
      assert.equal((await c.clouds.list({ pageSize: 0, pageToken: '', filter: '', organizationId: 'bpfnotmine0000000000' })).clouds.length, 0);
      await rejectsWith(c.clouds.list({ pageSize: 0, pageToken: '', filter: 'name~"x"', organizationId: '' }), 'INVALID_ARGUMENT', /Filter:/);
    });
  });
});

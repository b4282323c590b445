import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccessBindingAction, AccessBindingsOperationResult, UpdateAccessBindingsMetadata, type AccessBindingDelta } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { Folder_Status } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, sdkClients, waitDone, type SdkClients } from './sdk-clients.js';

const { ADD, REMOVE } = AccessBindingAction;

describe('FolderService', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  let newSa: string;
  const delta = (action: AccessBindingAction, roleId: string, id: string, type = 'serviceAccount'): AccessBindingDelta =>
    ({ action, accessBinding: { roleId, subject: { id, type } } });
  const update = (deltas: AccessBindingDelta[], resourceId = ids.folderId) =>
    c.folders.updateAccessBindings({ resourceId, accessBindingDeltas: deltas });
  const effective = async (deltas: AccessBindingDelta[]) => {
    const op = await waitDone(c.operations, await update(deltas));
    assert.equal(op.response?.typeUrl, 'type.googleapis.com/yandex.cloud.access.AccessBindingsOperationResult');
    return AccessBindingsOperationResult.decode(op.response?.value ?? Buffer.alloc(0)).effectiveDeltas;
  };
  const bindingsOf = (folderId: string) => emu.state.folderBindings(folderId).map((b) => `${b.roleId} ${b.subject.type}:${b.subject.id}`).sort();

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    emu = await startEmulator({ fixture: d.fixture });
    c = sdkClients(emu, ids.userIamToken);
    const op = await waitDone(c.operations, await c.serviceAccounts.create({ folderId: ids.folderId, name: 'aistudio-key', description: '', labels: {} }));
    newSa = op.response === undefined ? '' : (await c.serviceAccounts.list({ folderId: ids.folderId, pageSize: 0, pageToken: '', filter: 'name="aistudio-key"' })).serviceAccounts[0]?.id ?? '';
    assert.ok(newSa);
  });
  after(() => emu.stop());

  it('Get and List (with a name filter) return the folders of the cloud', async () => {
    const f = await c.folders.get({ folderId: ids.folderId });
    assert.deepEqual({ id: f.id, cloudId: f.cloudId, name: f.name, status: f.status }, { id: ids.folderId, cloudId: ids.cloudId, name: 'default', status: Folder_Status.ACTIVE });
    const all = await c.folders.list({ cloudId: ids.cloudId, pageSize: 0, pageToken: '', filter: '' });
    assert.deepEqual(all.folders.map((x) => x.id).sort(), [ids.folderId, ids.otherFolderId].sort());
    const byName = await c.folders.list({ cloudId: ids.cloudId, pageSize: 0, pageToken: '', filter: 'name="staging"' });
    assert.deepEqual(byName.folders.map((x) => x.id), [ids.otherFolderId]);
    // The viewer holds a role in the folder only: the other folder is not listed.
    const viewer = await sdkClients(emu, ids.viewerIamToken).folders.list({ cloudId: ids.cloudId, pageSize: 0, pageToken: '', filter: '' });
    assert.deepEqual(viewer.folders.map((x) => x.id), [ids.folderId]);
    await rejectsWith(c.folders.list({ cloudId: '', pageSize: 0, pageToken: '', filter: '' }), 'INVALID_ARGUMENT', /CloudId: required/);
    await rejectsWith(c.folders.list({ cloudId: 'b1gnosuchcloud000000', pageSize: 0, pageToken: '', filter: '' }), 'NOT_FOUND');
  });

  it('ListAccessBindings shows the seeded bindings, foreign ones included', async () => {
    const { accessBindings } = await c.folders.listAccessBindings({ resourceId: ids.folderId, pageSize: 0, pageToken: '' });
    const seen = accessBindings.map((b) => `${b.roleId} ${b.subject?.type}:${b.subject?.id}`);
    assert.ok(seen.includes(`editor userAccount:${ids.foreignUserId}`));
    assert.ok(seen.includes(`viewer userAccount:${ids.viewerUserId}`));
    assert.ok(seen.includes(`ai.languageModels.user serviceAccount:${ids.foreignServiceAccountId}`));
    await rejectsWith(c.folders.listAccessBindings({ resourceId: ids.folderId, pageSize: 0, pageToken: 'x'.repeat(101) }), 'INVALID_ARGUMENT', /PageToken: length must be at most 100/);
  });

  it('UpdateAccessBindings adds five roles atomically and keeps every foreign binding', async () => {
    const before = bindingsOf(ids.folderId);
    const roles = ['ai.editor', 'serverless.mcpGateways.invoker', 'serverless.mcpGateways.anonymousInvoker', 'serverless.workflows.executor', 'search-api.webSearch.user'];
    const op = await update(roles.map((r) => delta(ADD, r, newSa)));
    assert.equal(op.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.access.UpdateAccessBindingsMetadata');
    assert.equal(UpdateAccessBindingsMetadata.decode(op.metadata?.value ?? Buffer.alloc(0)).resourceId, ids.folderId);
    const done = await waitDone(c.operations, op);
    const eff = AccessBindingsOperationResult.decode(done.response?.value ?? Buffer.alloc(0)).effectiveDeltas;
    assert.deepEqual(eff.map((d) => d.accessBinding?.roleId), roles);
    const after = bindingsOf(ids.folderId);
    for (const b of before) assert.ok(after.includes(b), `lost ${b}`);
    assert.equal(after.length, before.length + 5);
  });

  it('reports only changes that happened in effective_deltas (ADD twice, REMOVE of an absent binding)', async () => {
    assert.deepEqual(await effective([delta(ADD, 'ai.editor', newSa)]), []);
    assert.deepEqual(await effective([delta(REMOVE, 'ai.admin', newSa)]), []);
    const eff = await effective([delta(REMOVE, 'ai.editor', newSa), delta(ADD, 'ai.viewer', newSa), delta(ADD, 'ai.viewer', newSa)]);
    assert.deepEqual(eff.map((d) => [d.action, d.accessBinding?.roleId]), [[REMOVE, 'ai.editor'], [ADD, 'ai.viewer']]);
    assert.ok(!bindingsOf(ids.folderId).includes(`ai.editor serviceAccount:${newSa}`));
  });

  it('applies no delta when one of them is invalid', async () => {
    const before = bindingsOf(ids.folderId);
    await rejectsWith(update([delta(ADD, 'ai.auditor', newSa), delta(ADD, 'no.such.role', newSa)]), 'INVALID_ARGUMENT',
      /AccessBindingDeltas\[1\]\.AccessBinding\.RoleId: unknown role "no.such.role"/);
    await rejectsWith(update([delta(ADD, 'ai.auditor', newSa), delta(ADD, 'ai.viewer', 'ajenosuchsa000000000')]), 'NOT_FOUND');
    assert.deepEqual(bindingsOf(ids.folderId), before);
  });

  describe('validation', () => {
    const cases: Array<[string, () => Parameters<SdkClients['folders']['updateAccessBindings']>[0], RegExp]> = [
      ['resource_id missing', () => ({ resourceId: '', accessBindingDeltas: [delta(ADD, 'ai.editor', newSa)] }), /ResourceId: required/],
      ['resource_id over 64', () => ({ resourceId: 'b'.repeat(65), accessBindingDeltas: [delta(ADD, 'ai.editor', newSa)] }), /ResourceId: length must be at most 64/],
      ['no deltas', () => ({ resourceId: ids.folderId, accessBindingDeltas: [] }), /AccessBindingDeltas: must hold 1 to 1000/],
      ['1001 deltas', () => ({ resourceId: ids.folderId, accessBindingDeltas: Array.from({ length: 1001 }, () => delta(ADD, 'ai.editor', newSa)) }), /must hold 1 to 1000/],
      ['action unspecified', () => ({ resourceId: ids.folderId, accessBindingDeltas: [delta(0 as AccessBindingAction, 'ai.editor', newSa)] }), /AccessBindingDeltas\[0\]\.Action: must be ADD or REMOVE/],
      ['binding missing', () => ({ resourceId: ids.folderId, accessBindingDeltas: [{ action: ADD, accessBinding: undefined }] }), /AccessBindingDeltas\[0\]\.AccessBinding: required/],
      ['role_id missing', () => ({ resourceId: ids.folderId, accessBindingDeltas: [delta(ADD, '', newSa)] }), /RoleId: required/],
      ['role_id over 64', () => ({ resourceId: ids.folderId, accessBindingDeltas: [delta(ADD, 'r'.repeat(65), newSa)] }), /RoleId: length must be at most 64/],
      ['subject missing', () => ({ resourceId: ids.folderId, accessBindingDeltas: [{ action: ADD, accessBinding: { roleId: 'ai.editor', subject: undefined } }] }), /Subject: required/],
      ['subject id missing', () => ({ resourceId: ids.folderId, accessBindingDeltas: [delta(ADD, 'ai.editor', '')] }), /Subject\.Id: required/],
      ['subject type unknown', () => ({ resourceId: ids.folderId, accessBindingDeltas: [delta(ADD, 'ai.editor', newSa, 'robot')] }), /Subject\.Type: unknown subject type "robot"/],
    ];
    for (const [what, request, message] of cases) {
      it(what, async () => { await rejectsWith(c.folders.updateAccessBindings(request()), 'INVALID_ARGUMENT', message); });
    }
  });

  it('SetAccessBindings replaces every binding, foreign ones included (the reason the tool must never call it)', async () => {
    const other = ids.otherFolderId;
    assert.ok(bindingsOf(other).includes(`viewer userAccount:${ids.foreignUserId}`));
    const op = await waitDone(c.operations, await c.folders.setAccessBindings({
      resourceId: other,
      accessBindings: [
        { roleId: 'admin', subject: { type: 'userAccount', id: ids.userId } },
        { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: newSa } },
      ],
    }));
    assert.equal(op.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.access.SetAccessBindingsMetadata');
    assert.deepEqual(bindingsOf(other), [`admin userAccount:${ids.userId}`, `ai.editor serviceAccount:${newSa}`]);
    const eff = AccessBindingsOperationResult.decode(op.response?.value ?? Buffer.alloc(0)).effectiveDeltas;
    assert.deepEqual(eff.map((d) => [d.action, d.accessBinding?.subject?.id]), [[REMOVE, ids.foreignUserId], [ADD, newSa]]);
    assert.equal(emu.mutations().filter((m) => m.method === 'FolderService/SetAccessBindings').length, 1);
    await rejectsWith(c.folders.setAccessBindings({ resourceId: other, accessBindings: [{ roleId: 'nope', subject: { type: 'userAccount', id: ids.userId } }] }), 'INVALID_ARGUMENT', /AccessBindings\[0\]\.RoleId/);
  });
});

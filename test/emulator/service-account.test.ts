import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceAccount } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import { CreateServiceAccountMetadata, type CreateServiceAccountRequest } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import { decodeFields } from './proto-extra.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rawCall, rejectsWith, sdkClients, waitDone, type SdkClients } from './sdk-clients.js';

describe('ServiceAccountService', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  const req = (over: Partial<CreateServiceAccountRequest>): CreateServiceAccountRequest =>
    ({ folderId: ids.folderId, name: 'sa-ok', description: '', labels: {}, ...over });

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    d.fixture.clouds.push({ id: 'b1gsecondcloud000001', name: 'second' });
    d.fixture.folders.push({ id: 'b1gsecondfolder00001', cloudId: 'b1gsecondcloud000001', name: 'prod', bindings: [{ roleId: 'admin', subject: { type: 'userAccount', id: ids.userId } }] });
    emu = await startEmulator({ fixture: d.fixture });
    c = sdkClients(emu, ids.userIamToken);
  });
  after(() => emu.stop());

  it('Create returns a running Operation with typed metadata, then done with the ServiceAccount', async () => {
    const op = await c.serviceAccounts.create(req({ name: 'lifecycle', description: 'made by a test', labels: { team: 'ml' } }));
    assert.equal(op.done, false);
    assert.equal(op.response, undefined);
    assert.match(op.id, /^aje[a-z0-9]{17}$/);
    assert.equal(op.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.CreateServiceAccountMetadata');
    const { serviceAccountId } = CreateServiceAccountMetadata.decode(op.metadata?.value ?? Buffer.alloc(0));
    assert.match(serviceAccountId, /^aje[a-z0-9]{17}$/);

    const done = await c.operations.get({ operationId: op.id });
    assert.equal(done.done, true);
    assert.equal(done.error, undefined);
    assert.equal(done.response?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.ServiceAccount');
    const sa = ServiceAccount.decode(done.response?.value ?? Buffer.alloc(0));
    assert.deepEqual({ id: sa.id, folderId: sa.folderId, name: sa.name, description: sa.description, labels: sa.labels },
      { id: serviceAccountId, folderId: ids.folderId, name: 'lifecycle', description: 'made by a test', labels: { team: 'ml' } });
    assert.ok(sa.createdAt instanceof Date);
  });

  it('sends status ACTIVE (field 8, newer than the SDK) that old decoders skip', async () => {
    const { response } = await rawCall(emu, '/yandex.cloud.iam.v1.ServiceAccountService/Get',
      Buffer.from([0x0a, ids.serviceAccountId.length, ...Buffer.from(ids.serviceAccountId)]), { authorization: `Bearer ${ids.userIamToken}` });
    assert.ok(response);
    assert.deepEqual(decodeFields(response).find((f) => f.fieldNo === 8), { fieldNo: 8, value: 2 });
    assert.equal(ServiceAccount.decode(response).name, 'ci-robot');
  });

  describe('validation (INVALID_ARGUMENT, nothing created)', () => {
    const cases: Array<[string, () => Partial<CreateServiceAccountRequest>, RegExp]> = [
      ['folder_id missing', () => ({ folderId: '' }), /Request validation error: FolderId: required/],
      ['folder_id over 50', () => ({ folderId: 'b'.repeat(51) }), /FolderId: length must be at most 50/],
      ['name missing', () => ({ name: '' }), /Name: required/],
      ['name ending with a hyphen', () => ({ name: 'ab-' }), /Name: invalid resource name/],
      ['name too long (64)', () => ({ name: 'a'.repeat(64) }), /Name: invalid resource name/],
      ['name with upper case', () => ({ name: 'My-sa' }), /Name: invalid resource name/],
      ['name starting with a digit', () => ({ name: '1sa' }), /Name: invalid resource name/],
      ['name ending with a hyphen', () => ({ name: 'sa-' }), /Name: invalid resource name/],
      ['name with an underscore', () => ({ name: 'my_sa' }), /Name: invalid resource name/],
      ['description over 256', () => ({ description: 'd'.repeat(257) }), /Description: length must be at most 256/],
      ['65 labels', () => ({ labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }), /Labels: at most 64 labels/],
      ['label key with upper case', () => ({ labels: { Team: 'x' } }), /Labels: invalid label key "Team"/],
      ['label key starting with a digit', () => ({ labels: { '1k': 'x' } }), /Labels: invalid label key/],
      ['label key over 63', () => ({ labels: { ['k'.repeat(64)]: 'x' } }), /Labels: invalid label key/],
      ['label value with upper case', () => ({ labels: { team: 'ML' } }), /Labels: invalid value for label "team"/],
      ['label value over 63', () => ({ labels: { team: 'v'.repeat(64) } }), /Labels: invalid value/],
    ];
    for (const [what, over, message] of cases) {
      it(what, async () => {
        const before = emu.state.serviceAccounts().length;
        await rejectsWith(c.serviceAccounts.create(req(over())), 'INVALID_ARGUMENT', message);
        assert.equal(emu.state.serviceAccounts().length, before);
      });
    }

    it('accepts the boundaries: 3 and 63 characters, 256-char description, 64 labels, empty label value', async () => {
      for (const r of [
        req({ name: 'abc' }),
        req({ name: 'a' + 'b'.repeat(62) }),
        req({ name: 'bounds', description: 'd'.repeat(256), labels: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i === 0 ? '' : 'v'])) }),
      ]) await waitDone(c.operations, await c.serviceAccounts.create(r));
    });
  });

  it('names are unique per cloud: ALREADY_EXISTS across two folders, synchronously', async () => {
    // shared-robot lives in the other folder; a List in the folder does not see it...
    const { serviceAccounts } = await c.serviceAccounts.list({ folderId: ids.folderId, pageSize: 0, pageToken: '', filter: 'name="shared-robot"' });
    assert.deepEqual(serviceAccounts, []);
    // ...but Create there fails at once, with the real message.
    const before = emu.state.serviceAccounts().length;
    await rejectsWith(c.serviceAccounts.create(req({ name: 'shared-robot' })), 'ALREADY_EXISTS',
      new RegExp(`Service account 'shared-robot@${ids.cloudId}' already exists`));
    assert.equal(emu.state.serviceAccounts().length, before);
    // The same holds for one made a moment ago in the other direction.
    await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'twin' })));
    await rejectsWith(c.serviceAccounts.create(req({ name: 'twin', folderId: ids.otherFolderId })), 'ALREADY_EXISTS');
    // Another cloud is another namespace.
    await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'twin', folderId: 'b1gsecondfolder00001' })));
  });

  it('List filters by name="…", pages, and rejects other filters', async () => {
    const list = (filter: string, pageSize = 0, pageToken = '') => c.serviceAccounts.list({ folderId: ids.folderId, pageSize, pageToken, filter });
    const one = await list('name="ci-robot"');
    assert.deepEqual(one.serviceAccounts.map((s) => s.id), [ids.serviceAccountId]);
    assert.deepEqual((await list(' name = "legacy-bot" ')).serviceAccounts.map((s) => s.id), [ids.foreignServiceAccountId]);
    const all = (await list('')).serviceAccounts;
    const seen: string[] = [];
    let token = '';
    do {
      const page = await list('', 2, token);
      assert.ok(page.serviceAccounts.length <= 2);
      seen.push(...page.serviceAccounts.map((s) => s.id));
      token = page.nextPageToken;
    } while (token !== '');
    assert.deepEqual(seen, all.map((s) => s.id));
    await rejectsWith(list('name!="x-y-z"'), 'INVALID_ARGUMENT', /Filter: invalid filter expression/);
    await rejectsWith(list('name="AB"'), 'INVALID_ARGUMENT', /Filter:/);
    await rejectsWith(list('', 1001), 'INVALID_ARGUMENT', /PageSize/);
    await rejectsWith(list('', 0, 'garbage'), 'INVALID_ARGUMENT', /PageToken: invalid page token/);
    await rejectsWith(c.serviceAccounts.list({ folderId: '', pageSize: 0, pageToken: '', filter: '' }), 'INVALID_ARGUMENT', /FolderId: required/);
  });

  it('Update renames (checking the cloud-wide namespace) and honours the field mask', async () => {
    const op = await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'to-rename', description: 'old', labels: { a: 'b' } })));
    const id = ServiceAccount.decode(op.response?.value ?? Buffer.alloc(0)).id;
    await rejectsWith(c.serviceAccounts.update({ serviceAccountId: id, updateMask: { paths: ['name'] }, name: 'shared-robot', description: '', labels: {} }), 'ALREADY_EXISTS');
    await rejectsWith(c.serviceAccounts.update({ serviceAccountId: id, updateMask: { paths: ['color'] }, name: '', description: '', labels: {} }), 'INVALID_ARGUMENT', /UpdateMask: unknown field "color"/);
    const upd = await waitDone(c.operations, await c.serviceAccounts.update({ serviceAccountId: id, updateMask: { paths: ['name'] }, name: 'renamed', description: 'ignored', labels: {} }));
    assert.equal(upd.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.UpdateServiceAccountMetadata');
    const sa = ServiceAccount.decode(upd.response?.value ?? Buffer.alloc(0));
    assert.deepEqual({ name: sa.name, description: sa.description, labels: sa.labels }, { name: 'renamed', description: 'old', labels: { a: 'b' } });
  });

  it('Delete removes the account, its API keys and its bindings; Get is NOT_FOUND after', async () => {
    const op = await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'doomed' })));
    const id = ServiceAccount.decode(op.response?.value ?? Buffer.alloc(0)).id;
    await c.apiKeys.create({ serviceAccountId: id, description: 'k', scope: '', scopes: ['yc.ai.vision.execute'] });
    await waitDone(c.operations, await c.folders.updateAccessBindings({
      resourceId: ids.folderId, accessBindingDeltas: [{ action: 1, accessBinding: { roleId: 'ai.editor', subject: { type: 'serviceAccount', id } } }],
    }));
    const del = await waitDone(c.operations, await c.serviceAccounts.delete({ serviceAccountId: id }));
    assert.equal(del.response?.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
    assert.deepEqual(Empty.decode(del.response?.value ?? Buffer.alloc(0)), {});
    await rejectsWith(c.serviceAccounts.get({ serviceAccountId: id }), 'NOT_FOUND');
    assert.ok(!emu.state.apiKeys().some((k) => k.serviceAccountId === id));
    assert.ok(!emu.state.folderBindings(ids.folderId).some((b) => b.subject.id === id));
    // Foreign bindings are untouched.
    assert.ok(emu.state.folderBindings(ids.folderId).some((b) => b.subject.id === ids.foreignUserId && b.roleId === 'editor'));
    // The name is free again.
    await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'doomed' })));
  });

  it('ListOperations lists the operations of one account, newest first', async () => {
    const op = await waitDone(c.operations, await c.serviceAccounts.create(req({ name: 'with-history' })));
    const id = ServiceAccount.decode(op.response?.value ?? Buffer.alloc(0)).id;
    const upd = await c.serviceAccounts.update({ serviceAccountId: id, updateMask: { paths: ['description'] }, name: '', description: 'x', labels: {} });
    const { operations } = await c.serviceAccounts.listOperations({ serviceAccountId: id, pageSize: 0, pageToken: '' });
    assert.deepEqual(operations.map((o) => o.id), [upd.id, op.id]);
  });

  it('allows 100 service accounts per cloud, then RESOURCE_EXHAUSTED', async () => {
    const quota = await startEmulator({ fixture: defaultFixture().fixture });
    try {
      const token = quota.issueIamToken(Object.values(quota.fixture.iamTokens ?? {})[0] ?? '');
      const q = sdkClients(quota, token);
      const folderId = quota.fixture.folders[0]?.id ?? '';
      const have = quota.state.serviceAccounts().length;
      for (let i = have; i < 100; i++) await q.serviceAccounts.create({ folderId, name: `bulk-${i}`, description: '', labels: {} });
      assert.equal(quota.state.serviceAccounts().length, 100);
      await rejectsWith(q.serviceAccounts.create({ folderId, name: 'one-too-many', description: '', labels: {} }), 'RESOURCE_EXHAUSTED', /iam\.serviceAccounts\.count/);
      // The other folder shares the cloud quota.
      await rejectsWith(q.serviceAccounts.create({ folderId: quota.fixture.folders[1]?.id ?? '', name: 'elsewhere', description: '', labels: {} }), 'RESOURCE_EXHAUSTED');
    } finally {
      await quota.stop();
    }
  });
});

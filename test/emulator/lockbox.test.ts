import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, Version } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret';
import { AddVersionMetadata, CreateSecretMetadata, type CreateSecretRequest } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, sdkClients, waitDone, type SdkClients } from './sdk-clients.js';

const entry = (key: string, textValue: string) => ({ key, textValue, binaryValue: undefined });

describe('Lockbox', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  const req = (over: Partial<CreateSecretRequest> = {}): CreateSecretRequest => ({
    folderId: ids.folderId, name: '', description: '', labels: {}, kmsKeyId: '', versionDescription: '',
    versionPayloadEntries: [], deletionProtection: false, passwordPayloadSpecification: undefined, createVersion: undefined, ...over,
  });
  const payload = async (secretId: string, versionId = '') =>
    Object.fromEntries((await c.payloads.get({ secretId, versionId })).entries.map((e) => [e.key, e.textValue ?? e.binaryValue?.toString('base64')]));

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    const folder = d.fixture.folders[0];
    folder?.bindings?.push({ roleId: 'lockbox.payloadViewer', subject: { type: 'userAccount', id: ids.viewerUserId } });
    emu = await startEmulator({ fixture: d.fixture });
    c = sdkClients(emu, ids.userIamToken);
  });
  after(() => emu.stop());

  it('Create with entries makes a first version; the operation carries secret and version ids, then the Secret', async () => {
    const op = await c.secrets.create(req({ name: 'ai-studio-key', versionPayloadEntries: [entry('api-key', 'value-1'), entry('key-id', 'aje1')] }));
    assert.equal(op.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.lockbox.v1.CreateSecretMetadata');
    const meta = CreateSecretMetadata.decode(op.metadata?.value ?? Buffer.alloc(0));
    assert.match(meta.secretId, /^e6q[a-z0-9]{17}$/);
    assert.match(meta.versionId, /^e6q[a-z0-9]{17}$/);
    const done = await waitDone(c.operations, op);
    assert.equal(done.response?.typeUrl, 'type.googleapis.com/yandex.cloud.lockbox.v1.Secret');
    const secret = Secret.decode(done.response?.value ?? Buffer.alloc(0));
    assert.equal(secret.currentVersion?.id, meta.versionId);
    assert.deepEqual(secret.currentVersion?.payloadEntryKeys, ['api-key', 'key-id']);
    assert.deepEqual(await payload(meta.secretId), { 'api-key': 'value-1', 'key-id': 'aje1' });
    assert.equal((await c.secrets.get({ secretId: meta.secretId })).name, 'ai-studio-key');
    const { secrets } = await c.secrets.list({ folderId: ids.folderId, pageSize: 0, pageToken: '' });
    assert.ok(secrets.some((s) => s.id === meta.secretId));
  });

  it('AddVersion merges onto the current version and becomes current', async () => {
    const op = await waitDone(c.operations, await c.secrets.create(req({ versionPayloadEntries: [entry('a', '1'), entry('b', '2')] })));
    const secretId = Secret.decode(op.response?.value ?? Buffer.alloc(0)).id;
    const first = Secret.decode(op.response?.value ?? Buffer.alloc(0)).currentVersion?.id ?? '';
    const add = await c.secrets.addVersion({ secretId, description: 'rotate', payloadEntries: [entry('b', '22'), entry('c', '3')], baseVersionId: '' });
    const meta = AddVersionMetadata.decode(add.metadata?.value ?? Buffer.alloc(0));
    const version = Version.decode((await waitDone(c.operations, add)).response?.value ?? Buffer.alloc(0));
    assert.equal(version.id, meta.versionId);
    assert.deepEqual(await payload(secretId), { a: '1', b: '22', c: '3' });
    assert.deepEqual(await payload(secretId, first), { a: '1', b: '2' });
    assert.equal(emu.state.lockboxSecrets().find((s) => s.id === secretId)?.currentVersionId, version.id);
    // An explicit base version: changes apply to it, not to the current one.
    await waitDone(c.operations, await c.secrets.addVersion({ secretId, description: '', payloadEntries: [entry('d', '4')], baseVersionId: first }));
    assert.deepEqual(await payload(secretId), { a: '1', b: '2', d: '4' });
    await rejectsWith(c.secrets.addVersion({ secretId, description: '', payloadEntries: [], baseVersionId: 'e6qnosuchversion0000' }), 'NOT_FOUND');
  });

  it('validates entries, the 64 KB version limit and unique names', async () => {
    await rejectsWith(c.secrets.create(req({ versionPayloadEntries: [entry('bad key', 'x')] })), 'INVALID_ARGUMENT', /VersionPayloadEntries\[0\]\.Key: invalid entry key/);
    await rejectsWith(c.secrets.create(req({ versionPayloadEntries: [{ key: 'k', textValue: undefined, binaryValue: undefined }] })), 'INVALID_ARGUMENT', /one of text_value or binary_value/);
    await rejectsWith(c.secrets.create(req({ versionPayloadEntries: [entry('k', 'x'), entry('k', 'y')] })), 'INVALID_ARGUMENT', /duplicate entry key/);
    await rejectsWith(c.secrets.create(req({ versionPayloadEntries: [entry('a', 'x'.repeat(40_000)), entry('b', 'y'.repeat(30_000))] })), 'INVALID_ARGUMENT', /limited to 65536 bytes/);
    await rejectsWith(c.secrets.create(req({ name: 'n'.repeat(101) })), 'INVALID_ARGUMENT', /Name: length must be at most 100/);
    await rejectsWith(c.secrets.create(req({ folderId: '' })), 'INVALID_ARGUMENT', /FolderId: required/);
    await waitDone(c.operations, await c.secrets.create(req({ name: 'unique-one' })));
    await rejectsWith(c.secrets.create(req({ name: 'unique-one' })), 'ALREADY_EXISTS');
    // 64 KB exactly is fine.
    await c.secrets.create(req({ versionPayloadEntries: [entry('a', 'x'.repeat(65_536))] }));
  });

  it('needs lockbox write rights to create, payload rights to read', async () => {
    const { response } = await waitDone(c.operations, await c.secrets.create(req({ versionPayloadEntries: [entry('k', 'v')] })));
    const secretId = Secret.decode(response?.value ?? Buffer.alloc(0)).id;
    const editor = sdkClients(emu, emu.issueIamToken(ids.foreignUserId));
    await waitDone(c.operations, await editor.secrets.create(req({ name: 'editor-made' })));
    await editor.secrets.addVersion({ secretId, description: '', payloadEntries: [entry('k', 'v2')], baseVersionId: '' });
    await rejectsWith(editor.payloads.get({ secretId, versionId: '' }), 'PERMISSION_DENIED');
    const viewer = sdkClients(emu, ids.viewerIamToken);
    await rejectsWith(viewer.secrets.create(req({ name: 'viewer-made' })), 'PERMISSION_DENIED');
    assert.equal((await viewer.payloads.get({ secretId, versionId: '' })).entries[0]?.textValue, 'v2');
    await rejectsWith(sdkClients(emu, ids.outsiderIamToken).secrets.get({ secretId }), 'PERMISSION_DENIED');
  });

  it('operation-error on Create removes the secret again', async () => {
    emu.inject('SecretService/Create', { kind: 'operation-error', code: 'INTERNAL' });
    const op = await c.secrets.create(req({ name: 'rolled-back', versionPayloadEntries: [entry('k', 'v')] }));
    assert.equal((await c.operations.get({ operationId: op.id })).error?.code, 13);
    assert.ok(!emu.state.lockboxSecrets().some((s) => s.name === 'rolled-back'));
  });
});

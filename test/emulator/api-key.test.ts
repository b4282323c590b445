import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey } from '@yandex-cloud/nodejs-sdk/iam-v1/api_key';
import { GetApiKeyRequest, type CreateApiKeyRequest } from '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';
import { decodeFields } from './proto-extra.js';
import { AI_STUDIO_SCOPES, DEFAULT_SCOPES, KNOWN_SCOPES, defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rawCall, rejectsWith, sdkClients, waitDone, type SdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

const SECRET_SHAPE = /^AQVN[A-Za-z0-9_-]{36}$/;

describe('ApiKeyService', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  const req = (over: Partial<CreateApiKeyRequest> = {}): CreateApiKeyRequest =>
    ({ serviceAccountId: ids.serviceAccountId, description: '', scope: '', scopes: [...AI_STUDIO_SCOPES], expiresAt: undefined, ...over });

  before(async () => ({ emu, ids, c } = await startDefaultEmulator()));
  after(() => emu.stop());

  it('Create is synchronous and returns the key with its secret, once', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000);
    const res = await c.apiKeys.create(req({ description: 'ai studio', expiresAt }));
    assert.match(res.secret, SECRET_SHAPE);
    assert.match(res.apiKey?.id ?? '', /^aje[a-z0-9]{17}$/);
    assert.deepEqual(res.apiKey?.scopes, [...AI_STUDIO_SCOPES]);
    assert.equal(res.apiKey?.expiresAt?.getTime(), expiresAt.getTime());
    assert.ok(emu.secrets().includes(res.secret));

    const got = await c.apiKeys.get({ apiKeyId: res.apiKey?.id ?? '' });
    assert.equal(got.description, 'ai studio');
    const listed = await c.apiKeys.list({ serviceAccountId: ids.serviceAccountId, pageSize: 0, pageToken: '' });
    assert.ok(listed.apiKeys.some((k) => k.id === got.id));
    // The secret appears nowhere but in the Create answer.
    assert.ok(!JSON.stringify(ApiKey.toJSON(got)).includes(res.secret));
    assert.ok(!JSON.stringify(listed).includes(res.secret));
  });

  it('Get carries masked_secret (field 9: **** + last six) that SDK 3.2.0 does not know', async () => {
    const res = await c.apiKeys.create(req());
    const { response } = await rawCall(emu, '/yandex.cloud.iam.v1.ApiKeyService/Get',
      GetApiKeyRequest.encode({ apiKeyId: res.apiKey?.id ?? '' }).finish(), { authorization: `Bearer ${ids.userIamToken}` });
    assert.ok(response);
    const masked = decodeFields(response).find((f) => f.fieldNo === 9)?.value;
    assert.equal(masked?.toString(), `****${res.secret.slice(-6)}`);
    assert.equal(ApiKey.decode(response).id, res.apiKey?.id);
  });

  it('empty scopes give the ten default scopes (our nine plus yc.monitoring.manage)', async () => {
    const res = await c.apiKeys.create(req({ scopes: [] }));
    assert.deepEqual([...(res.apiKey?.scopes ?? [])].sort(), [...DEFAULT_SCOPES].sort());
    assert.equal(res.apiKey?.scopes.length, 10);
    assert.ok(res.apiKey?.scopes.includes('yc.monitoring.manage'));
    // The deprecated singular scope counts when scopes is empty.
    const single = await c.apiKeys.create(req({ scopes: [], scope: 'yc.ai.vision.execute' }));
    assert.deepEqual(single.apiKey?.scopes, ['yc.ai.vision.execute']);
  });

  it('ListScopes names every known scope, the nine included', async () => {
    const { scopes } = await c.apiKeys.listScopes({ pageSize: 0, pageToken: '' });
    assert.deepEqual(scopes, [...KNOWN_SCOPES]);
    for (const s of [...AI_STUDIO_SCOPES, 'yc.monitoring.manage', 'yc.serverless.mcpGateways.invoke']) assert.ok(scopes.includes(s), s);
    const page = await c.apiKeys.listScopes({ pageSize: 5, pageToken: '' });
    assert.equal(page.scopes.length, 5);
    assert.notEqual(page.nextPageToken, '');
  });

  describe('validation (INVALID_ARGUMENT, nothing created)', () => {
    const day = 86_400_000;
    const cases: Array<[string, () => Partial<CreateApiKeyRequest>, RegExp]> = [
      ['101 scopes', () => ({ scopes: Array.from({ length: 101 }, (_, i) => `yc.s${i}`) }), /Scopes: at most 100 scopes/],
      ['duplicate scope', () => ({ scopes: ['yc.ai.vision.execute', 'yc.ai.vision.execute'] }), /Scopes\[1\]: duplicate scope "yc.ai.vision.execute"/],
      ['unknown scope', () => ({ scopes: ['yc.ai.vision.execute', 'yc.ai.everything'] }), /Scopes\[1\]: unknown scope "yc.ai.everything"/],
      ['scope over 256', () => ({ scopes: ['y'.repeat(257)] }), /Scopes\[0\]: length must be at most 256/],
      ['deprecated scope over 256', () => ({ scopes: [], scope: 'y'.repeat(257) }), /Scope: length must be at most 256/],
      ['description over 256', () => ({ description: 'd'.repeat(257) }), /Description: length must be at most 256/],
      ['service_account_id over 50', () => ({ serviceAccountId: 'a'.repeat(51) }), /ServiceAccountId: length must be at most 50/],
      ['expires_at in the past', () => ({ expiresAt: new Date(Date.now() - day) }), /ExpiresAt: must be in the future/],
      ['expires_at after 2105', () => ({ expiresAt: new Date(Date.UTC(2106, 0, 1)) }), /ExpiresAt: must be between 1970-01-01T00:00:00Z and 2105-12-31T23:59:59Z/],
      ['expires_at before 1970', () => ({ expiresAt: new Date(Date.UTC(1969, 11, 31)) }), /ExpiresAt: must be between/],
      ['empty service_account_id from a user', () => ({ serviceAccountId: '' }), /ServiceAccountId: required when the caller is not a service account/],
    ];
    for (const [what, over, message] of cases) {
      it(what, async () => {
        const before = emu.state.apiKeys().length;
        await rejectsWith(c.apiKeys.create(req(over())), 'INVALID_ARGUMENT', message);
        assert.equal(emu.state.apiKeys().length, before);
      });
    }

    it('accepts expires_at late on 2105-12-31', async () => {
      const res = await c.apiKeys.create(req({ expiresAt: new Date(Date.UTC(2105, 11, 31, 23, 0, 0)) }));
      assert.equal(res.apiKey?.expiresAt?.getUTCFullYear(), 2105);
    });
  });

  it('an unknown service account is NOT_FOUND', async () => {
    await rejectsWith(c.apiKeys.create(req({ serviceAccountId: 'ajenosuchsa000000000' })), 'NOT_FOUND');
  });

  it('a service account may create keys for itself with an empty id and list its own keys', async () => {
    const robot = sdkClients(emu, ids.serviceAccountIamToken);
    const res = await robot.apiKeys.create(req({ serviceAccountId: '' }));
    assert.equal(res.apiKey?.serviceAccountId, ids.serviceAccountId);
    const own = await robot.apiKeys.list({ serviceAccountId: '', pageSize: 0, pageToken: '' });
    assert.ok(own.apiKeys.some((k) => k.id === res.apiKey?.id));
  });

  it('Update and Delete return Operations; Delete removes the key', async () => {
    const { apiKey } = await c.apiKeys.create(req());
    const id = apiKey?.id ?? '';
    const upd = await waitDone(c.operations, await c.apiKeys.update({ apiKeyId: id, updateMask: { paths: ['description', 'scopes'] }, description: 'new', scopes: ['yc.ai.translate.execute'], expiresAt: undefined }));
    assert.equal(upd.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.UpdateApiKeyMetadata');
    assert.equal(upd.response?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.ApiKey');
    const updated = ApiKey.decode(upd.response?.value ?? Buffer.alloc(0));
    assert.deepEqual([updated.description, updated.scopes], ['new', ['yc.ai.translate.execute']]);
    await rejectsWith(c.apiKeys.update({ apiKeyId: id, updateMask: { paths: ['scopes'] }, description: '', scopes: [], expiresAt: undefined }), 'INVALID_ARGUMENT', /Scopes: at least 1 scope/);
    await rejectsWith(c.apiKeys.update({ apiKeyId: id, updateMask: { paths: ['secret'] }, description: '', scopes: [], expiresAt: undefined }), 'INVALID_ARGUMENT', /UpdateMask/);

    const del = await c.apiKeys.delete({ apiKeyId: id });
    assert.equal(del.metadata?.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.DeleteApiKeyMetadata');
    assert.equal((await waitDone(c.operations, del)).response?.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
    await rejectsWith(c.apiKeys.get({ apiKeyId: id }), 'NOT_FOUND');
    assert.ok(!emu.state.apiKeys().some((k) => k.id === id));
  });

  it('allows 1,000 API keys per cloud, then RESOURCE_EXHAUSTED', async () => {
    const d = defaultFixture();
    d.fixture.apiKeys = Array.from({ length: 998 }, (_, i) => ({ id: `ajeseeded${String(i).padStart(11, '0')}`, serviceAccountId: d.ids.foreignServiceAccountId }));
    const quota = await startEmulator({ fixture: d.fixture });
    try {
      const q = sdkClients(quota, d.ids.userIamToken);
      await q.apiKeys.create({ ...req(), serviceAccountId: d.ids.serviceAccountId });
      // Keys of a service account in the other folder count towards the same cloud.
      await q.apiKeys.create({ ...req(), serviceAccountId: d.ids.otherFolderServiceAccountId });
      assert.equal(quota.state.apiKeys().length, 1000);
      await rejectsWith(q.apiKeys.create({ ...req(), serviceAccountId: d.ids.serviceAccountId }), 'RESOURCE_EXHAUSTED', /iam\.apiKeys\.count/);
      // Freeing one makes room again.
      await waitDone(q.operations, await q.apiKeys.delete({ apiKeyId: 'ajeseeded00000000000' }));
      await q.apiKeys.create({ ...req(), serviceAccountId: d.ids.serviceAccountId });
    } finally {
      await quota.stop();
    }
  });
});

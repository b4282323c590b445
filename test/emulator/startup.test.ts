import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { GetServiceAccountRequest } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import { AI_STUDIO_SCOPES, ENDPOINT_IDS, defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rawCall, rejectsWith, sdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

describe('emulator start-up and discovery', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let startMs: number;

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    const t0 = performance.now();
    emu = await startEmulator({ fixture: d.fixture });
    startMs = performance.now() - t0;
  });
  after(() => emu.stop());

  it('starts in well under a second on port 0', async () => {
    assert.ok(startMs < 1000, `start took ${startMs.toFixed(0)} ms`);
    assert.match(emu.endpoint, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(emu.endpoint, '127.0.0.1:0');
    // A second instance starts cold (fresh CA) just as fast, without a fixture (default one).
    const t0 = performance.now();
    const other = await startEmulator();
    const ms = performance.now() - t0;
    try {
      assert.ok(ms < 1000, `second start took ${ms.toFixed(0)} ms`);
      assert.notEqual(other.endpoint, emu.endpoint);
      assert.notEqual(other.caPem, emu.caPem);
    } finally {
      await other.stop();
    }
    console.log(`# emulator start: ${startMs.toFixed(0)} ms (first), ${ms.toFixed(0)} ms (second, default fixture)`);
  });

  it('writes the CA to caFile and serves TLS that the CA verifies', async () => {
    assert.equal(readFileSync(emu.caFile, 'utf8'), emu.caPem);
    assert.match(emu.caPem, /^-----BEGIN CERTIFICATE-----/);
    const c = sdkClients(emu, ids.userIamToken);
    const sa = await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
    assert.equal(sa.name, 'ci-robot');
  });

  it('rejects a client that does not trust its CA', async () => {
    const other = await startEmulator();
    try {
      // The CA of one emulator does not verify another's certificate.
      const c = sdkClients({ ...emu, caPem: other.caPem } as Emulator, ids.userIamToken);
      await rejectsWith(c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId }), 'UNAVAILABLE');
    } finally {
      await other.stop();
    }
  });

  it('lists its own address for every endpoint id, with or without a token', async () => {
    for (const token of [ids.userIamToken, 'not-a-token']) {
      const { endpoints } = await sdkClients(emu, token).endpoints.list({ pageSize: 0, pageToken: '' });
      const byId = new Map(endpoints.map((e) => [e.id, e.address]));
      for (const id of ['endpoint', 'iam', 'resource-manager', 'resourcemanager', 'operation', 'lockbox', 'lockbox-payload']) {
        assert.equal(byId.get(id), emu.endpoint, id);
      }
      assert.equal(endpoints.length, ENDPOINT_IDS.length);
    }
    const { response, error } = await rawCall(emu, '/yandex.cloud.endpoint.ApiEndpointService/List', Buffer.alloc(0));
    assert.equal(error, undefined);
    assert.ok(response !== undefined && response.includes(Buffer.from(emu.endpoint)));
  });

  it('answers Get for a known id and NOT_FOUND for an unknown one', async () => {
    const c = sdkClients(emu, ids.userIamToken);
    assert.deepEqual(await c.endpoints.get({ apiEndpointId: 'lockbox-payload' }), { id: 'lockbox-payload', address: emu.endpoint });
    await rejectsWith(c.endpoints.get({ apiEndpointId: 'no-such-service' }), 'NOT_FOUND');
  });

  it('answers UNIMPLEMENTED for methods it does not emulate, and journals them', async () => {
    const c = sdkClients(emu, ids.userIamToken);
    await rejectsWith(c.operations.cancel({ operationId: 'x' }), 'UNIMPLEMENTED');
    assert.equal(emu.calls('OperationService/Cancel').at(-1)?.status, 'UNIMPLEMENTED');
  });

  it('journals method, path, request JSON and metadata of every call', async () => {
    const before = emu.journal.length;
    const c = sdkClients(emu, ids.userIamToken);
    await c.serviceAccounts.get(GetServiceAccountRequest.fromPartial({ serviceAccountId: ids.serviceAccountId }));
    const entry = emu.journal[before];
    assert.ok(entry);
    assert.equal(entry.method, 'ServiceAccountService/Get');
    assert.equal(entry.path, '/yandex.cloud.iam.v1.ServiceAccountService/Get');
    assert.deepEqual(entry.request, { serviceAccountId: ids.serviceAccountId });
    assert.equal(entry.metadata.authorization, `Bearer ${ids.userIamToken}`);
    assert.equal(entry.status, 'OK');
    assert.ok(entry.at instanceof Date);
    assert.deepEqual(emu.mutations().filter((m) => m.method === 'ServiceAccountService/Get'), []);
  });

  it('serves localhost too, and stop() removes its files and closes the port', async () => {
    const local = await startEmulator({ host: 'localhost' });
    assert.match(local.endpoint, /^localhost:\d+$/);
    const tok = local.issueIamToken(Object.values(local.fixture.iamTokens ?? {})[0] ?? '');
    const { folders } = await sdkClients(local, tok).folders.list({ cloudId: local.fixture.clouds[0]?.id ?? '', pageSize: 0, pageToken: '', filter: '' });
    assert.equal(folders.length, 2);
    await local.stop();
    await local.stop(); // twice is fine
    assert.equal(existsSync(local.workDir), false);
    await rejectsWith(sdkClients(local, tok).folders.get({ folderId: 'x' }), 'UNAVAILABLE');
  });
});

describe('fixture, state views and secrets()', () => {
  let emu: Emulator;
  let ids: DefaultIds;

  before(async () => ({ emu, ids } = await startDefaultEmulator()));
  after(() => emu.stop());

  it('mints real-looking ids and credentials, fresh for every fixture', () => {
    for (const id of [ids.cloudId, ids.folderId, ids.otherFolderId]) assert.match(id, /^b1g[a-z0-9]{17}$/);
    for (const id of [ids.userId, ids.viewerUserId, ids.serviceAccountId, ids.authorizedKeyId]) assert.match(id, /^aje[a-z0-9]{17}$/);
    assert.match(ids.userIamToken, /^t1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    assert.match(ids.userOauthToken, /^y0_[-_A-Za-z0-9]{55}$/);
    assert.equal(ids.authorizedKey.service_account_id, ids.serviceAccountId);
    assert.equal(ids.authorizedKey.key_algorithm, 'RSA_2048');
    assert.match(ids.authorizedKey.public_key, /^-----BEGIN PUBLIC KEY-----/);
    const other = defaultFixture().ids;
    assert.notEqual(other.userIamToken, ids.userIamToken);
    assert.notEqual(other.folderId, ids.folderId);
  });

  it('seeds two folders of one cloud with foreign bindings', () => {
    const f = emu.state.folderBindings(ids.folderId);
    assert.ok(f.some((b) => b.roleId === 'admin' && b.subject.id === ids.userId));
    assert.ok(f.some((b) => b.roleId === 'viewer' && b.subject.id === ids.viewerUserId));
    assert.ok(f.some((b) => b.roleId === 'editor' && b.subject.id === ids.foreignUserId));
    assert.deepEqual(emu.state.serviceAccounts().map((s) => s.name).sort(), ['ci-robot', 'legacy-bot', 'shared-robot']);
    assert.equal(emu.state.serviceAccounts().find((s) => s.name === 'shared-robot')?.folderId, ids.otherFolderId);
  });

  it('state views are copies', () => {
    emu.state.folderBindings(ids.folderId).pop();
    const sa = emu.state.serviceAccounts()[0];
    if (sa) sa.name = 'changed';
    assert.ok(emu.state.folderBindings(ids.folderId).some((b) => b.subject.id === ids.foreignServiceAccountId));
    assert.ok(!emu.state.serviceAccounts().some((s) => s.name === 'changed'));
  });

  it('secrets() lists every token and secret issued or accepted, for leak scans', async () => {
    const before = emu.secrets();
    for (const s of [ids.userIamToken, ids.viewerIamToken, ids.userOauthToken, ids.federatedSubjectToken, ids.serviceAccountIamToken]) {
      assert.ok(before.includes(s));
    }
    const { secret } = await sdkClients(emu, ids.userIamToken).apiKeys.create({
      serviceAccountId: ids.serviceAccountId, description: '', scope: '', scopes: [...AI_STUDIO_SCOPES], expiresAt: undefined,
    });
    const minted = emu.issueIamToken(ids.viewerUserId);
    const after = emu.secrets();
    assert.ok(after.includes(secret));
    assert.ok(after.includes(minted));
    assert.equal(new Set(after).size, after.length);
    assert.deepEqual(emu.state.apiKeys().map((k) => k.scopes), [[...AI_STUDIO_SCOPES]]);
  });
});

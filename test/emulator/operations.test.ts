import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Metadata } from 'nice-grpc';
import { ServiceAccount } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, sdkClients, waitDone, type SdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

describe('operations', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  let n = 0;
  const create = (opts: { key?: string; folderId?: string } = {}) => c.serviceAccounts.create(
    { folderId: opts.folderId ?? ids.folderId, name: `op-sa-${++n}`, description: '', labels: {} },
    opts.key === undefined ? {} : { metadata: Metadata({ 'idempotency-key': opts.key }) },
  );

  before(async () => ({ emu, ids, c } = await startDefaultEmulator({ operationDelayMs: 150 })));
  after(() => emu.stop());

  it('stays running until operationDelayMs has passed on its clock, then is done with the response', async () => {
    // The emulator's own clock, moved by hand: the test waits for nothing and load cannot change it.
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const d = defaultFixture();
    const timed = await startEmulator({ fixture: d.fixture, operationDelayMs: 150, now: () => clock });
    try {
      const client = sdkClients(timed, d.ids.userIamToken);
      const op = await client.serviceAccounts.create({ folderId: d.ids.folderId, name: 'op-sa-clock', description: '', labels: {} });
      assert.equal(op.done, false);
      assert.equal((await client.operations.get({ operationId: op.id })).done, false, 'no time has passed');
      clock += 149;
      assert.equal((await client.operations.get({ operationId: op.id })).done, false, '1 ms short of the delay');
      clock += 1;
      const done = await client.operations.get({ operationId: op.id });
      assert.equal(done.done, true, 'the delay has passed');
      assert.equal(ServiceAccount.decode(done.response?.value ?? Buffer.alloc(0)).name, 'op-sa-clock');
    } finally {
      await timed.stop();
    }
  });

  it('does the work when the call arrives: the account is visible while its operation runs', async () => {
    // The work itself happened when the call arrived: the account is visible while the operation runs.
    emu.setOperationDelay(60_000);
    try {
      const running = await create();
      const name = `op-sa-${n}`;
      assert.equal((await c.serviceAccounts.list({ folderId: ids.folderId, pageSize: 0, pageToken: '', filter: `name="${name}"` })).serviceAccounts.length, 1);
      assert.equal((await c.operations.get({ operationId: running.id })).done, false);
    } finally {
      emu.setOperationDelay(150);
    }
  });

  it('setOperationDelay(0) makes the first Get see it done; the state view agrees', async () => {
    emu.setOperationDelay(0);
    try {
      const op = await create();
      assert.equal(op.done, false);
      assert.equal(emu.state.operations().find((o) => o.id === op.id)?.done, true);
      assert.equal((await c.operations.get({ operationId: op.id })).done, true);
    } finally {
      emu.setOperationDelay(150);
    }
  });

  it('operationsDoneOnCreate answers with a finished operation', async () => {
    const done = await startEmulator({ fixture: defaultFixture().fixture, operationsDoneOnCreate: true, operationDelayMs: 10_000 });
    try {
      const f = done.fixture;
      const op = await sdkClients(done, Object.keys(f.iamTokens ?? {})[0] ?? '').serviceAccounts.create({ folderId: f.folders[0]?.id ?? '', name: 'instant', description: '', labels: {} });
      assert.equal(op.done, true);
      assert.equal(ServiceAccount.decode(op.response?.value ?? Buffer.alloc(0)).name, 'instant');
    } finally {
      await done.stop();
    }
  });

  it('answers NOT_FOUND for the first operationNotFoundPolls Gets of a new operation', async () => {
    const flaky = await startEmulator({ fixture: defaultFixture().fixture, operationNotFoundPolls: 2 });
    try {
      const fc = sdkClients(flaky, Object.keys(flaky.fixture.iamTokens ?? {})[0] ?? '');
      const op = await fc.serviceAccounts.create({ folderId: flaky.fixture.folders[0]?.id ?? '', name: 'eventually', description: '', labels: {} });
      await rejectsWith(fc.operations.get({ operationId: op.id }), 'NOT_FOUND');
      await rejectsWith(fc.operations.get({ operationId: op.id }), 'NOT_FOUND');
      assert.equal((await fc.operations.get({ operationId: op.id })).done, true);
    } finally {
      await flaky.stop();
    }
  });

  it('sends x-operation-poll-interval on OperationService.Get when configured, and only then', async () => {
    const slow = await startEmulator({ fixture: defaultFixture().fixture, operationPollIntervalHeader: 2 });
    try {
      const sc = sdkClients(slow, Object.keys(slow.fixture.iamTokens ?? {})[0] ?? '');
      const op = await sc.serviceAccounts.create({ folderId: slow.fixture.folders[0]?.id ?? '', name: 'paced', description: '', labels: {} });
      let interval: string | undefined;
      await sc.operations.get({ operationId: op.id }, { onHeader: (h) => { interval = h.get('x-operation-poll-interval'); } });
      assert.equal(interval, '2');
    } finally {
      await slow.stop();
    }
    const op = await create();
    let header: string | undefined = 'unset';
    await c.operations.get({ operationId: op.id }, { onHeader: (h) => { header = h.get('x-operation-poll-interval'); } });
    assert.equal(header, undefined);
  });

  it('an unknown operation is NOT_FOUND; another user without rights on the folder is denied', async () => {
    await rejectsWith(c.operations.get({ operationId: 'ajenosuchop000000000' }), 'NOT_FOUND');
    await rejectsWith(c.operations.get({ operationId: '' }), 'INVALID_ARGUMENT', /OperationId: required/);
    const op = await create();
    await rejectsWith(sdkClients(emu, ids.outsiderIamToken).operations.get({ operationId: op.id }), 'PERMISSION_DENIED');
    // A viewer of the folder may read it.
    await sdkClients(emu, ids.viewerIamToken).operations.get({ operationId: op.id });
  });

  describe('idempotency-key', () => {
    it('same key and method: the first operation comes back and nothing is done twice', async () => {
      const key = randomUUID();
      const before = emu.state.serviceAccounts().length;
      const first = await create({ key });
      const again = await create({ key });
      assert.equal(again.id, first.id);
      assert.equal(emu.state.serviceAccounts().length, before + 1);
      // With its current state: once done, the replay is done too.
      await waitDone(c.operations, first, 100);
      const late = await create({ key });
      assert.equal(late.id, first.id);
      assert.equal(late.done, true);
      assert.equal(emu.calls('ServiceAccountService/Create').filter((e) => e.metadata['idempotency-key'] === key).length, 3);
    });

    it('a new key, or the same key on another method, does the work again', async () => {
      const key = randomUUID();
      const a = await create({ key });
      const b = await create({ key: randomUUID() });
      assert.notEqual(a.id, b.id);
      const sa = ServiceAccount.decode((await waitDone(c.operations, a, 100)).response?.value ?? Buffer.alloc(0));
      const upd = await c.serviceAccounts.update({ serviceAccountId: sa.id, updateMask: { paths: ['description'] }, name: '', description: 'x', labels: {} }, { metadata: Metadata({ 'idempotency-key': key }) });
      assert.notEqual(upd.id, a.id);
    });

    it('is honoured by every operation-returning call, e.g. UpdateAccessBindings and ApiKey Delete', async () => {
      const key = randomUUID();
      const req = { resourceId: ids.folderId, accessBindingDeltas: [{ action: 1, accessBinding: { roleId: 'ai.editor', subject: { type: 'userAccount', id: ids.viewerUserId } } }] };
      const first = await c.folders.updateAccessBindings(req, { metadata: Metadata({ 'idempotency-key': key }) });
      const second = await c.folders.updateAccessBindings(req, { metadata: Metadata({ 'idempotency-key': key }) });
      assert.equal(second.id, first.id);
      const { apiKey } = await c.apiKeys.create({ serviceAccountId: ids.serviceAccountId, description: '', scope: '', scopes: ['yc.ai.vision.execute'], expiresAt: undefined });
      const k2 = randomUUID();
      const del1 = await c.apiKeys.delete({ apiKeyId: apiKey?.id ?? '' }, { metadata: Metadata({ 'idempotency-key': k2 }) });
      // Without the key this would be NOT_FOUND: the key is already gone.
      const del2 = await c.apiKeys.delete({ apiKeyId: apiKey?.id ?? '' }, { metadata: Metadata({ 'idempotency-key': k2 }) });
      assert.equal(del2.id, del1.id);
      await rejectsWith(c.apiKeys.delete({ apiKeyId: apiKey?.id ?? '' }), 'NOT_FOUND');
    });
  });

  it('knows which methods mutate: every operation-returning call plus ApiKeyService/Create', () => {
    const methods = emu.methods();
    for (const m of ['ServiceAccountService/Create', 'FolderService/SetAccessBindings', 'ApiKeyService/Delete', 'SecretService/AddVersion', 'HTTP POST /oauth/token']) {
      assert.ok(methods.includes(m), m);
    }
    const mutated = new Set(emu.mutations().map((m) => m.method));
    assert.ok(mutated.has('ServiceAccountService/Create'));
    assert.ok(mutated.has('ApiKeyService/Create'));
    assert.ok(mutated.has('FolderService/UpdateAccessBindings'));
    assert.ok(!mutated.has('OperationService/Get'));
    assert.ok(!mutated.has('ServiceAccountService/List'));
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Metadata } from 'nice-grpc';
import { AccessBindingAction } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, sdkClients, type SdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

describe('fault injection and latency', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  let n = 0;
  const createSa = (name = `fault-sa-${++n}`, key?: string) => c.serviceAccounts.create(
    { folderId: ids.folderId, name, description: '', labels: {} },
    key === undefined ? {} : { metadata: Metadata({ 'idempotency-key': key }) },
  );
  const saNamed = (name: string) => emu.state.serviceAccounts().find((s) => s.name === name);

  before(async () => ({ emu, ids, c } = await startDefaultEmulator()));
  after(() => emu.stop());

  it('error: fails `times` times without doing the work, then lets calls through', async () => {
    emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'UNAVAILABLE', times: 2 });
    await rejectsWith(createSa('flaky'), 'UNAVAILABLE', /temporarily unavailable/);
    await rejectsWith(createSa('flaky'), 'UNAVAILABLE');
    assert.equal(saNamed('flaky'), undefined);
    await createSa('flaky');
    assert.ok(saNamed('flaky'));
    assert.deepEqual(emu.calls('ServiceAccountService/Create').slice(-3).map((e) => e.status), ['UNAVAILABLE', 'UNAVAILABLE', 'OK']);
  });

  it('error: faults queue per method in order, with the given message; other methods are unaffected', async () => {
    emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'PERMISSION_DENIED', message: 'nope' });
    emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'ABORTED' });
    await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
    await rejectsWith(createSa(), 'PERMISSION_DENIED', /: nope$/);
    await rejectsWith(createSa(), 'ABORTED');
    await createSa();
  });

  it('error: works on OperationService/Get and IamTokenService/Create too; clearFaults drops the queue', async () => {
    const op = await createSa();
    emu.inject('OperationService/Get', { kind: 'error', code: 'INTERNAL' });
    await rejectsWith(c.operations.get({ operationId: op.id }), 'INTERNAL');
    assert.equal((await c.operations.get({ operationId: op.id })).done, true);
    emu.inject('ServiceAccountService/Get', { kind: 'error', code: 'UNAVAILABLE', times: 5 });
    emu.clearFaults();
    await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
  });

  it('lost-answer: the work is done, the caller sees UNAVAILABLE; a retry with the same idempotency key gets the operation', async () => {
    emu.inject('ServiceAccountService/Create', { kind: 'lost-answer' });
    const key = randomUUID();
    await rejectsWith(createSa('lost-one', key), 'UNAVAILABLE');
    const sa = saNamed('lost-one');
    assert.ok(sa, 'the account was created although the answer was lost');
    const made = emu.state.operations().filter((o) => o.method === 'ServiceAccountService/Create').at(-1);
    // Retrying blindly hits the name the lost call took...
    await rejectsWith(createSa('lost-one'), 'ALREADY_EXISTS');
    // ...retrying with the same key returns the first operation.
    const replay = await createSa('lost-one', key);
    assert.equal(replay.id, made?.id);
    assert.equal(emu.state.serviceAccounts().filter((s) => s.name === 'lost-one').length, 1);
  });

  it('lost-answer on ApiKeyService/Create leaves an orphan key whose secret nobody saw', async () => {
    emu.inject('ApiKeyService/Create', { kind: 'lost-answer' });
    const before = emu.state.apiKeys().length;
    await rejectsWith(c.apiKeys.create({ serviceAccountId: ids.serviceAccountId, description: 'orphan-marker', scope: '', scopes: ['yc.ai.vision.execute'], expiresAt: undefined }), 'UNAVAILABLE');
    assert.equal(emu.state.apiKeys().length, before + 1);
    const { apiKeys } = await c.apiKeys.list({ serviceAccountId: ids.serviceAccountId, pageSize: 0, pageToken: '' });
    assert.ok(apiKeys.some((k) => k.description === 'orphan-marker'));
  });

  it('operation-error: the operation fails, the work is rolled back, done follows the error', async () => {
    emu.inject('ServiceAccountService/Create', { kind: 'operation-error', code: 'INTERNAL', message: 'disk on fire' });
    const op = await createSa('doomed-op');
    assert.equal(op.done, false);
    assert.ok(saNamed('doomed-op'), 'visible while running');
    const failing = await c.operations.get({ operationId: op.id });
    assert.equal(failing.done, false, 'first report: error set, rollback in progress');
    assert.deepEqual({ code: failing.error?.code, message: failing.error?.message }, { code: 13, message: 'disk on fire' });
    assert.equal(failing.response, undefined);
    assert.equal(saNamed('doomed-op'), undefined, 'rolled back');
    const final = await c.operations.get({ operationId: op.id });
    assert.equal(final.done, true);
    assert.equal(final.error?.code, 13);
    assert.deepEqual(emu.state.operations().find((o) => o.id === op.id)?.error, { code: 'INTERNAL', message: 'disk on fire' });
    // The name is free again.
    await createSa('doomed-op');
  });

  it('operation-error on UpdateAccessBindings undoes exactly its own deltas', async () => {
    const before = emu.state.folderBindings(ids.folderId);
    emu.inject('FolderService/UpdateAccessBindings', { kind: 'operation-error', code: 'ABORTED' });
    const op = await c.folders.updateAccessBindings({
      resourceId: ids.folderId,
      accessBindingDeltas: [
        { action: AccessBindingAction.ADD, accessBinding: { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: ids.serviceAccountId } } },
        { action: AccessBindingAction.REMOVE, accessBinding: { roleId: 'editor', subject: { type: 'userAccount', id: ids.foreignUserId } } },
      ],
    });
    assert.equal(emu.state.folderBindings(ids.folderId).length, before.length, 'one added, one removed');
    assert.equal((await c.operations.get({ operationId: op.id })).error?.code, 10);
    assert.deepEqual(emu.state.folderBindings(ids.folderId), before);
  });

  it('inject refuses unknown methods and operation-error on methods without an Operation', () => {
    assert.throws(() => emu.inject('ServiceAccountService/Creat', { kind: 'error', code: 'UNAVAILABLE' }), /unknown method/);
    assert.throws(() => emu.inject('ApiKeyService/Create', { kind: 'operation-error', code: 'INTERNAL' }), /does not return an Operation/);
    assert.throws(() => emu.inject('OperationService/Get', { kind: 'operation-error', code: 'INTERNAL' }), /does not return an Operation/);
    assert.throws(() => emu.inject('ServiceAccountService/Get', { kind: 'error', code: 'INTERNAL', times: 0 }), /positive integer/);
  });

  it('delay: adds time to the next call only', async () => {
    emu.inject('ServiceAccountService/Get', { kind: 'delay', ms: 500 });
    let t0 = performance.now();
    await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
    assert.ok(performance.now() - t0 >= 490, 'delayed');
    t0 = performance.now();
    await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
    assert.ok(performance.now() - t0 < 490, 'not delayed');
  });

  it('a delay longer than the deadline gives DEADLINE_EXCEEDED on the client', async () => {
    emu.inject('ServiceAccountService/Get', { kind: 'delay', ms: 300 });
    await rejectsWith(c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId }, { deadline: 100 }), 'DEADLINE_EXCEEDED');
  });

  it('latency: setLatency applies to every call until reset', async () => {
    emu.setLatency(300);
    try {
      const t0 = performance.now();
      await c.serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
      await c.folders.get({ folderId: ids.folderId });
      assert.ok(performance.now() - t0 >= 590);
    } finally {
      emu.setLatency(0);
    }
    const t1 = performance.now();
    await c.folders.get({ folderId: ids.folderId });
    assert.ok(performance.now() - t1 < 290);
  });

  it('latencyMs at start-up works the same', async () => {
    const slow = await startEmulator({ latencyMs: 120 });
    try {
      const t0 = performance.now();
      await sdkClients(slow, 'x').endpoints.list({ pageSize: 0, pageToken: '' });
      assert.ok(performance.now() - t0 >= 115);
    } finally {
      await slow.stop();
    }
  });

  it('HTTP routes take faults too', async () => {
    emu.inject('HTTP GET /computeMetadata/v1/instance/service-accounts/default/token', { kind: 'error', code: 'UNAVAILABLE' });
    const url = `${emu.httpUrl}/computeMetadata/v1/instance/service-accounts/default/token`;
    const first = await fetch(url, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(first.status, 503);
    const second = await fetch(url, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(second.status, 200);
  });
});

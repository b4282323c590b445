/**
 * Lockbox through the real gateway (src/cloud/lockbox.ts) against the emulator, and the --to-lockbox
 * target on top of it: create-then-add-version, merge onto the base, idempotent replays, errors,
 * redaction; and `createKey` delivering to targets — a preflight that refuses changes nothing, a
 * refused write revokes the key and removes what the run made.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../src/cloud/connect.js';
import type { Connection, Credential } from '../../src/cloud/types.js';
import { createKey, type CreateKeyResult } from '../../src/core/create-key.js';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { preflightDelivery, type DeliveryReceipt } from '../../src/core/targets/index.js';
import { deliverToLockbox, preflightLockbox } from '../../src/core/targets/lockbox.js';
import { AuthError, NotFoundError, UsageError } from '../../src/errors.js';
import { secretFileContent } from '../../src/output/delivery.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret } from '../helpers/fakes.js';
const FAKE_1 = fakeApiKeySecret();
const FAKE_2 = fakeApiKeySecret();

const running: Emulator[] = [];
const connections: Connection[] = [];
after(async () => {
  for (const c of connections) c.gateway.close();
  await Promise.all(running.map((e) => e.stop()));
});

interface World {
  emu: Emulator;
  ids: DefaultIds;
  debug: string[];
  open(token?: string): Promise<Connection>;
}

async function world(): Promise<World> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, operationDelayMs: 10 });
  running.push(emu);
  const debug: string[] = [];
  return {
    emu,
    ids,
    debug,
    async open(token = ids.userIamToken) {
      const credential: Credential = { kind: 'iam-token', source: 'test', token };
      const c = await connect({
        endpoint: emu.endpoint,
        caPem: Buffer.from(emu.caPem),
        credential,
        debug: (l) => debug.push(l),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        now: () => new Date(),
        backoff: { baseMs: 1, maxMs: 4 },
        poll: { firstDelayMs: 5, maxDelayMs: 20 },
      });
      connections.push(c);
      return c;
    },
  };
}

const KEY = { secret: FAKE_1, apiKeyId: 'ajekey00000000000001', folderId: '' };

describe('gateway: Lockbox', () => {
  test('create, find by name, read, add a version onto the current one; payload values are redacted in debug output', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const created = await gateway.createSecret({ folderId: w.ids.folderId, name: 'ai-key', description: 'd', labels: { 'managed-by': 'aistudio-key' }, entries: { 'api-key-id': 'aje1', 'api-key': KEY.secret, 'other': 'kept' } });
    assert.match(created.secretId, /^e6q[a-z0-9]{17}$/);
    const found = await gateway.findSecretByName(w.ids.folderId, 'ai-key');
    assert.equal(found?.id, created.secretId);
    assert.equal(found?.currentVersionId, created.versionId);
    assert.equal(found?.status, 'ACTIVE');
    assert.deepEqual(found?.currentEntryKeys.sort(), ['api-key', 'api-key-id', 'other']);
    assert.equal(await gateway.findSecretByName(w.ids.folderId, 'no-such'), undefined);

    const { versionId } = await gateway.addSecretVersion({ secretId: created.secretId, baseVersionId: created.versionId, entries: { 'api-key-id': 'aje2', 'api-key': FAKE_2 } });
    const current = await gateway.getSecretPayload(created.secretId);
    assert.deepEqual(current, { versionId, entries: { 'api-key-id': 'aje2', 'api-key': FAKE_2, 'other': 'kept' } });
    assert.equal((await gateway.getSecretPayload(created.secretId, created.versionId)).entries['api-key-id'], 'aje1');
    assert.equal((await gateway.getSecret(created.secretId)).currentVersionId, versionId);

    const mutations = w.emu.mutations().filter((m) => m.method.startsWith('SecretService/'));
    assert.deepEqual(mutations.map((m) => m.method), ['SecretService/Create', 'SecretService/AddVersion']);
    for (const m of mutations) assert.match(m.metadata['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/, 'operations carry an idempotency key');
    assert.ok(w.debug.length > 0);
    for (const line of w.debug) assert.ok(!line.includes('AQVN'), `no secret in debug: ${line}`);
  });

  test('a lost answer on AddVersion is replayed with the same idempotency key: one version, not two', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const { secretId } = await gateway.createSecret({ folderId: w.ids.folderId, name: 's', description: '', labels: {}, entries: { a: '1' } });
    w.emu.inject('SecretService/AddVersion', { kind: 'lost-answer' });
    await gateway.addSecretVersion({ secretId, baseVersionId: undefined, entries: { a: '2' } });
    const calls = w.emu.calls('SecretService/AddVersion');
    assert.equal(calls.length, 2);
    assert.equal(calls[0]?.metadata['idempotency-key'], calls[1]?.metadata['idempotency-key']);
    assert.equal(w.emu.state.operations().filter((o) => o.method === 'SecretService/AddVersion').length, 1, 'one version added');
  });

  test('errors: unknown secret → NotFoundError, reading a payload without lockbox.payloadViewer → AuthError naming the role', async () => {
    const w = await world();
    const admin = await w.open();
    const { secretId } = await admin.gateway.createSecret({ folderId: w.ids.folderId, name: 's', description: '', labels: {}, entries: { a: '1' } });
    await assert.rejects(admin.gateway.getSecret('e6qnosuchsecret00000'), NotFoundError);
    const viewer = await w.open(w.ids.viewerIamToken);
    assert.equal((await viewer.gateway.getSecret(secretId)).id, secretId, 'a viewer may read the metadata');
    await assert.rejects(viewer.gateway.getSecretPayload(secretId), (e: unknown) => e instanceof AuthError && /lockbox\.payloadViewer/.test(e.message + e.hints.join(' ')));
    await assert.rejects(viewer.gateway.addSecretVersion({ secretId, baseVersionId: undefined, entries: { a: '2' } }), AuthError);
  });
});

describe('--to-lockbox target', () => {
  test('creates the secret the first time, adds a version onto it the next, keeping other entries', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const request = { ref: 'ci-ai-key', folderId: w.ids.folderId };
    const first = await preflightLockbox(gateway, request);
    assert.equal(first.kind, 'create');
    assert.equal(w.emu.mutations().length, 0, 'the preflight changes nothing');
    const r1 = (await deliverToLockbox(gateway, first, KEY)).receipt;
    assert.ok(r1.target === 'lockbox' && r1.createdSecret);
    const secret = w.emu.state.lockboxSecrets().find((s) => s.name === 'ci-ai-key');
    assert.deepEqual(secret?.payload, { 'api-key-id': KEY.apiKeyId, 'api-key': KEY.secret });
    assert.deepEqual(secret && (await gateway.getSecret(secret.id)).labels, { 'managed-by': 'aistudio-key' });

    // Someone adds an entry of their own; the next delivery keeps it.
    await gateway.addSecretVersion({ secretId: secret?.id ?? '', baseVersionId: undefined, entries: { note: 'mine' } });
    const second = await preflightLockbox(gateway, { ref: secret?.id ?? '', folderId: w.ids.otherFolderId });
    assert.equal(second.kind, 'add-version', 'found by ID, whatever the folder');
    const key2 = { ...KEY, secret: FAKE_2, apiKeyId: 'ajekey00000000000002' };
    const r2 = (await deliverToLockbox(gateway, second, key2)).receipt;
    assert.ok(r2.target === 'lockbox' && !r2.createdSecret && r2.secretId === secret?.id);
    assert.deepEqual(w.emu.state.lockboxSecrets().find((s) => s.id === secret?.id)?.payload, { 'api-key-id': key2.apiKeyId, 'api-key': key2.secret, 'note': 'mine' });
    assert.deepEqual(w.emu.mutations().map((m) => m.method), ['SecretService/Create', 'SecretService/AddVersion', 'SecretService/AddVersion']);
  });

  test('preflight: an unknown ID is NotFound (never created under an ID-shaped name), a bad ref a UsageError', async () => {
    const w = await world();
    const { gateway } = await w.open();
    await assert.rejects(preflightLockbox(gateway, { ref: 'e6qnosuchsecret00000', folderId: w.ids.folderId }), (e: unknown) => e instanceof NotFoundError && /name it/.test(e.hints.join(' ')));
    await assert.rejects(preflightLockbox(gateway, { ref: 'x'.repeat(101), folderId: w.ids.folderId }), UsageError);
    await assert.rejects(preflightLockbox(gateway, { ref: 'a\nb', folderId: w.ids.folderId }), UsageError);
    assert.equal(w.emu.mutations().length, 0);
  });
});

describe('createKey delivering to targets (the wiring `create` will get)', () => {
  const input = (folderId: string) => ({ folderId, name: 'ci-target', description: 'd', roles: [...PRESET_ROLES], scopes: [...PRESET_SCOPES], expiresAt: undefined });

  test('--out-file that exists: refused at preflight, before any call that changes the cloud', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const path = join(tempDir(), 'key.env');
    writeFileSync(path, 'keep me');
    await assert.rejects(
      preflightDelivery<CreateKeyResult>(
        { keyOf: (r) => ({ secret: r.secret, apiKeyId: r.apiKey.id, folderId: r.serviceAccount.folderId }), outFile: { path, force: false, format: 'env', render: (r) => secretFileContent('env', r) } },
        { env: {}, randomInt: () => 0, writeCommand: async () => undefined, gateway },
      ),
      /already exists; pass --force/,
    );
    assert.deepEqual(w.emu.mutations(), []);
    assert.equal(w.emu.state.serviceAccounts().filter((s) => s.name === 'ci-target').length, 0, 'no account created');
  });

  test('a Lockbox write refused after the key was issued: the key is revoked, the account and its roles removed, the file target undone', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const dir = tempDir();
    const path = join(dir, 'key.json');
    const prepared = await preflightDelivery<CreateKeyResult>(
      {
        keyOf: (r) => ({ secret: r.secret, apiKeyId: r.apiKey.id, folderId: r.serviceAccount.folderId }),
        outFile: { path, force: false, format: 'json', render: (r) => secretFileContent('json', r) },
        lockbox: { ref: 'ci-ai-key', folderId: w.ids.folderId },
      },
      { env: {}, randomInt: (m) => Math.floor(Math.random() * m), writeCommand: async () => undefined, gateway },
    );
    assert.deepEqual(prepared.targets, ['file', 'lockbox']);
    const bindingsBefore = w.emu.state.folderBindings(w.ids.folderId).length;
    w.emu.inject('SecretService/Create', { kind: 'error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
    let receipts: DeliveryReceipt[] = [];
    await assert.rejects(
      createKey(gateway, input(w.ids.folderId), { runId: 'testrun001', deliver: async (r) => void (receipts = await prepared.deliver(r)) }),
      (e: unknown) => e instanceof AuthError && /revoked/.test(e.hints.join(' ')),
    );
    assert.deepEqual(receipts, []);
    assert.equal(w.emu.state.apiKeys().length, 0, 'the key is revoked');
    assert.equal(w.emu.state.serviceAccounts().filter((s) => s.name === 'ci-target').length, 0, 'the account is gone');
    assert.equal(w.emu.state.folderBindings(w.ids.folderId).length, bindingsBefore, 'its roles are gone');
    assert.deepEqual(w.emu.state.lockboxSecrets(), []);
    assert.deepEqual(readdirSync(dir), [], 'the file written before is removed, no temporary file left');
  });

  test('all good: file and Lockbox both hold the key, and nothing else was made', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const path = join(tempDir(), 'key.env');
    const prepared = await preflightDelivery<CreateKeyResult>(
      {
        keyOf: (r) => ({ secret: r.secret, apiKeyId: r.apiKey.id, folderId: r.serviceAccount.folderId }),
        outFile: { path, force: false, format: 'dotenv', render: (r) => secretFileContent('dotenv', r) },
        lockbox: { ref: 'ci-ai-key', folderId: w.ids.otherFolderId },
      },
      { env: {}, randomInt: (m) => Math.floor(Math.random() * m), writeCommand: async () => undefined, gateway },
    );
    let receipts: DeliveryReceipt[] = [];
    const result = await createKey(gateway, input(w.ids.folderId), { runId: 'testrun002', deliver: async (r) => void (receipts = await prepared.deliver(r)) });
    assert.match(readFileSync(path, 'utf8'), new RegExp(`^YC_API_KEY=${result.secret}$`, 'm'));
    const secret = w.emu.state.lockboxSecrets()[0];
    assert.equal(secret?.folderId, w.ids.otherFolderId);
    assert.deepEqual(secret?.payload, { 'api-key-id': result.apiKey.id, 'api-key': result.secret });
    assert.deepEqual(receipts.map((r) => r.target), ['file', 'lockbox']);
  });
});

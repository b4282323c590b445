/**
 * The `ensure` protocol step by step on the in-memory gateway, with another writer slipped in at
 * each point a concurrent run could write (held calls make the interleaving exact): before our
 * write, between our write and its check, and while the previous key is being revoked. Also a
 * write whose answer was lost but which landed, an ambiguous key call, a failed revoke, an abort.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AmbiguousOutcomeError } from '../../src/cloud/errors.js';
import { ensureKey, type EnsureInput, type EnsureResult } from '../../src/core/ensure.js';
import { PRESET_ROLES } from '../../src/core/preset.js';
import { AuthError, CloudError, InterruptedError } from '../../src/errors.js';
import { FakeGateway, FOLDER_ID } from '../helpers/fake-gateway.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-27T12:00:00Z');

interface Seeded {
  gw: FakeGateway;
  saId: string;
  oldKeyId: string;
  secretId: string;
  versionId: string;
}

/** An account with its roles, a key expiring in 5 days, and the secret holding it. */
async function seeded(): Promise<Seeded> {
  const gw = new FakeGateway();
  const sa = await gw.createServiceAccount({ folderId: FOLDER_ID, name: 'ci-ai', description: '', labels: { 'managed-by': 'aistudio-key' } });
  await gw.addFolderAccessBindings(FOLDER_ID, PRESET_ROLES.map((roleId) => ({ roleId, subject: { type: 'serviceAccount', id: sa.id } })));
  const key = await gw.createApiKey({ serviceAccountId: sa.id, description: 'old', scopes: ['yc.ai.languageModels.execute'], expiresAt: new Date(NOW.getTime() + 5 * DAY) });
  const { secretId, versionId } = await gw.createSecret({ folderId: FOLDER_ID, name: 'ai-key', description: '', labels: {}, entries: { 'api-key-id': key.apiKey.id, 'api-key': key.secret } });
  gw.calls.length = 0;
  gw.log.length = 0;
  return { gw, saId: sa.id, oldKeyId: key.apiKey.id, secretId, versionId };
}

function input(over: Partial<EnsureInput> = {}): EnsureInput {
  return {
    folderId: FOLDER_ID,
    serviceAccountName: 'ci-ai',
    adopt: false,
    lockbox: { ref: 'ai-key', folderId: FOLDER_ID },
    rotateBeforeMs: 14 * DAY,
    description: 'ci key',
    roles: PRESET_ROLES,
    scopes: ['yc.ai.languageModels.execute'],
    expiresAt: new Date(NOW.getTime() + 90 * DAY),
    now: NOW,
    ...over,
  };
}

/** Another run's write: a version based on the current one, with a key of its own. */
async function otherWrite(s: Seeded): Promise<string> {
  const theirs = await s.gw.createApiKey({ serviceAccountId: s.saId, description: 'theirs', scopes: ['x'], expiresAt: undefined });
  await s.gw.addSecretVersion({ secretId: s.secretId, baseVersionId: undefined, entries: { 'api-key-id': theirs.apiKey.id, 'api-key': theirs.secret } });
  return theirs.apiKey.id;
}

function live(s: Seeded): string[] {
  return [...s.gw.apiKeys.keys()].sort();
}

test('rotation: write based on the version read, verify, revoke the previous key', async () => {
  const s = await seeded();
  const r = await ensureKey(s.gw, input(), { runId: 'run1' });
  assert.equal(r.status, 'rotated');
  const add = s.gw.callsOf('addSecretVersion')[0]?.args[0] as { baseVersionId: string };
  assert.equal(add.baseVersionId, s.versionId);
  assert.deepEqual(s.gw.log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6)), [
    'findSecretByName', 'findServiceAccountByName', 'getSecretPayload', 'getApiKey', 'listFolderAccessBindings', 'createApiKey',
    'getSecret', 'addSecretVersion', 'getSecret', 'deleteApiKey', 'getSecret',
  ]);
  assert.ok(r.status === 'rotated' && r.previousKey?.outcome === 'revoked');
  assert.deepEqual(live(s), [r.status === 'rotated' ? r.apiKey.id : '']);
});

test('another run writes before ours: we see it in the pre-write read, revoke our key, and leave theirs and the old key alone', async () => {
  const s = await seeded();
  const gate = s.gw.hold('createApiKey');
  const run = ensureKey(s.gw, input());
  await gate.entered;
  const theirs = await otherWrite(s);
  gate.release();
  const r = await run;
  assert.equal(r.status, 'superseded');
  assert.equal(s.gw.callsOf('addSecretVersion').length, 1, 'only their write');
  assert.deepEqual(live(s), [s.oldKeyId, theirs].sort(), 'the winner revokes the old key, not us');
});

test('another run writes between our write and its check: we revoke our own key', async () => {
  const s = await seeded();
  const preWrite = s.gw.hold('getSecret');
  const verify = s.gw.hold('getSecret');
  const run = ensureKey(s.gw, input());
  await preWrite.entered;
  preWrite.release();
  await verify.entered;
  const theirs = await otherWrite(s);
  verify.release();
  const r: EnsureResult = await run;
  assert.equal(r.status, 'superseded');
  assert.deepEqual(live(s), [s.oldKeyId, theirs].sort());
  assert.equal(s.gw.secrets.get(s.secretId)?.versions.at(-1)?.entries['api-key-id'], theirs);
});

test('another run writes while we revoke the previous key: the last check catches it and we revoke ours', async () => {
  const s = await seeded();
  const revoke = s.gw.hold('deleteApiKey');
  const run = ensureKey(s.gw, input());
  await revoke.entered;
  const theirs = await otherWrite(s);
  revoke.release();
  const r = await run;
  assert.equal(r.status, 'superseded');
  assert.deepEqual(live(s), [theirs], 'one live key: the one the secret holds');
});

test('a write whose answer was lost but which landed is recognised, not rolled back', async () => {
  const s = await seeded();
  s.gw.fail('addSecretVersion', () => new CloudError('connection reset', { status: 'UNAVAILABLE' }), { afterWork: true });
  const r = await ensureKey(s.gw, input());
  assert.equal(r.status, 'rotated');
  assert.deepEqual(live(s), [r.status === 'rotated' ? r.apiKey.id : '']);
});

test('an ambiguous key call: keys with this run\'s marker are deleted and the key issued once more', async () => {
  const s = await seeded();
  s.gw.fail('createApiKey', () => new AmbiguousOutcomeError('maybe', { status: 'UNAVAILABLE' }), { afterWork: true });
  const r = await ensureKey(s.gw, input(), { runId: 'runamb' });
  assert.equal(r.status, 'rotated');
  assert.equal(s.gw.callsOf('createApiKey').length, 2);
  assert.deepEqual(live(s), [r.status === 'rotated' ? r.apiKey.id : '']);
});

test('the previous key cannot be revoked: an error saying the secret holds the new key and which key is still live', async () => {
  const s = await seeded();
  s.gw.fail('deleteApiKey', () => new AuthError('Permission denied', { code: 'permission_denied' }));
  await assert.rejects(ensureKey(s.gw, input()), (e: unknown) => e instanceof AuthError && new RegExp(`previous key ${s.oldKeyId} may still be live`).test(e.hints.join(' ')));
  assert.equal(live(s).length, 2);
});

test('aborted after the key was issued: the key is revoked, the existing account and the secret untouched', async () => {
  const s = await seeded();
  const controller = new AbortController();
  const gate = s.gw.hold('createApiKey');
  const run = ensureKey(s.gw, input(), { signal: controller.signal });
  await gate.entered;
  controller.abort(new InterruptedError('Interrupted (SIGINT).'));
  gate.release();
  await assert.rejects(run, (e: unknown) => e instanceof InterruptedError && /Cleaned up what this run created: API key/.test(e.hints.join(' ')));
  assert.deepEqual(live(s), [s.oldKeyId]);
  assert.equal(s.gw.callsOf('addSecretVersion').length, 0);
  assert.equal(s.gw.callsOf('deleteServiceAccount').length, 0);
});

test('up to date: reads only', async () => {
  const s = await seeded();
  const r = await ensureKey(s.gw, input({ rotateBeforeMs: 2 * DAY }));
  assert.equal(r.status, 'up-to-date');
  assert.deepEqual(s.gw.mutations(), []);
});

test('someone edits another entry of the secret meanwhile: not a concurrent rotation, the run goes on', async () => {
  const s = await seeded();
  const edit = (): Promise<{ versionId: string }> => s.gw.addSecretVersion({ secretId: s.secretId, baseVersionId: undefined, entries: { note: 'edited' } });
  // Before our write: we base on their edit.
  const gate = s.gw.hold('createApiKey');
  const run = ensureKey(s.gw, input());
  await gate.entered;
  const edited = await edit();
  gate.release();
  const r = await run;
  assert.equal(r.status, 'rotated');
  assert.equal((s.gw.callsOf('addSecretVersion').at(-1)?.args[0] as { baseVersionId: string }).baseVersionId, edited.versionId);
  assert.equal(s.gw.secrets.get(s.secretId)?.versions.at(-1)?.entries['note'], 'edited');

  // After our write, on top of it: still our key in the secret, so still ours.
  const s2 = await seeded();
  const verify = s2.gw.hold('getSecret');
  const verify2 = s2.gw.hold('getSecret');
  const run2 = ensureKey(s2.gw, input());
  await verify.entered;
  verify.release();
  await verify2.entered;
  await s2.gw.addSecretVersion({ secretId: s2.secretId, baseVersionId: undefined, entries: { note: 'edited' } });
  verify2.release();
  const r2 = await run2;
  assert.equal(r2.status, 'rotated');
  assert.deepEqual(live(s2), [r2.status === 'rotated' ? r2.apiKey.id : '']);
});

test('an api-key-id entry that is not ID-shaped names no key: the key is rotated, the value never used as an ID', async () => {
  const s = await seeded();
  await s.gw.addSecretVersion({ secretId: s.secretId, baseVersionId: undefined, entries: { 'api-key-id': 'aje1\n$(touch pwned)' } });
  s.gw.calls.length = 0;
  const r = await ensureKey(s.gw, input());
  assert.equal(r.status, 'rotated');
  assert.equal(r.status === 'rotated' ? r.reason : undefined, 'no-key-in-secret');
  assert.deepEqual(s.gw.callsOf('getApiKey'), [], 'the crafted value was not looked up');
});

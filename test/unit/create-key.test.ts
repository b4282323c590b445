import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKey, keyDescription, planCreateKey, type CreateKeyEvent, type CreateKeyInput } from '../../src/core/create-key.js';
import { hasRunMarker, runMarker } from '../../src/core/run-marker.js';
import { createKeys } from '../../src/core/create-keys.js';
import { DeliveryError } from '../../src/core/delivery.js';
import { AmbiguousOutcomeError, markStartedOperation } from '../../src/cloud/errors.js';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { AlreadyExistsError, AuthError, CloudError, InterruptedError, NotFoundError, UsageError } from '../../src/errors.js';
import { FakeGateway, FOLDER_ID, FOREIGN_BINDING } from '../helpers/fake-gateway.js';

const EXPIRES = new Date('2027-02-25T12:00:00Z');

function input(over: Partial<CreateKeyInput> = {}): CreateKeyInput {
  return {
    folderId: FOLDER_ID,
    name: 'aistudio-test',
    description: 'for tests',
    roles: PRESET_ROLES,
    scopes: PRESET_SCOPES,
    expiresAt: EXPIRES,
    ...over,
  };
}

/** Rejects if `p` does not settle within ms: a sequential implementation would hang the parallel tests. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const unavailable = (): Error => new CloudError('ServiceUnavailable', { status: 'UNAVAILABLE' });
const denied = (): Error => new AuthError('Permission denied', { code: 'permission_denied' });

test('creates a labelled account, binds all roles in one ADD call and issues a key with the scopes and expiry', async () => {
  const gw = new FakeGateway();
  const result = await createKey(gw, input());

  assert.equal(gw.callsOf('createServiceAccount').length, 1);
  const [saInput] = gw.callsOf('createServiceAccount')[0]?.args as [{ name: string; labels: Record<string, string>; description: string }];
  assert.equal(saInput.name, 'aistudio-test');
  assert.equal(saInput.description, 'for tests');
  assert.deepEqual(saInput.labels, { 'managed-by': 'aistudio-key' });

  const bindCalls = gw.callsOf('addFolderAccessBindings');
  assert.equal(bindCalls.length, 1, 'one UpdateAccessBindings call');
  const [folderId, bindings] = bindCalls[0]?.args as [string, Array<{ roleId: string; subject: { type: string; id: string } }>];
  assert.equal(folderId, FOLDER_ID);
  assert.deepEqual(bindings.map((b) => b.roleId), [...PRESET_ROLES]);
  for (const b of bindings) assert.deepEqual(b.subject, { type: 'serviceAccount', id: result.serviceAccount.id });

  const [keyInput] = gw.callsOf('createApiKey')[0]?.args as [{ scopes: string[]; expiresAt: Date; description: string; serviceAccountId: string }];
  assert.deepEqual(keyInput.scopes, [...PRESET_SCOPES]);
  assert.equal(keyInput.expiresAt.toISOString(), EXPIRES.toISOString());
  assert.equal(keyInput.description, 'for tests');
  assert.equal(keyInput.serviceAccountId, result.serviceAccount.id);

  assert.match(result.secret, /^AQVN/);
  assert.equal(result.apiKey.serviceAccountId, result.serviceAccount.id);
  assert.deepEqual(result.roles, [...PRESET_ROLES]);
  assert.ok(gw.folders.get(FOLDER_ID)?.bindings.some((b) => b.subject.id === FOREIGN_BINDING.subject.id), 'foreign binding kept');
  assert.equal(gw.bindingsOf(FOLDER_ID, result.serviceAccount.id).length, PRESET_ROLES.length);
});

test('role binding and key creation run in parallel once the account exists', async () => {
  const gw = new FakeGateway();
  const bind = gw.hold('addFolderAccessBindings');
  const key = gw.hold('createApiKey');
  const run = createKey(gw, input());
  await within(Promise.all([bind.entered, key.entered]), 2000, 'both calls to start');
  assert.ok(!gw.log.includes('end addFolderAccessBindings') && !gw.log.includes('end createApiKey'), 'neither finished before both started');
  assert.ok(gw.log.indexOf('end createServiceAccount') < gw.log.indexOf('start addFolderAccessBindings'), 'account first');
  bind.release();
  key.release();
  const result = await run;
  assert.match(result.secret, /^AQVN/);
});

test('rollback after key failure: bindings this run added and the account are removed; the error says so', async () => {
  const gw = new FakeGateway();
  gw.fail('createApiKey', denied);
  const err = await createKey(gw, input()).then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuthError);
  assert.equal(gw.serviceAccounts.size, 0, 'no account left');
  assert.equal(gw.apiKeys.size, 0, 'no key left');
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING], 'only the foreign binding remains');
  const removed = gw.callsOf('removeFolderAccessBindings');
  assert.equal(removed.length, 1);
  assert.equal((removed[0]?.args[1] as unknown[]).length, PRESET_ROLES.length);
  assert.equal(gw.callsOf('deleteApiKey').length, 0, 'no key to delete');
  assert.ok(err.hints.some((h) => h.startsWith('Cleaned up what this run created:') && h.includes('service account aistudio-test') && h.includes('5 role bindings')));
  assert.ok(gw.log.indexOf('end removeFolderAccessBindings') < gw.log.indexOf('start deleteServiceAccount'), 'bindings go before the account');
});

test('rollback after binding failure: the issued key and the account are removed', async () => {
  const gw = new FakeGateway();
  gw.fail('addFolderAccessBindings', denied);
  const err = await createKey(gw, input()).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.equal(gw.apiKeys.size, 0);
  assert.equal(gw.callsOf('deleteApiKey').length, 1, 'the key is deleted explicitly');
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
  assert.ok(err.hints.some((h) => h.includes('API key ajk')));
});

test('a binding call that failed after doing its work: the bindings it left are found and removed', async () => {
  const gw = new FakeGateway();
  gw.fail('addFolderAccessBindings', unavailable, { afterWork: true });
  const err = await createKey(gw, input()).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  assert.equal(gw.callsOf('listFolderAccessBindings').length, 2, 'looked for what the lost call did, then confirmed the removal');
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING], 'nothing of ours left, foreign binding kept');
  assert.equal(gw.serviceAccounts.size, 0);
});

test('clean-up waits for the call still in flight before undoing anything', async () => {
  const gw = new FakeGateway();
  const bind = gw.hold('addFolderAccessBindings');
  gw.fail('createApiKey', unavailable);
  const run = createKey(gw, input()).catch((e: unknown) => e);
  await within(bind.entered, 2000, 'binding call');
  // Give the failed key call every chance to trigger an early rollback.
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(gw.callsOf('deleteServiceAccount').length, 0, 'no clean-up while bindings are in flight');
  bind.release();
  const err = await run;
  assert.ok(err instanceof CloudError);
  const removed = gw.callsOf('removeFolderAccessBindings')[0]?.args[1] as Array<{ roleId: string }>;
  assert.deepEqual(removed.map((b) => b.roleId), [...PRESET_ROLES], 'the effective bindings of the settled call are removed');
  assert.equal(gw.serviceAccounts.size, 0);
});

test('a new account: every binding this run asked for is its to remove, even when the answer reports fewer effective deltas', async () => {
  // A repeated call that the service did not recognise as a repeat (idempotency key ignored) reports
  // the roles its lost first attempt added as no-ops; nobody else can have bound a brand-new account.
  const gw = new FakeGateway();
  const original = gw.addFolderAccessBindings.bind(gw);
  gw.addFolderAccessBindings = async (folderId, bindings, opts) => (await original(folderId, bindings, opts)).slice(0, 2);
  gw.fail('createApiKey', unavailable);
  await createKey(gw, input()).catch(() => undefined);
  const removed = gw.callsOf('removeFolderAccessBindings')[0]?.args[1] as Array<{ roleId: string }>;
  assert.deepEqual(removed.map((b) => b.roleId), [...PRESET_ROLES]);
});

test('when clean-up itself fails, the error lists what is left and how to remove it', async () => {
  const gw = new FakeGateway();
  gw.fail('createApiKey', unavailable);
  gw.fail('deleteServiceAccount', unavailable);
  const err = await createKey(gw, input()).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  const left = err.hints.find((h) => h.startsWith('Could not clean up:'));
  assert.ok(left, 'lists what is left');
  assert.match(left, /service account aistudio-test \(aje\w+\).*yc iam service-account delete aje/);
});

test('abort while the account is being created: waits for it, deletes it, throws InterruptedError', async () => {
  const gw = new FakeGateway();
  const sa = gw.hold('createServiceAccount');
  const controller = new AbortController();
  const run = createKey(gw, input(), { signal: controller.signal }).catch((e: unknown) => e);
  await sa.entered;
  controller.abort();
  sa.release();
  const err = await run;
  assert.ok(err instanceof InterruptedError);
  assert.equal(gw.callsOf('addFolderAccessBindings').length, 0, 'no new work after the abort');
  assert.equal(gw.callsOf('createApiKey').length, 0);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.ok(err.hints.some((h) => h.includes('service account aistudio-test')));
});

test('abort during the parallel step: both calls settle, then everything is removed; the reason is thrown', async () => {
  const gw = new FakeGateway();
  const key = gw.hold('createApiKey');
  const controller = new AbortController();
  const reason = new CloudError('Gave up after --timeout 1s.', { status: 'DEADLINE_EXCEEDED' });
  const run = createKey(gw, input(), { signal: controller.signal }).catch((e: unknown) => e);
  await key.entered;
  controller.abort(reason);
  key.release();
  const err = await run;
  assert.equal(err, reason);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.equal(gw.apiKeys.size, 0);
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
});

test('mutating calls never get the abort signal (an abandoned call would leave an unknown resource)', async () => {
  const gw = new FakeGateway();
  await createKey(gw, input(), { signal: new AbortController().signal });
  for (const c of gw.mutations()) assert.equal(c.signal, undefined, c.method);
});

test('an already aborted signal changes nothing', async () => {
  const gw = new FakeGateway();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(createKey(gw, input(), { signal: controller.signal }), InterruptedError);
  assert.equal(gw.calls.length, 0);
});

test('a generated name that is taken is replaced; a given name that is taken is an error naming --name', async () => {
  const gw = new FakeGateway();
  gw.fail('createServiceAccount', () => new AlreadyExistsError('exists', { status: 'ALREADY_EXISTS' }));
  const result = await createKey(gw, input(), { newName: () => 'aistudio-other' });
  assert.equal(result.serviceAccount.name, 'aistudio-other');

  const gw2 = new FakeGateway();
  gw2.fail('createServiceAccount', () => new AlreadyExistsError('exists', { status: 'ALREADY_EXISTS' }));
  const err = await createKey(gw2, input()).catch((e: unknown) => e);
  assert.ok(err instanceof AlreadyExistsError);
  assert.match(err.message, /^--name: a service account named "aistudio-test" already exists/);
  assert.equal(gw2.mutations().length, 1, 'nothing else attempted');
});

test('an empty scope list is refused before any call', async () => {
  const gw = new FakeGateway();
  await assert.rejects(createKey(gw, input({ scopes: [] })), UsageError);
  assert.equal(gw.calls.length, 0);
});

test('reports each resource as created and as removed', async () => {
  const gw = new FakeGateway();
  gw.fail('createApiKey', unavailable);
  const events: CreateKeyEvent[] = [];
  await createKey(gw, input(), { onEvent: (e) => events.push(e) }).catch(() => undefined);
  const kinds = events.flatMap((e) => (e.type === 'step' ? [`step:${e.step}`] : e.type === 'created' || e.type === 'removed' ? [`${e.type}:${e.resource.kind}`] : []));
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'starting' ? [`starting:${e.resource.kind}`] : e.type === 'not-created' ? [`not-created:${e.kind}`] : [])),
    ['starting:service-account', 'starting:role-bindings', 'starting:api-key', 'not-created:api-key'],
    'what may exist is announced before each call; a call that surely made nothing says so',
  );
  assert.deepEqual(kinds, [
    'step:create-service-account',
    'created:service-account',
    'step:grant-roles-and-issue-key',
    'created:role-bindings',
    'step:clean-up',
    'removed:role-bindings',
    'removed:service-account',
  ]);
});

test('the secret appears in no error or hint', async () => {
  const gw = new FakeGateway();
  gw.fail('addFolderAccessBindings', unavailable);
  const err = await createKey(gw, input()).then(
    () => assert.fail('should fail'),
    (e: unknown) => e as CloudError,
  );
  assert.equal(gw.callsOf('createApiKey').length, 1, 'a secret was issued before the failure');
  const text = [err.message, ...err.hints].join('\n');
  assert.doesNotMatch(text, /AQVN/);
});

test('dry run reads the folder, its bindings and the name, and changes nothing', async () => {
  const gw = new FakeGateway();
  const plan = await planCreateKey(gw, input(), { id: FOLDER_ID, name: undefined, cloudId: undefined });
  assert.equal(gw.mutations().length, 0);
  assert.deepEqual(gw.calls.map((c) => c.method).sort(), ['findServiceAccountByName', 'getFolder', 'listFolderAccessBindings']);
  assert.equal(plan.folder.name, 'default');
  assert.equal(plan.existingBindings, 1);
  assert.deepEqual(plan.serviceAccount.labels, { 'managed-by': 'aistudio-key' });
  assert.deepEqual(plan.apiKey.scopes, [...PRESET_SCOPES]);
});

test('dry run fails with a usage error when the name is taken in the folder', async () => {
  const gw = new FakeGateway();
  await createKey(gw, input());
  await assert.rejects(planCreateKey(gw, input(), { id: FOLDER_ID, name: undefined, cloudId: undefined }), (e: unknown) => e instanceof UsageError && /^--name: /.test(e.message));
});

test('dry run surfaces a folder the caller cannot see', async () => {
  const gw = new FakeGateway();
  await assert.rejects(planCreateKey(gw, input({ folderId: 'b1gmissing0000000000' }), { id: 'b1gmissing0000000000', name: undefined, cloudId: undefined }), NotFoundError);
});

test('a listener that throws after the key is issued still leaves nothing behind', async () => {
  const gw = new FakeGateway();
  const err = await createKey(gw, input(), {
    onEvent: (e) => {
      if (e.type === 'created' && e.resource.kind === 'api-key') throw new Error('listener bug');
    },
  }).catch((e: unknown) => e);
  assert.ok(err instanceof Error);
  assert.equal(gw.callsOf('deleteApiKey').length, 1, 'the issued key is deleted explicitly');
  assert.equal(gw.serviceAccounts.size, 0);
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
});

// ---- issue #7: the run marker, ambiguous key creation, an unconfirmed account, delivery ----------

const ambiguous = (): Error => new AmbiguousOutcomeError('The cloud did not confirm whether it managed to create an API key (UNAVAILABLE); it may have done so.', { status: 'UNAVAILABLE' });

test('the key carries the run marker after the description; a long description is cut so the marker fits in 256', () => {
  assert.equal(runMarker('abc123xyz0'), '[aistudio-key run abc123xyz0]');
  assert.equal(keyDescription('CI key', 'abc123xyz0'), 'CI key [aistudio-key run abc123xyz0]');
  assert.equal(keyDescription('', 'abc123xyz0'), '[aistudio-key run abc123xyz0]');
  assert.equal(keyDescription('CI key', undefined), 'CI key', 'no run id: the description as given');
  const long = keyDescription('x'.repeat(256), 'abc123xyz0');
  assert.equal(long.length, 256);
  assert.match(long, /^x+… \[aistudio-key run abc123xyz0\]$/);
  assert.ok(hasRunMarker(long, 'abc123xyz0') && !hasRunMarker(long, 'other00000'));
  const fits = 'y'.repeat(256 - ' [aistudio-key run abc123xyz0]'.length);
  assert.equal(keyDescription(fits, 'abc123xyz0'), `${fits} [aistudio-key run abc123xyz0]`, 'kept whole when it fits');
});

test('an ambiguous key failure: the key it made is found by the run marker, deleted, and the call tried once more', async () => {
  const gw = new FakeGateway();
  gw.fail('createApiKey', ambiguous, { afterWork: true });
  const events: CreateKeyEvent[] = [];
  const result = await createKey(gw, input(), { runId: 'run0000001', onEvent: (e) => events.push(e) });
  assert.equal(gw.callsOf('createApiKey').length, 2);
  assert.equal(gw.callsOf('listApiKeys').length, 1);
  assert.equal(gw.callsOf('deleteApiKey').length, 1, 'the orphan, whose secret was lost');
  assert.deepEqual([...gw.apiKeys.keys()], [result.apiKey.id], 'exactly one key: the one whose secret is returned');
  assert.equal(gw.apiKeys.get(result.apiKey.id)?.secret, result.secret);
  assert.equal(result.apiKey.description, 'for tests [aistudio-key run run0000001]');
  assert.ok(events.some((e) => e.type === 'note' && /deleted API key/.test(e.text)));
});

test('an ambiguous failure deletes only keys with this run\'s marker; ambiguous failures beyond --retries roll everything back', async () => {
  const gw = new FakeGateway();
  gw.retries = 1;
  gw.fail('createApiKey', ambiguous, { afterWork: true, times: 2 });
  // A key of the same account from another run (cannot happen with a fresh account, but the marker decides).
  const original = gw.listApiKeys.bind(gw);
  gw.listApiKeys = async (id, opts) => [...(await original(id, opts)), { id: 'ajkforeign', serviceAccountId: id, description: 'x [aistudio-key run other00000]', scopes: [], createdAt: undefined, expiresAt: undefined, lastUsedAt: undefined }];
  const err = await createKey(gw, input(), { runId: 'run0000001' }).catch((e: unknown) => e);
  assert.ok(err instanceof AmbiguousOutcomeError);
  assert.deepEqual(gw.callsOf('deleteApiKey').map((c) => c.args[0]), [gw.callsOf('deleteApiKey')[0]?.args[0]], 'one delete, of our orphan');
  assert.notEqual(gw.callsOf('deleteApiKey')[0]?.args[0], 'ajkforeign');
  assert.equal(gw.callsOf('createApiKey').length, 2, '1 + retries attempts, not more');
  assert.equal(gw.serviceAccounts.size, 0, 'the account, and with it the second orphan, is gone');
  assert.equal(gw.apiKeys.size, 0);
});

test('without a run id an ambiguous key failure is not retried', async () => {
  const gw = new FakeGateway();
  gw.fail('createApiKey', ambiguous, { afterWork: true });
  await assert.rejects(createKey(gw, input()), AmbiguousOutcomeError);
  assert.equal(gw.callsOf('createApiKey').length, 1);
  assert.equal(gw.serviceAccounts.size, 0);
});

test('after an abort an ambiguous key failure is not retried', async () => {
  const gw = new FakeGateway();
  const key = gw.hold('createApiKey');
  gw.fail('createApiKey', ambiguous, { afterWork: true });
  const controller = new AbortController();
  const run = createKey(gw, input(), { runId: 'run0000001', signal: controller.signal }).catch((e: unknown) => e);
  await key.entered;
  controller.abort();
  key.release();
  assert.ok((await run) instanceof InterruptedError);
  assert.equal(gw.callsOf('createApiKey').length, 1);
  assert.equal(gw.serviceAccounts.size, 0);
});

test('the account\'s operation could not be waited for: the account named by the operation is deleted by id', async () => {
  const gw = new FakeGateway();
  gw.fail(
    'createServiceAccount',
    () => markStartedOperation(new CloudError('Could not wait for operation op1: UNAVAILABLE.', { status: 'UNAVAILABLE' }), { operationId: 'op1', resourceId: [...gw.serviceAccounts.keys()].at(-1) }),
    { afterWork: true },
  );
  const err = await createKey(gw, input()).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  assert.equal(gw.callsOf('deleteServiceAccount').length, 1);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.ok(err.hints.some((h) => /Cleaned up what this run created: service account aistudio-test/.test(h)));
  assert.equal(gw.callsOf('createApiKey').length, 0);
});

test('an unconfirmed account that turns out not to exist is not reported as left', async () => {
  const gw = new FakeGateway();
  gw.fail('createServiceAccount', () => markStartedOperation(new CloudError('poll failed', { status: 'UNAVAILABLE' }), { operationId: 'op1', resourceId: 'ajenothere0000000000' }));
  const err = await createKey(gw, input()).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  assert.ok(!err.hints.some((h) => h.startsWith('Could not clean up')), err.hints.join('\n'));
});

test('mutating calls get the wait signal (bounding the wait for their operations), never the abort signal', async () => {
  const gw = new FakeGateway();
  const waitSignal = new AbortController().signal;
  await createKey(gw, input(), { signal: new AbortController().signal, waitSignal });
  for (const c of gw.mutations()) assert.equal(c.signal, waitSignal, c.method);
});

test('delivery is the last step; when it fails nobody holds the secret, so the key is revoked and everything removed', async () => {
  const gw = new FakeGateway();
  let delivered: string | undefined;
  const ok = await createKey(gw, input(), { deliver: async (r) => void (delivered = r.secret) });
  assert.equal(delivered, ok.secret);

  const gw2 = new FakeGateway();
  const err = await createKey(gw2, input(), {
    deliver: async () => {
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    },
  }).catch((e: unknown) => e);
  assert.ok(err instanceof DeliveryError);
  assert.equal(err.exitCode, 1);
  assert.match(err.message, /^Could not hand over the new key: write EPIPE\.$/);
  assert.match(err.hints[0] ?? '', /^Nobody received the secret, so API key ajk\w+ was revoked and everything this run created was removed/);
  assert.equal(gw2.callsOf('deleteApiKey').length, 1);
  assert.equal(gw2.apiKeys.size, 0);
  assert.equal(gw2.serviceAccounts.size, 0);
  assert.deepEqual(gw2.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
  assert.doesNotMatch([err.message, ...err.hints].join('\n'), /AQVN/);

  const gw3 = new FakeGateway();
  const own = new DeliveryError('Could not write the result to stdout: no space left on the device (ENOSPC).');
  const err3 = await createKey(gw3, input(), { deliver: () => Promise.reject(own) }).catch((e: unknown) => e);
  assert.equal(err3, own, 'the deliverer\'s own error, with the clean-up appended');
  assert.ok(own.hints.some((h) => h.startsWith('Cleaned up what this run created: API key')));
});

test('an abort before delivery rolls back instead of delivering', async () => {
  const gw = new FakeGateway();
  const key = gw.hold('createApiKey');
  const controller = new AbortController();
  let delivered = false;
  const run = createKey(gw, input(), { signal: controller.signal, deliver: async () => void (delivered = true) }).catch((e: unknown) => e);
  await key.entered;
  controller.abort();
  key.release();
  assert.ok((await run) instanceof InterruptedError);
  assert.equal(delivered, false);
  assert.equal(gw.apiKeys.size, 0);
});

// --- create --service-account: an existing account -------------------------------------------

function existingAccount(gw: FakeGateway, held: string[]): { id: string; folderId: string; name: string; description: string; labels: Record<string, string>; createdAt: undefined } {
  const sa = { id: 'ajeexisting000000001', folderId: FOLDER_ID, name: 'old-bot', description: '', labels: {}, createdAt: undefined };
  gw.serviceAccounts.set(sa.id, sa);
  const folder = gw.folders.get(FOLDER_ID);
  for (const roleId of held) folder?.bindings.push({ roleId, subject: { type: 'serviceAccount', id: sa.id } });
  return sa;
}

test('an existing account: no account call, one ADD call of only the missing roles, the full list in the result', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, [PRESET_ROLES[0] ?? '']);
  const result = await createKey(gw, input({ serviceAccount: sa }), { runId: 'r1' });
  assert.equal(gw.callsOf('createServiceAccount').length, 0);
  const calls = gw.callsOf('addFolderAccessBindings');
  assert.equal(calls.length, 1);
  const [, bindings] = calls[0]?.args as [string, Array<{ roleId: string }>];
  assert.deepEqual(bindings.map((b) => b.roleId), PRESET_ROLES.slice(1));
  assert.deepEqual(result.roles, [...PRESET_ROLES]);
  assert.deepEqual(result.rolesAdded, PRESET_ROLES.slice(1));
  assert.equal(result.serviceAccount.id, sa.id);
  assert.equal(result.apiKey.serviceAccountId, sa.id);
});

test('an existing account holding every role: no bindings call at all', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, [...PRESET_ROLES]);
  const result = await createKey(gw, input({ serviceAccount: sa }));
  assert.deepEqual(gw.mutations().map((c) => c.method), ['createApiKey']);
  assert.deepEqual(result.rolesAdded, []);
});

test('an existing account, the key fails: the added roles go, the held ones and the account stay', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, ['viewer', PRESET_ROLES[0] ?? '']);
  gw.fail('createApiKey', denied);
  await assert.rejects(createKey(gw, input({ serviceAccount: sa })), AuthError);
  assert.ok(gw.serviceAccounts.has(sa.id), 'the account stays');
  assert.equal(gw.callsOf('deleteServiceAccount').length, 0);
  assert.deepEqual(gw.bindingsOf(FOLDER_ID, sa.id).map((b) => b.roleId).sort(), ['viewer', PRESET_ROLES[0] ?? ''].sort());
});

test('an existing account, the bindings fail after the work: only the missing roles are removed', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, [PRESET_ROLES[0] ?? '']);
  gw.fail('addFolderAccessBindings', unavailable, { afterWork: true });
  await assert.rejects(createKey(gw, input({ serviceAccount: sa })), CloudError);
  assert.deepEqual(gw.bindingsOf(FOLDER_ID, sa.id).map((b) => b.roleId), [PRESET_ROLES[0]]);
  assert.ok(gw.serviceAccounts.has(sa.id));
  assert.equal(gw.apiKeys.size, 0, 'the key revoked');
});

test('an existing account, the key answer lost more often than --retries allows: keys with the run marker are deleted, the account stays', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, [...PRESET_ROLES]);
  gw.fail('createApiKey', () => new AmbiguousOutcomeError('lost', { status: 'UNAVAILABLE' }), { afterWork: true, times: gw.retries + 1 });
  await assert.rejects(createKey(gw, input({ serviceAccount: sa }), { runId: 'r2' }));
  assert.ok(gw.serviceAccounts.has(sa.id));
  assert.equal([...gw.apiKeys.values()].filter((k) => k.apiKey.serviceAccountId === sa.id).length, 0, 'no key of this run left');
});

// ---- issue #14 item 11: the clean-up report states what the cloud confirmed ----------------------

test('a REMOVE the cloud accepts without removing (an answer with no effective deltas): the report lists those bindings as left, not removed', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, []);
  gw.fail('createApiKey', denied);
  // The call "succeeds" and changes nothing, as an operation answering Empty cannot tell us otherwise.
  gw.removeFolderAccessBindings = () => Promise.resolve();
  const err = await createKey(gw, input({ serviceAccount: sa })).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  const hints = err.hints.join('\n');
  assert.doesNotMatch(hints, /Cleaned up what this run created: \d+ role binding/);
  assert.match(hints, /Could not clean up: role bindings .* \(the cloud accepted their removal but still lists them\)/);
  assert.equal(gw.bindingsOf(FOLDER_ID, sa.id).length, PRESET_ROLES.length, 'they are indeed still there');
});

test('bindings really removed are reported removed (confirmed by the folder\'s list)', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, []);
  gw.fail('createApiKey', denied);
  const err = await createKey(gw, input({ serviceAccount: sa })).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  assert.match(err.hints.join('\n'), new RegExp(`Cleaned up what this run created: ${PRESET_ROLES.length} role bindings`));
  assert.equal(gw.bindingsOf(FOLDER_ID, sa.id).length, 0);
});

test('--count: a REMOVE accepted without effect is reported left for each account, not removed', async () => {
  const gw = new FakeGateway();
  const sa = existingAccount(gw, []);
  gw.fail('createApiKey', denied);
  gw.removeFolderAccessBindings = () => Promise.resolve();
  const err = await createKeys(gw, { ...input({ serviceAccount: sa }), count: 2, names: [] }, { runIds: ['r1', 'r2'] }).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  const hints = err.hints.join('\n');
  assert.doesNotMatch(hints, /Cleaned up what this run created: [^.]*role binding/);
  assert.match(hints, /Could not clean up: role bindings .* \(the cloud accepted their removal but still lists them\)/);
});

/**
 * `create --service-account <name|id>` against the emulator: the key is issued on an existing
 * account and only the roles it lacks are granted (one UpdateAccessBindings of exactly the missing
 * ADD deltas, or none); a foreign account needs --adopt (exit 2, no mutation, without it); a failed
 * key call removes only the roles this run added and never the account; and `create --name X` for an
 * account already in the folder suggests --service-account X.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import { freshWorlds, SEED, type KeysWorld } from '../helpers/keys-world.js';

interface CreatedDoc {
  secret: string;
  api_key: { id: string; service_account_id: string; scopes: string[] };
  service_account: { id: string; name: string; folder_id: string };
  roles: string[];
}

const world = freshWorlds();

type Delta = { action: string | number; accessBinding: { roleId: string; subject: { id: string } } };
function deltas(w: KeysWorld): Delta[][] {
  return w.emu.calls('FolderService/UpdateAccessBindings').map((c) => (c.request as { accessBindingDeltas: Delta[] }).accessBindingDeltas);
}
const rolesOf = (w: KeysWorld, saId: string): string[] => w.bindings().filter((b) => b.endsWith(`:${saId}`)).map((b) => b.split(' ')[0] ?? '').sort();
const create = (w: KeysWorld, argv: string[]) => w.cli(['create', '--folder-id', w.ids.folderId, ...argv]);

test('a managed account by name: a key on it, one UpdateAccessBindings with exactly the three missing roles', async () => {
  const w = await world();
  const accounts = w.emu.state.serviceAccounts().length;
  const res = await create(w, ['--service-account', 'bot-a', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as CreatedDoc;
  assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles'], 'the create document, unchanged');
  assert.deepEqual(doc.service_account, { id: SEED.botA, name: 'bot-a', folder_id: w.ids.folderId });
  assert.deepEqual(doc.roles, [...PRESET_ROLES], 'roles: the full preset');
  assert.equal(doc.api_key.service_account_id, SEED.botA);
  assert.deepEqual(doc.api_key.scopes, [...PRESET_SCOPES]);
  assert.equal(w.emu.state.serviceAccounts().length, accounts, 'no account created');
  const missing = PRESET_ROLES.filter((r) => r !== 'ai.editor' && r !== 'search-api.webSearch.user');
  const calls = deltas(w);
  assert.equal(calls.length, 1, 'one UpdateAccessBindings');
  assert.deepEqual(calls[0]?.map((d) => d.accessBinding.roleId).sort(), [...missing].sort(), 'only the missing roles');
  assert.ok(calls[0]?.every((d) => (d.action === 'ADD' || d.action === 1) && d.accessBinding.subject.id === SEED.botA));
  assert.deepEqual(rolesOf(w, SEED.botA), [...PRESET_ROLES].sort());
  assert.deepEqual(w.emu.mutations().map((m) => m.method).sort(), ['ApiKeyService/Create', 'FolderService/UpdateAccessBindings']);
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0);
});

test('an account (by ID) holding every role: a key and no bindings call at all', async () => {
  const w = await world();
  const res = await create(w, ['--service-account', SEED.botB, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as CreatedDoc).service_account.id, SEED.botB);
  assert.deepEqual(w.emu.mutations().map((m) => m.method), ['ApiKeyService/Create']);
});

test('a foreign account without --adopt: exit 2 naming --adopt, nothing changed', async () => {
  const w = await world();
  const res = await create(w, ['--service-account', w.ids.foreignServiceAccountName, '--json']);
  assert.equal(res.exitCode, EXIT_CODES.usage, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /--adopt/);
  assert.deepEqual(w.emu.mutations(), []);
});

test('a foreign account with --adopt: a key, the missing roles, the label left as it was', async () => {
  const w = await world();
  const id = w.ids.foreignServiceAccountId;
  const labels = { ...w.emu.state.serviceAccounts().find((s) => s.id === id)?.labels };
  const held = rolesOf(w, id);
  const res = await create(w, ['--service-account', w.ids.foreignServiceAccountName, '--adopt', '--json', '--roles', `ai.editor,${held[0] ?? 'viewer'}`]);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as CreatedDoc;
  assert.equal(doc.service_account.id, id);
  assert.deepEqual(doc.roles, ['ai.editor', held[0]]);
  assert.deepEqual(deltas(w).map((ds) => ds.map((d) => d.accessBinding.roleId)), [['ai.editor']], 'only the role it lacked');
  assert.deepEqual(w.emu.state.serviceAccounts().find((s) => s.id === id)?.labels, labels, 'not relabelled');
});

test('the key call fails: the account stays, the roles this run added are removed, the ones it had stay', async () => {
  const w = await world();
  const before = w.bindings();
  const keys = w.emu.state.apiKeys().length;
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'injected' });
  const res = await create(w, ['--service-account', 'bot-a', '--json']);
  assert.equal(res.exitCode, 1, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /Cleaned up what this run created: .*role binding/);
  assert.ok(w.emu.state.serviceAccounts().some((s) => s.id === SEED.botA), 'the account stays');
  assert.equal(w.emu.calls('ServiceAccountService/Delete').length, 0, 'never a delete of the account');
  assert.deepEqual(w.bindings(), before, 'bindings as they were: ai.editor and webSearch kept, the added three gone');
  assert.equal(w.emu.state.apiKeys().length, keys);
});

test('--name of an account already in the folder: exit 2 suggesting --service-account, nothing changed', async () => {
  const w = await world();
  const res = await create(w, ['--name', 'bot-a']);
  assert.equal(res.exitCode, EXIT_CODES.usage, res.stderr);
  assert.match(res.stderr, /already exists.*--service-account bot-a/);
  assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr);
  assert.deepEqual(w.emu.mutations(), []);
});

test('--name taken in another folder (ALREADY_EXISTS from the cloud): the error suggests --service-account', async () => {
  const w = await world();
  const res = await create(w, ['--name', w.ids.otherFolderServiceAccountName]);
  assert.equal(res.exitCode, 1, res.stderr);
  assert.match(res.stderr, new RegExp(`already exists.*--service-account ${w.ids.otherFolderServiceAccountName}`));
});

test('--service-account with --name: a usage error, no call', async () => {
  const w = await world();
  const res = await create(w, ['--service-account', 'bot-a', '--name', 'bot-z']);
  assert.equal(res.exitCode, EXIT_CODES.usage, res.stderr);
  assert.match(res.stderr, /--service-account and --name/);
  assert.deepEqual(w.emu.mutations(), []);
});

/**
 * `--adopt` takes back what it added: create on an account aistudio-key did not make records the
 * roles it granted (on the key it issued), and revoking the last key it issued there removes exactly
 * those roles (REMOVE deltas), never a role the account or anybody else held before, and says what
 * remains. The folder starts with foreign roles: legacy-bot holds ai.languageModels.user (fixture)
 * and ai.editor (one of the five), and other users hold theirs.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_ROLES } from '../../src/core/preset.js';
import { keysFixture, keysWorld, type KeysWorld } from '../helpers/keys-world.js';

type Delta = { action: string | number; accessBinding: { roleId: string; subject: { id: string } } };
/** The roles create --adopt adds: the preset minus ai.editor, which legacy-bot already held. */
const ADDED = PRESET_ROLES.filter((r) => r !== 'ai.editor');

const running: KeysWorld[] = [];
after(() => Promise.all(running.map((w) => w.emu.stop())));

/** keysWorld with ai.editor already granted to legacy-bot by someone else. */
async function setUp(): Promise<{ w: KeysWorld; sa: string; before: string[] }> {
  const seeded = keysFixture();
  const sa = seeded.ids.foreignServiceAccountId;
  seeded.fixture.folders.find((f) => f.id === seeded.ids.folderId)?.bindings?.push({ roleId: 'ai.editor', subject: { type: 'serviceAccount', id: sa } });
  const w = await keysWorld({ fixture: seeded });
  running.push(w);
  return { w, sa, before: w.bindings() };
}

const rolesOf = (w: KeysWorld, sa: string): string[] => w.bindings().filter((b) => b.endsWith(`:${sa}`)).map((b) => b.split(' ')[0] ?? '').sort();
function removeDeltas(w: KeysWorld, from: number): Delta[] {
  return w.emu.calls('FolderService/UpdateAccessBindings').slice(from).flatMap((c) => (c.request as { accessBindingDeltas: Delta[] }).accessBindingDeltas);
}

async function adopt(w: KeysWorld, extra: string[] = []): Promise<string> {
  const res = await w.cli(['create', '--folder-id', w.ids.folderId, '--service-account', w.ids.foreignServiceAccountName, '--adopt', '--json', ...extra]);
  assert.equal(res.exitCode, 0, res.stderr);
  return (JSON.parse(res.stdout) as { api_key: { id: string } }).api_key.id;
}

test('revoke --with-service-account after create --adopt takes back exactly the roles it added and says what remains', async () => {
  const { w, sa, before } = await setUp();
  const keyId = await adopt(w);
  assert.deepEqual(rolesOf(w, sa), [...new Set([...PRESET_ROLES, 'ai.languageModels.user'])].sort());
  const calls = w.emu.calls('FolderService/UpdateAccessBindings').length;
  const res = await w.cli(['revoke', keyId, '--yes', '--with-service-account', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.deepEqual(w.bindings(), before, 'the folder is as it was before the adoption');
  assert.deepEqual(rolesOf(w, sa), ['ai.editor', 'ai.languageModels.user'], 'roles it held before stay');
  const deltas = removeDeltas(w, calls);
  assert.ok(deltas.every((d) => (d.action === 'REMOVE' || d.action === 2) && d.accessBinding.subject.id === sa), 'REMOVE deltas for this account only');
  assert.deepEqual(deltas.map((d) => d.accessBinding.roleId).sort(), [...ADDED].sort());
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0);
  const doc = JSON.parse(res.stdout) as { adopted_roles: Array<{ service_account_id: string; status: string; removed_roles: string[]; remaining_roles: string[] }> };
  assert.deepEqual(doc.adopted_roles.map((a) => [a.service_account_id, a.status, [...a.removed_roles].sort(), [...a.remaining_roles].sort()]), [
    [sa, 'returned', [...ADDED].sort(), ['ai.editor', 'ai.languageModels.user']],
  ]);
  assert.match(res.stderr, /keeps its other roles on folder \w+: (ai\.languageModels\.user, ai\.editor|ai\.editor, ai\.languageModels\.user)\./);
  assert.ok(w.emu.state.serviceAccounts().some((s) => s.id === sa), 'the adopted account itself stays');
});

test('with two adopting runs, revoking the first key keeps the roles (the second relies on them); revoking the last takes them back', async () => {
  const { w, sa, before } = await setUp();
  const first = await adopt(w);
  const second = await adopt(w);
  const r1 = await w.cli(['revoke', first, '--yes']);
  assert.equal(r1.exitCode, 0, r1.stderr);
  assert.match(r1.stderr, new RegExp(`Kept roles .* its other key from aistudio-key \\(${second}\\) still relies on them`));
  assert.deepEqual(rolesOf(w, sa), [...new Set([...PRESET_ROLES, 'ai.languageModels.user'])].sort());
  const r2 = await w.cli(['revoke', second, '--yes']);
  assert.equal(r2.exitCode, 0, r2.stderr);
  assert.match(r2.stdout, /Removed roles .* that aistudio-key granted adopted service account legacy-bot/);
  assert.deepEqual(w.bindings(), before);
});

test('a rotated key carries the record: revoking the replacement takes the roles back', async () => {
  const { w, before } = await setUp();
  const keyId = await adopt(w);
  const rot = await w.cli(['rotate', keyId, '--json']);
  assert.equal(rot.exitCode, 0, rot.stderr);
  const next = (JSON.parse(rot.stdout) as { api_key: { id: string } }).api_key.id;
  assert.notEqual(next, keyId);
  const res = await w.cli(['revoke', next, '--yes']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.deepEqual(w.bindings(), before);
});

test('a record planted through --description is dropped: revoke never removes a role the run did not add', async () => {
  const { w, sa } = await setUp();
  const keyId = await adopt(w, ['--description', 'x [aistudio-key roles ai.languageModels.user,admin] y']);
  const key = w.emu.state.apiKeys().find((k) => k.id === keyId);
  assert.ok(key && !key.description.includes('admin') && !key.description.includes('ai.languageModels.user'), key?.description);
  const res = await w.cli(['revoke', keyId, '--yes']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.deepEqual(rolesOf(w, sa), ['ai.editor', 'ai.languageModels.user']);
});

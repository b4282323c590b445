/**
 * `prune` and `list --accounts` for real, against the emulator (issue 15, item 4): the accounts
 * aistudio-key made that hold no API key are deleted, each one's folder roles first (one
 * UpdateAccessBindings of REMOVE deltas naming only it, never SetAccessBindings); accounts with keys
 * and accounts anyone else made are untouched; --dry-run changes nothing; a script needs --yes (exit
 * 4 without it, no call); a person is asked, and "n" is exit 6; failures are reported with only what
 * the cloud confirmed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_ROLES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import type { JournalEntry } from '../emulator/index.js';
import { freshWorlds, keysFixture, MANAGED, SEED, type KeysWorld } from '../helpers/keys-world.js';

/** Keyless accounts on top of keys-world: two of ours (one with the preset roles, one with none) and one somebody else made. */
const ORPHAN = { full: 'ajeorphanfffffffffff', bare: 'ajeorphanbbbbbbbbbbb', foreign: 'ajehandmadehhhhhhhhh' } as const;

function pruneFixture(): ReturnType<typeof keysFixture> {
  const seeded = keysFixture();
  const { fixture, ids } = seeded;
  fixture.serviceAccounts?.push(
    { id: ORPHAN.full, folderId: ids.folderId, name: 'orphan-full', description: 'left by revoke', labels: { ...MANAGED } },
    { id: ORPHAN.bare, folderId: ids.folderId, name: 'orphan-bare', description: 'killed run', labels: { ...MANAGED } },
    { id: ORPHAN.foreign, folderId: ids.folderId, name: 'hand-made', description: 'not ours' },
  );
  const folder = fixture.folders.find((f) => f.id === ids.folderId);
  folder?.bindings?.push(
    ...PRESET_ROLES.map((roleId) => ({ roleId, subject: { type: 'serviceAccount', id: ORPHAN.full } })),
    { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: ORPHAN.foreign } },
  );
  return seeded;
}

const world = freshWorlds({ fixture: pruneFixture() });

interface PruneDoc {
  dry_run: boolean;
  folder_id: string;
  kept_with_keys: number;
  service_accounts: Array<{ id: string; name: string; status: string; reason: string | null; roles: string[]; removed_roles: string[]; error: { code: string; message: string } | null }>;
}

type Delta = { action: string | number; accessBinding: { roleId: string; subject: { type: string; id: string } } };
const deltasOf = (e: JournalEntry): Delta[] => (e.request as { accessBindingDeltas: Delta[] }).accessBindingDeltas;
const accountIds = (w: KeysWorld): string[] => w.emu.state.serviceAccounts().map((a) => a.id);
const bindingsWithout = (bindings: string[], ...ids: string[]): string[] => bindings.filter((b) => !ids.some((id) => b.endsWith(`:${id}`)));
const folderFlag = (w: KeysWorld): string[] => ['--folder-id', w.ids.folderId];

test('prune --yes --json: our keyless accounts go, each one\'s roles first (REMOVE deltas naming only it); nothing else changes', async () => {
  const w = await world();
  const before = w.bindings();
  const res = await w.cli(['prune', ...folderFlag(w), '--yes', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as PruneDoc;
  assert.equal(doc.dry_run, false);
  assert.equal(doc.kept_with_keys, 2, 'bot-a and bot-b hold keys');
  assert.deepEqual(
    doc.service_accounts.map((a) => [a.name, a.status, [...a.removed_roles].sort()]),
    [
      ['orphan-bare', 'deleted', []],
      ['orphan-full', 'deleted', [...PRESET_ROLES].sort()],
    ],
  );
  const left = accountIds(w);
  assert.ok(!left.includes(ORPHAN.full) && !left.includes(ORPHAN.bare));
  for (const id of [SEED.botA, SEED.botB, ORPHAN.foreign, w.ids.foreignServiceAccountId]) assert.ok(left.includes(id), `${id} kept`);
  assert.deepEqual(w.bindings(), bindingsWithout(before, ORPHAN.full), 'only orphan-full\'s bindings went');

  const updates = w.emu.calls('FolderService/UpdateAccessBindings');
  assert.equal(updates.length, 1, 'one call, for the account that had roles');
  const deltas = deltasOf(updates[0] as JournalEntry);
  assert.ok(deltas.every((d) => d.action === 'REMOVE' || d.action === 2), 'REMOVE deltas only');
  assert.ok(deltas.every((d) => d.accessBinding.subject.id === ORPHAN.full), 'naming only that account');
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0, 'never SetAccessBindings');
  const order = w.emu.mutations().map((m) => m.method);
  assert.ok(order.indexOf('FolderService/UpdateAccessBindings') < order.lastIndexOf('ServiceAccountService/Delete'), 'roles before the account');
  assert.equal(w.emu.calls('ApiKeyService/Delete').length, 0, 'no key touched');
  w.assertNoSecrets(res);
});

test('--dry-run: lists what would go with its roles, changes nothing; text too', async () => {
  const w = await world();
  const res = await w.cli(['prune', ...folderFlag(w), '--dry-run', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as PruneDoc;
  assert.equal(doc.dry_run, true);
  assert.deepEqual(
    doc.service_accounts.map((a) => [a.id, a.status, a.roles, a.removed_roles]),
    [
      [ORPHAN.bare, 'would-delete', [], []],
      [ORPHAN.full, 'would-delete', [...PRESET_ROLES].sort(), []],
    ],
  );
  const text = await w.cli(['prune', ...folderFlag(w), '--dry-run']);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /^Dry run: nothing was changed\.\nWould delete 2 service accounts/);
  assert.match(text.stdout, new RegExp(`orphan-full \\(${ORPHAN.full}\\), no API keys, roles on folder ${w.ids.folderId}: ai\\.editor`));
  assert.match(text.stderr, /2 service accounts aistudio-key made in folder \S+ still hold API keys and stay/);
  assert.deepEqual(w.emu.mutations(), [], 'nothing changed');
});

test('in a script without --yes: exit 4 before any call; at a terminal "n" is exit 6, "y" prunes', async () => {
  const w = await world();
  const script = await w.cli(['prune', ...folderFlag(w)]);
  assert.equal(script.exitCode, EXIT_CODES.needsInteraction, script.stderr);
  assert.match(script.stderr, /--yes/);
  assert.deepEqual(w.emu.journal, [], 'no call at all');

  const declined = await w.cli(['prune', ...folderFlag(w)], { isTTY: true, stdin: 'n\n', env: { NO_COLOR: '1' } });
  assert.equal(declined.exitCode, EXIT_CODES.declined, declined.stderr);
  assert.equal(declined.stdout, '');
  assert.match(declined.stderr, /About to delete these 2 service accounts[^\n]*\n {2}orphan-bare/);
  assert.match(declined.stderr, /Delete these 2\? \[y\/N\] /);
  assert.deepEqual(w.emu.mutations(), []);

  const yes = await w.cli(['prune', ...folderFlag(w)], { isTTY: true, stdin: 'y\n', env: { NO_COLOR: '1' } });
  assert.equal(yes.exitCode, 0, yes.stderr);
  assert.match(yes.stdout, new RegExp(`Deleted service account orphan-full \\(${ORPHAN.full}\\) and its 5 roles on folder`));
  assert.match(yes.stdout, /Deleted service account orphan-bare/);
});

test('nothing to prune: says so, exit 0, no change', async () => {
  const w = await world();
  const first = await w.cli(['prune', ...folderFlag(w), '--yes']);
  assert.equal(first.exitCode, 0, first.stderr);
  const mutations = w.emu.mutations().length;
  const again = await w.cli(['prune', ...folderFlag(w), '--yes', '--json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual((JSON.parse(again.stdout) as PruneDoc).service_accounts, []);
  const text = await w.cli(['prune', ...folderFlag(w)], { isTTY: true, env: { NO_COLOR: '1' } });
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /^Nothing to prune/);
  assert.doesNotMatch(text.stderr, /\[y\/N\]/, 'nothing to ask about');
  const script = await w.cli(['prune', ...folderFlag(w)]);
  assert.equal(script.exitCode, EXIT_CODES.needsInteraction, 'a script without --yes is refused whatever the folder holds: the rule does not depend on the cloud');
  assert.equal(w.emu.mutations().length, mutations);
});

test('a failure: the result says what the cloud confirmed, the rest still goes, the exit code is the failure\'s', async () => {
  const w = await world();
  // orphan-bare goes first (by name) and has no roles: its Delete is the first mutation; orphan-full's roles call then fails.
  w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'conflicting operation' });
  const res = await w.cli(['prune', ...folderFlag(w), '--yes', '--json']);
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  const doc = JSON.parse(res.stdout) as PruneDoc;
  const full = doc.service_accounts.find((a) => a.id === ORPHAN.full);
  assert.deepEqual([full?.status, full?.reason, full?.removed_roles], ['failed', 'remove-bindings', []], 'no role claimed removed');
  assert.equal(doc.service_accounts.find((a) => a.id === ORPHAN.bare)?.status, 'deleted');
  assert.ok(accountIds(w).includes(ORPHAN.full), 'not deleted with its roles still bound');
  assert.match(res.stderr, /orphan-full: could not remove its roles on the folder/);
  assert.match(res.stderr, /1 of 2 service accounts deleted/);

  const w2 = await world();
  w2.emu.inject('ServiceAccountService/Delete', { kind: 'error', code: 'PERMISSION_DENIED' });
  const denied = await w2.cli(['prune', ...folderFlag(w2), '--yes', '--json']);
  assert.equal(denied.exitCode, EXIT_CODES.auth, denied.stderr);
  const bare = (JSON.parse(denied.stdout) as PruneDoc).service_accounts.find((a) => a.id === ORPHAN.bare);
  assert.deepEqual([bare?.status, bare?.reason], ['failed', 'delete']);
});

test('list --accounts: our accounts with key counts and roles (--all: every account); json and text', async () => {
  const w = await world();
  const res = await w.cli(['list', '--accounts', ...folderFlag(w), '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const rows = JSON.parse(res.stdout) as Array<{ id: string; name: string; managed: boolean; key_count: number; key_ids: string[]; roles: string[] }>;
  assert.deepEqual(
    rows.map((r) => [r.name, r.managed, r.key_count, r.roles.length]),
    [
      ['bot-a', true, 2, 2],
      ['bot-b', true, 1, 5],
      ['orphan-bare', true, 0, 0],
      ['orphan-full', true, 0, 5],
    ],
  );
  assert.deepEqual(rows.find((r) => r.name === 'bot-a')?.key_ids.sort(), [SEED.keyA1, SEED.keyA2].sort());

  const all = await w.cli(['list', '--accounts', '--all', ...folderFlag(w), '--json']);
  const names = (JSON.parse(all.stdout) as Array<{ name: string; managed: boolean }>).map((r) => `${r.name}:${String(r.managed)}`);
  assert.ok(names.includes('hand-made:false'), names.join(' '));

  const text = await w.cli(['list', '--accounts', ...folderFlag(w)]);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /^SERVICE ACCOUNT +ID +KEYS +ROLES +CREATED\n/);
  assert.match(text.stdout, new RegExp(`orphan-full +${ORPHAN.full} +0 +preset`));
  assert.match(text.stderr, /2 of them made by aistudio-key hold no API key; `aistudio-key prune` deletes them/);
  assert.deepEqual(w.emu.mutations(), [], 'read-only');

  for (const argv of [['--service-account', 'bot-a'], ['--expiring-within', '14d']]) {
    const bad = await w.cli(['list', '--accounts', ...argv]);
    assert.equal(bad.exitCode, EXIT_CODES.usage, bad.stderr);
    assert.match(bad.stderr, /--accounts and /);
  }
});

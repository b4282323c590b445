/**
 * `revoke` for real, against the emulator: confirmation (TTY) or --yes (exit 4 without, before any
 * call), already-gone keys, --with-service-account (one REMOVE-delta UpdateAccessBindings naming only
 * that account, never SetAccessBindings; accounts kept when foreign or still holding keys), per-key
 * failures with the result still printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_CODES } from '../../src/errors.js';
import { freshWorlds, SEED, type KeysWorld } from '../helpers/keys-world.js';

interface RevokeDoc {
  keys: Array<{ id: string; status: string; service_account_id: string | null; error: { code: string; message: string } | null }>;
  service_accounts: Array<{ id: string; name: string | null; status: string; reason: string | null; other_keys: string[]; folder_id: string | null; removed_roles: string[] }>;
}

/** A fresh world per test: revoke changes it. */
const world = freshWorlds();

const keyIds = (w: KeysWorld): string[] => w.emu.state.apiKeys().map((k) => k.id).sort();

interface Delta {
  /** The journal keeps the enum as its number (REMOVE = 2). */
  action: number | string;
  accessBinding: { roleId: string; subject: { id: string; type: string } };
}

test('without a terminal and without --yes: exit 4 before any call, nothing revoked', async () => {
  const w = await world();
  for (const opts of [{}, { isTTY: true, argv: ['--json'] }, { isTTY: true, env: { CI: 'true' } }] as Array<{ isTTY?: boolean; argv?: string[]; env?: Record<string, string> }>) {
    const res = await w.cli(['revoke', SEED.keyA1, ...(opts.argv ?? [])], { isTTY: opts.isTTY, env: opts.env, stdin: 'y\n' });
    assert.equal(res.exitCode, EXIT_CODES.needsInteraction, res.stderr);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /not interactive/);
    assert.ok(res.stderr.includes('--yes'));
  }
  assert.deepEqual(w.emu.journal, [], 'the cloud was not contacted');
  assert.ok(keyIds(w).includes(SEED.keyA1));
});

test('--yes revokes: the key is gone, stdout says so, one Delete call', async () => {
  const w = await world();
  const res = await w.cli(['revoke', '--yes', SEED.keyA1]);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(res.stdout, `Revoked API key ${SEED.keyA1} (service account ${SEED.botA})\n`);
  assert.equal(res.stderr, '');
  assert.ok(!keyIds(w).includes(SEED.keyA1));
  assert.deepEqual(w.emu.mutations().map((m) => m.method), ['ApiKeyService/Delete']);
  w.assertNoSecrets(res);
});

test('an already-gone key is success with a note; JSON gives a status per key', async () => {
  const w = await world();
  const gone = 'ajenosuchkey00000000';
  const res = await w.cli(['revoke', '-y', '--format', 'json', SEED.keyB1, gone, SEED.keyB1]);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as RevokeDoc;
  assert.deepEqual(doc.keys.map((k) => [k.id, k.status, k.service_account_id]), [
    [SEED.keyB1, 'revoked', SEED.botB],
    [gone, 'already-gone', null],
  ]);
  assert.deepEqual(doc.service_accounts, []);
  assert.match(res.stderr, new RegExp(`API key ${gone} was not found: already revoked, or not visible to this credential\\. Nothing to do\\.`));
  // Revoking it again: already gone, exit 0.
  const again = await w.cli(['revoke', '--yes', SEED.keyB1]);
  assert.equal(again.exitCode, 0);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, /was not found/);
});

test('at a terminal it shows the keys and asks; "y" revokes', async () => {
  const w = await world();
  const res = await w.cli(['revoke', SEED.keyA1], { isTTY: true, stdin: 'y\n', env: { NO_COLOR: '1' } });
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stderr, new RegExp(`About to revoke; apps using this key stop working at once:\\n {2}${SEED.keyA1} {2}service account bot-a \\(${SEED.botA}\\), "a1", expires \\S+Z`));
  assert.match(res.stderr, /Revoke this API key\? \[y\/N\] /);
  assert.match(res.stdout, /Revoked API key/);
  assert.ok(!keyIds(w).includes(SEED.keyA1));
  assert.equal(w.emu.calls('ApiKeyService/Get').length, 1, 'read once, for the question');
});

test('at a terminal, "n" or no answer at all revokes nothing (exit 6, declined)', async () => {
  const w = await world();
  for (const stdin of ['n\n', '', 'maybe\n']) {
    const res = await w.cli(['revoke', SEED.keyA1, SEED.keyA2], { isTTY: true, stdin, env: { NO_COLOR: '1' } });
    assert.equal(res.exitCode, EXIT_CODES.declined, JSON.stringify(stdin));
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /Revoke these 2 API keys\? \[y\/N\] /);
    assert.match(res.stderr, /Error: Not confirmed; nothing was revoked\./);
  }
  assert.deepEqual(w.emu.mutations(), []);
});

test('--with-service-account: the account left without keys loses only its own bindings (one REMOVE call), then is deleted', async () => {
  const w = await world();
  const before = w.bindings();
  const res = await w.cli(['revoke', '--yes', '--with-service-account', '--json', SEED.keyA1, SEED.keyA2]);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as RevokeDoc;
  assert.deepEqual(doc.keys.map((k) => k.status), ['revoked', 'revoked']);
  assert.deepEqual(doc.service_accounts.map((a) => [a.id, a.name, a.status, a.folder_id, a.removed_roles.sort()]), [
    [SEED.botA, 'bot-a', 'deleted', w.ids.folderId, ['ai.editor', 'search-api.webSearch.user']],
  ]);

  assert.deepEqual(w.emu.mutations().map((m) => m.method), [
    'ApiKeyService/Delete',
    'ApiKeyService/Delete',
    'FolderService/UpdateAccessBindings',
    'ServiceAccountService/Delete',
  ]);
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0, 'never SetAccessBindings');
  const update = w.emu.calls('FolderService/UpdateAccessBindings')[0]?.request as { resourceId: string; accessBindingDeltas: Delta[] };
  assert.equal(update.resourceId, w.ids.folderId);
  assert.deepEqual(
    update.accessBindingDeltas.map((d) => `${d.action === 2 || d.action === 'REMOVE' ? 'REMOVE' : String(d.action)} ${d.accessBinding.roleId} ${d.accessBinding.subject.type}:${d.accessBinding.subject.id}`).sort(),
    [`REMOVE ai.editor serviceAccount:${SEED.botA}`, `REMOVE search-api.webSearch.user serviceAccount:${SEED.botA}`],
  );
  assert.deepEqual(w.bindings(), before.filter((b) => !b.endsWith(SEED.botA)), 'every other binding as it was');
  assert.ok(!w.emu.state.serviceAccounts().some((s) => s.id === SEED.botA));

  const text = await w.cli(['revoke', '--yes', '--with-service-account', SEED.keyB1]);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^Revoked API key ${SEED.keyB1} \\(service account bot-b ${SEED.botB}\\)\\nDeleted service account bot-b \\(${SEED.botB}\\) and its 5 roles on folder \\w+ \\(`));
});

test('--with-service-account keeps an account that still holds keys, and one aistudio-key did not make, saying why', async () => {
  const w = await world();
  const res = await w.cli(['revoke', '--yes', '--with-service-account', SEED.keyA1, SEED.legacyKey]);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(res.stdout.split('\n').filter(Boolean).length, 2, 'two keys revoked, no account deleted');
  assert.match(res.stderr, new RegExp(`Kept service account bot-a \\(${SEED.botA}\\): it still holds 1 other API key \\(${SEED.keyA2}\\)\\.`));
  assert.match(res.stderr, /Kept service account legacy-bot \(\w+\): aistudio-key did not make it \(it lacks the managed-by=aistudio-key label\)/);
  assert.deepEqual(w.emu.mutations().map((m) => m.method), ['ApiKeyService/Delete', 'ApiKeyService/Delete']);
  assert.equal(w.emu.state.serviceAccounts().filter((s) => s.id === SEED.botA || s.id === w.ids.foreignServiceAccountId).length, 2);
});

test('a key the caller may not delete: the rest are revoked, the result is printed, exit 3', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Delete', { kind: 'error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
  const res = await w.cli(['revoke', '--yes', '--json', SEED.keyA1, SEED.keyA2]);
  assert.equal(res.exitCode, EXIT_CODES.auth);
  const doc = JSON.parse(res.stdout) as RevokeDoc;
  assert.deepEqual(doc.keys.map((k) => [k.id, k.status, k.error?.code ?? null]), [
    [SEED.keyA1, 'failed', 'permission_denied'],
    [SEED.keyA2, 'revoked', null],
  ]);
  const err = JSON.parse(res.stderr) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'permission_denied');
  assert.match(err.error.message, /1 of 2 API keys revoked or already gone/);
  assert.deepEqual(keyIds(w).filter((id) => id === SEED.keyA1 || id === SEED.keyA2), [SEED.keyA1]);
});

test('a viewer cannot revoke: exit 3, nothing changed', async () => {
  const w = await world();
  const res = await w.cli(['revoke', '--yes', SEED.keyA1], { env: { YC_IAM_TOKEN: w.ids.viewerIamToken } });
  assert.equal(res.exitCode, 3);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /You may not delete API key/);
  assert.deepEqual(w.emu.mutations().filter((m) => m.status === 'OK'), []);
});

test('bad key IDs are exit 2 before any call', async () => {
  const w = await world();
  for (const argv of [['revoke', '--yes', 'not-a-key'], ['revoke', '--yes', SEED.keyA1, 'AQVNsecretlookingthing0123456789abcdef']]) {
    const res = await w.cli(argv);
    assert.equal(res.exitCode, 2);
    assert.match(res.stderr, /^Error: <keyIds>: expected API key IDs, 20 lowercase letters and digits/);
    assert.ok(!res.stderr.includes('AQVNsecret'), 'a pasted secret is not echoed');
  }
  const missing = await w.cli(['revoke', '--yes']);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /missing required argument 'keyIds'/);
  assert.deepEqual(w.emu.journal, []);
});

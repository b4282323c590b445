/**
 * `rotate` for real, against the emulator: create's document plus `revoked`, scopes and description
 * carried over, the expiry renewed by create's rule (default, flags, config), the old key gone only
 * after the new one was printed, --keep-old, a closed stdout (the new key removed, the old kept), a
 * missing key, a foreign account, a viewer, and the formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_SCOPES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import { DAY, freshWorlds, SEED, type KeysWorld } from '../helpers/keys-world.js';
import { tempDir } from '../helpers/run-cli.js';

interface RotatedDoc {
  secret: string;
  api_key: { id: string; service_account_id: string; description: string; scopes: string[]; created_at: string | null; expires_at: string | null };
  service_account: { id: string; name: string; folder_id: string };
  roles: string[];
  revoked: string[];
}

/** A fresh world per test: rotate changes it. */
const world = freshWorlds();

const keysOf = (w: KeysWorld, saId: string): string[] => w.emu.state.apiKeys().filter((k) => k.serviceAccountId === saId).map((k) => k.id).sort();
const MARKER = / \[aistudio-key run [a-z0-9]{10}\]$/;

/** Asserts an RFC 3339 time lies `ms` from now, within a minute. */
function assertIn(at: string | null, ms: number): void {
  assert.ok(at !== null, 'an expiry');
  assert.ok(Math.abs(Date.parse(at) - (Date.now() + ms)) < 60_000, `${at} is about ${ms / DAY} days from now`);
}

test('json: create\'s document plus "revoked"; same account, scopes and description; expiry renewed to 90d; the old key gone', async () => {
  const w = await world();
  const res = await w.cli(['rotate', SEED.keyA1, '--format', 'json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(res.stderr, '', 'nothing but the document in a machine format');
  const doc = JSON.parse(res.stdout) as RotatedDoc;
  assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles', 'revoked']);
  assert.deepEqual(Object.keys(doc.api_key), ['id', 'service_account_id', 'description', 'scopes', 'created_at', 'expires_at']);
  assert.deepEqual(doc.revoked, [SEED.keyA1]);
  assert.deepEqual(doc.service_account, { id: SEED.botA, name: 'bot-a', folder_id: w.ids.folderId });
  assert.deepEqual(doc.roles.sort(), ['ai.editor', 'search-api.webSearch.user'], "the account's roles on its folder");
  assert.equal(doc.api_key.service_account_id, SEED.botA);
  assert.deepEqual(doc.api_key.scopes, [...PRESET_SCOPES]);
  assert.match(doc.api_key.description, MARKER);
  assert.equal(doc.api_key.description.replace(MARKER, ''), 'a1', 'the description carried over');
  assertIn(doc.api_key.expires_at, 90 * DAY);

  assert.deepEqual(keysOf(w, SEED.botA), [SEED.keyA2, doc.api_key.id].sort(), 'the old key gone, the new one there');
  assert.ok(w.emu.secrets().includes(doc.secret), 'the secret printed is the new key\'s');
  assert.deepEqual(w.emu.mutations().map((m) => m.method), ['ApiKeyService/Create', 'ApiKeyService/Delete'], 'create, then delete; no account or binding call');
  assert.deepEqual(w.emu.calls('ApiKeyService/Delete').map((c) => (c.request as { apiKeyId: string }).apiKeyId), [SEED.keyA1]);
});

test('scopes beyond the preset and a key that never expired: carried over; the expiry renewed by the flags', async () => {
  const w = await world();
  const res = await w.cli(['rotate', SEED.keyB1, '--json', '--expires-in', '30d']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as RotatedDoc;
  assert.deepEqual(doc.api_key.scopes, [...PRESET_SCOPES, 'yc.serverless.mcpGateways.invoke']);
  assertIn(doc.api_key.expires_at, 30 * DAY);
  const again = await w.cli(['rotate', doc.api_key.id, '--json', '--no-expiry']);
  assert.equal(again.exitCode, 0, again.stderr);
  const doc2 = JSON.parse(again.stdout) as RotatedDoc;
  assert.equal(doc2.api_key.expires_at, null);
  assert.equal(doc2.api_key.description.replace(MARKER, ''), 'b1', 'one marker, not one per rotation');
  assert.deepEqual(doc2.revoked, [doc.api_key.id]);
  assert.deepEqual(keysOf(w, SEED.botB), [doc2.api_key.id]);
});

test("config expires-in sets the new key's expiry, as for create", async () => {
  const w = await world();
  const configDir = tempDir();
  const set = await w.cli(['config', 'set', 'expires-in', '14d'], { configDir });
  assert.equal(set.exitCode, 0, set.stderr);
  const res = await w.cli(['rotate', SEED.keyA2, '--json'], { configDir });
  assert.equal(res.exitCode, 0, res.stderr);
  assertIn((JSON.parse(res.stdout) as RotatedDoc).api_key.expires_at, 14 * DAY);
});

test('--keep-old: "revoked": [], both keys live, a note on what to do', async () => {
  const w = await world();
  const res = await w.cli(['rotate', '--keep-old', SEED.keyA1, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as RotatedDoc;
  assert.deepEqual(doc.revoked, []);
  assert.deepEqual(keysOf(w, SEED.botA), [SEED.keyA1, SEED.keyA2, doc.api_key.id].sort());
  assert.deepEqual(w.emu.mutations().map((m) => m.method), ['ApiKeyService/Create']);
  assert.match(res.stderr, new RegExp(`^Kept the old API key ${SEED.keyA1} \\(--keep-old\\)\\. Once apps use the new key: aistudio-key revoke --yes ${SEED.keyA1}\\n$`));
});

test('stdout closed (EPIPE): the new key is removed, the old one stays, exit 1 saying so', async () => {
  const w = await world();
  const before = w.emu.state.apiKeys().map((k) => k.id).sort();
  const res = await w.cli(['rotate', SEED.keyA1, '--json'], { stdoutError: 'EPIPE' });
  assert.equal(res.exitCode, 1);
  const err = JSON.parse(res.stderr) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'delivery_failed');
  assert.match(err.error.message, /^Could not write the result to stdout: whatever was reading it has closed it \(EPIPE\)\./);
  assert.match(err.error.message, new RegExp(`Nobody received the secret, so the new API key \\w+ was revoked; the old key ${SEED.keyA1} was not touched and still works`));
  assert.deepEqual(w.emu.state.apiKeys().map((k) => k.id).sort(), before, 'exactly the keys there were');
  const [created, deleted] = w.emu.mutations();
  assert.equal(created?.method, 'ApiKeyService/Create');
  assert.equal(deleted?.method, 'ApiKeyService/Delete');
  assert.notEqual((deleted?.request as { apiKeyId: string }).apiKeyId, SEED.keyA1, 'the delete was of the new key');
  w.assertNoSecrets(res);

  // The same in text mode, where the error is a line on stderr.
  const text = await w.cli(['rotate', SEED.keyA1], { stdoutError: 'EPIPE' });
  assert.equal(text.exitCode, 1);
  assert.match(text.stderr, /^Error: Could not write the result to stdout: whatever was reading it has closed it \(EPIPE\)\.\n {2}Nobody received the secret, so the new API key \w+ was revoked/);
  assert.deepEqual(w.emu.state.apiKeys().map((k) => k.id).sort(), before);
});

test('a missing key: exit 1, a clear message, nothing changed', async () => {
  const w = await world();
  const res = await w.cli(['rotate', 'ajenosuchkey00000000']);
  assert.equal(res.exitCode, 1);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Error: API key ajenosuchkey00000000 was not found: it was revoked already, or this credential cannot see it\. Nothing was rotated\.\n {2}`aistudio-key list --all` lists the keys/);
  assert.deepEqual(w.emu.mutations(), []);
});

test('a key on an account aistudio-key did not make is rotated, with a note; the account is left as it was', async () => {
  const w = await world();
  const account = () => w.emu.state.serviceAccounts().find((s) => s.id === w.ids.foreignServiceAccountId);
  const labels = account()?.labels;
  const res = await w.cli(['rotate', SEED.legacyKey, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as RotatedDoc;
  assert.deepEqual(doc.api_key.scopes, ['yc.ai.translate.execute']);
  assert.deepEqual(doc.revoked, [SEED.legacyKey]);
  assert.deepEqual(keysOf(w, w.ids.foreignServiceAccountId), [doc.api_key.id]);
  assert.deepEqual(account()?.labels, labels);
  assert.match(res.stderr, /was not made by aistudio-key \(no managed-by=aistudio-key label\); its key was rotated all the same/);
});

test('text: create\'s rows, then Replaces; the revocation noted on stderr', async () => {
  const w = await world();
  const res = await w.cli(['rotate', SEED.keyA1]);
  assert.equal(res.exitCode, 0, res.stderr);
  const lines = res.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.slice(0, 16).trimEnd()), ['Service account', 'Folder', 'Roles', 'Scopes', 'Expires', 'API key ID', 'Secret', 'Replaces']);
  assert.equal(lines.at(-1), `Replaces        ${SEED.keyA1}`);
  assert.equal(
    res.stderr,
    `The secret is shown only once and cannot be retrieved later: store it now.\nRevoked the old API key ${SEED.keyA1}; apps still using it stop working now.\n`,
  );

  const kept = await w.cli(['rotate', '--keep-old', SEED.keyA2]);
  assert.equal(kept.stdout.trimEnd().split('\n').at(-1), `Replaces        ${SEED.keyA2} (kept: --keep-old)`);
});

test('env: create\'s lines exactly; yaml: the document with revoked', async () => {
  const w = await world();
  const env = await w.cli(['rotate', SEED.keyA1, '--format', 'env']);
  assert.equal(env.exitCode, 0, env.stderr);
  assert.match(env.stdout, /^YC_API_KEY='[^']+'\nYC_API_KEY_ID='\w{20}'\nYC_FOLDER_ID='\w{20}'\n$/);
  const yaml = await w.cli(['rotate', SEED.keyA2, '--format', 'yaml']);
  assert.equal(yaml.exitCode, 0, yaml.stderr);
  assert.match(yaml.stdout, new RegExp(`\\nrevoked:\\n {2}- ${SEED.keyA2}\\n$`));
});

test('a viewer may not issue keys: exit 3, nothing changed', async () => {
  const w = await world();
  const res = await w.cli(['rotate', SEED.keyA1], { env: { YC_IAM_TOKEN: w.ids.viewerIamToken } });
  assert.equal(res.exitCode, EXIT_CODES.auth, res.stderr);
  assert.equal(res.stdout, '');
  assert.deepEqual(w.emu.mutations().filter((m) => m.status === 'OK'), []);
  assert.ok(w.emu.state.apiKeys().some((k) => k.id === SEED.keyA1));
});

test('revoking the old key is refused after delivery: the new key stays, exit 3 naming the old key', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Delete', { kind: 'error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
  const res = await w.cli(['rotate', SEED.keyA1, '--json']);
  assert.equal(res.exitCode, EXIT_CODES.auth);
  const doc = JSON.parse(res.stdout) as RotatedDoc;
  const err = JSON.parse(res.stderr) as { error: { message: string } };
  assert.match(err.error.message, new RegExp(`The new API key ${doc.api_key.id} was delivered and works, but the old key ${SEED.keyA1} is still live`));
  assert.deepEqual(keysOf(w, SEED.botA), [SEED.keyA1, SEED.keyA2, doc.api_key.id].sort());
});

test('bad input is exit 2 before any call; a pasted secret is not echoed', async () => {
  const w = await world();
  for (const [argv, pattern] of [
    [['rotate', 'not-a-key'], /^Error: <keyId>: expected an API key ID, 20 lowercase letters and digits/],
    [['rotate', 'AQVNsecretlookingthing0123456789abcdef'], /got an API key secret \(AQVN…\)/],
    [['rotate', SEED.keyA1, '--expires-in', '1d', '--no-expiry'], /--expires-in and --no-expiry: pass only one of them/],
    [['rotate', SEED.keyA1, '--expires-at', '2001-01-01'], /^Error: --expires-at: must be in the future/],
  ] as Array<[string[], RegExp]>) {
    const res = await w.cli(argv);
    assert.equal(res.exitCode, 2, argv.join(' '));
    assert.match(res.stderr, pattern);
    assert.ok(!res.stderr.includes('AQVNsecret'));
  }
  assert.deepEqual(w.emu.journal, []);
});

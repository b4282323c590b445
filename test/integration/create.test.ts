/**
 * `create` for real: the CLI in-process (runCli) -> src/cloud/connect.ts -> the SDK over TLS -> the
 * emulator. Formats, credentials, bad input (no mutation in the journal), permission and token
 * failures, rollback after key and binding failures, foreign bindings, and Ctrl-C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import type { Emulator } from '../emulator/index.js';
import { Interrupter, tempDir, type RunCliOptions } from '../helpers/run-cli.js';
import { count, createWorlds, type CreateWorld } from '../helpers/create-world.js';

const world = createWorlds();
type World = CreateWorld;


/** The run's secret, asserted to be printed exactly once on stdout and never on stderr. */
function assertSecretOnce(emu: Emulator, stdout: string, stderr: string): string {
  const issued = emu.secrets().filter((s) => s.startsWith('AQVN') && stdout.includes(s));
  assert.equal(issued.length, 1, 'exactly one issued API key secret is on stdout');
  const secret = issued[0] ?? '';
  assert.equal(count(stdout, secret), 1, 'printed once');
  for (const s of emu.secrets()) assert.equal(count(stderr, s), 0, 'no token or secret on stderr');
  return secret;
}

function assertCreated(w: World, before: string[]): { id: string } {
  const mine = w.emu.state.serviceAccounts().filter((s) => s.labels['managed-by'] === 'aistudio-key');
  assert.equal(mine.length, 1, 'one managed account');
  const sa = mine[0] ?? { id: '' };
  const keys = w.emu.state.apiKeys().filter((k) => k.serviceAccountId === sa.id);
  assert.equal(keys.length, 1, 'one key');
  assert.deepEqual(keys[0]?.scopes, [...PRESET_SCOPES]);
  const after = w.bindings();
  assert.deepEqual(after.filter((b) => !b.endsWith(sa.id)), before, 'foreign bindings untouched');
  assert.deepEqual(after.filter((b) => b.endsWith(sa.id)), PRESET_ROLES.map((r) => `${r} serviceAccount:${sa.id}`).sort());
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0, 'never SetAccessBindings');
  assert.equal(w.emu.calls('FolderService/UpdateAccessBindings').length, 1, 'one UpdateAccessBindings');
  return sa;
}

/** Nothing made by a failed run remains. */
function assertNothingLeft(w: World, before: string[], keysBefore: number, accountsBefore: number): void {
  assert.equal(w.emu.state.serviceAccounts().length, accountsBefore, 'no account left');
  assert.equal(w.emu.state.apiKeys().length, keysBefore, 'no key left');
  assert.deepEqual(w.bindings(), before, 'bindings as they were');
}

test('json: one document, secret once, the preset made, foreign bindings kept', async () => {
  const w = await world();
  const before = w.bindings();
  const res = await w.create(['--folder-id', w.ids.folderId, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as { secret: string; api_key: { id: string; service_account_id: string }; service_account: { id: string; folder_id: string }; roles: string[] };
  assert.equal(doc.secret, assertSecretOnce(w.emu, res.stdout, res.stderr));
  const sa = assertCreated(w, before);
  assert.equal(doc.service_account.id, sa.id);
  assert.equal(doc.api_key.service_account_id, sa.id);
  assert.equal(doc.service_account.folder_id, w.ids.folderId);
  assert.deepEqual(doc.roles, [...PRESET_ROLES]);
});

test('text, yaml and env: the secret once on stdout in each', async () => {
  for (const format of ['text', 'yaml', 'env'] as const) {
    const w = await world();
    const before = w.bindings();
    const res = await w.create(['--folder-id', w.ids.folderId, '--format', format]);
    assert.equal(res.exitCode, 0, `${format}: ${res.stderr}`);
    const secret = assertSecretOnce(w.emu, res.stdout, res.stderr);
    assertCreated(w, before);
    if (format === 'yaml') assert.equal((parseYaml(res.stdout) as { secret: string }).secret, secret);
    if (format === 'env') assert.match(res.stdout, new RegExp(`^YC_API_KEY='${secret}'\nYC_API_KEY_ID='\\w+'\nYC_FOLDER_ID='${w.ids.folderId}'\n$`));
    if (format === 'text') assert.match(res.stderr, /shown only once/);
  }
});

test('--folder-name resolves within the only cloud', async () => {
  const w = await world();
  const res = await w.create(['--folder-name', 'staging', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).service_account.folder_id, w.ids.otherFolderId);
});

test('each credential kind creates a key', async () => {
  const w = await world();
  const keyFile = join(tempDir(), 'key.json');
  writeFileSync(keyFile, JSON.stringify(w.ids.authorizedKey));
  const home = tempDir();
  mkdirSync(join(home, '.config', 'yandex-cloud'), { recursive: true });
  writeFileSync(join(home, '.config', 'yandex-cloud', 'config.yaml'), `current: p\nprofiles:\n  p:\n    token: ${w.ids.userIamToken}\n    folder-id: ${w.ids.folderId}\n`);
  const http = new URL(w.emu.httpUrl).host;
  const none = { YC_IAM_TOKEN: undefined };
  const cases: Array<[string, string[], RunCliOptions]> = [
    ['--iam-token', ['--iam-token', w.ids.userIamToken], { env: none }],
    ['--iam-token-file -', ['--iam-token-file', '-'], { env: none, stdin: `${w.ids.userIamToken}\n` }],
    ['YC_IAM_TOKEN', [], {}],
    ['YC_TOKEN (IAM)', [], { env: { ...none, YC_TOKEN: w.ids.userIamToken } }],
    ['YC_OAUTH_TOKEN', [], { env: { ...none, YC_OAUTH_TOKEN: w.ids.userOauthToken } }],
    ['--sa-key-file', ['--sa-key-file', keyFile], { env: none }],
    ['YC_SERVICE_ACCOUNT_KEY_FILE', [], { env: { ...none, YC_SERVICE_ACCOUNT_KEY_FILE: keyFile } }],
    ['--federated-token', ['--federated-token', w.ids.federatedSubjectToken, '--service-account-id', w.ids.serviceAccountId], { env: { ...none, YC_TOKEN_EXCHANGE_URL: `${w.emu.httpUrl}/oauth/token` } }],
    ['yc profile', [], { env: none, homedir: home }],
    ['metadata service', [], { env: { ...none, YC_METADATA_ADDR: http } }],
  ];
  for (const [name, flags, opts] of cases) {
    const argv = name === 'yc profile' ? [...flags, '--json'] : ['--folder-id', w.ids.folderId, ...flags, '--json'];
    const res = await w.create(argv, opts);
    assert.equal(res.exitCode, 0, `${name}: ${res.stderr}`);
    const doc = JSON.parse(res.stdout) as { secret: string };
    assert.match(doc.secret, /^AQVN/, name);
    for (const s of w.emu.secrets()) assert.equal(count(res.stderr, s), 0, `${name}: no secret on stderr`);
    if (name === 'YC_OAUTH_TOKEN') assert.match(res.stderr, /OAuth/i, 'a deprecation note');
  }
});

test('every bad input: exit 2, one line naming the flag, no mutating call', async () => {
  const w = await world();
  const F = w.ids.folderId;
  const cases: Array<[string[], RegExp, RunCliOptions?]> = [
    [['--folder-id', 'default'], /^--folder-id: /],
    [['--folder-id', F, '--name', 'Bad_Name'], /^--name: /],
    [['--folder-id', F, '--description', 'x'.repeat(257)], /^--description: /],
    [['--folder-id', F, '--expires-at', '2001-01-01'], /^--expires-at: must be in the future/],
    [['--folder-id', F, '--expires-in', 'forever'], /^--expires-in: /],
    [['--folder-id', F, '--scopes', 'yc.unknown.scope'], /^--scopes: unknown scope/],
    [['--folder-id', F, '--scopes', ''], /^--scopes: /],
    [['--folder-id', F, '--roles', 'not a role'], /^--roles: /],
    [['--folder-id', F, '--no-expiry', '--expires-in', '1d'], /^--expires-in and --no-expiry: pass only one of them/],
    [['--folder-id', F, '--format', 'xml'], /^--format: /],
    [[], /^YC_FOLDER_ID: /, { env: { YC_FOLDER_ID: 'not-an-id' } }],
    [['--folder-name', 'no-such-folder-x', '--cloud-id', 'bad'], /^--cloud-id: /],
    [['--folder-id', F, '--unknown'], /^unknown option '--unknown'/],
  ];
  for (const [argv, message, opts] of cases) {
    const res = await w.create(argv, opts);
    assert.equal(res.exitCode, 2, `${argv.join(' ')}: ${res.stderr}`);
    assert.equal(res.stdout, '');
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match((lines[0] ?? '').replace(/^Error: /, ''), message);
  }
  assert.deepEqual(w.emu.mutations(), [], 'nothing changed in the cloud');
});

test('a name taken elsewhere in the cloud: exit 1 naming --name, nothing left', async () => {
  const w = await world();
  const before = w.bindings();
  const accounts = w.emu.state.serviceAccounts().length;
  const res = await w.create(['--folder-id', w.ids.folderId, '--name', w.ids.otherFolderServiceAccountName]);
  assert.equal(res.exitCode, 1, res.stderr);
  assert.match(res.stderr, /--name.*already exists/);
  assertNothingLeft(w, before, 0, accounts);
});

test('permission denied: exit 3 with a clear message, nothing left', async () => {
  const w = await world();
  const before = w.bindings();
  const accounts = w.emu.state.serviceAccounts().length;
  const res = await w.create(['--folder-id', w.ids.folderId], { env: { YC_IAM_TOKEN: w.ids.viewerIamToken } });
  assert.equal(res.exitCode, 3, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Error: You may not create service account .*iam\.serviceAccounts\.admin/);
  assertNothingLeft(w, before, 0, accounts);
});

test('a rejected token: exit 3', async () => {
  const w = await world();
  const res = await w.create(['--folder-id', w.ids.folderId, '--json'], { env: { YC_IAM_TOKEN: 't1.not-a-real-token.xxxxxxxx' } });
  assert.equal(res.exitCode, 3, res.stderr);
  assert.equal(JSON.parse(res.stderr).error.code, 'unauthenticated');
  assert.equal(res.stdout, '');
});

test('rollback after key failure: no account, binding or key left', async () => {
  const w = await world();
  const before = w.bindings();
  const accounts = w.emu.state.serviceAccounts().length;
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'injected' });
  const res = await w.create(['--folder-id', w.ids.folderId, '--json']);
  assert.equal(res.exitCode, 1, res.stderr);
  assert.equal(res.stdout, '');
  const err = JSON.parse(res.stderr) as { error: { message: string } };
  assert.match(err.error.message, /Cleaned up what this run created: .*role bindings.*service account/);
  assertNothingLeft(w, before, 0, accounts);
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0);
});

test('rollback after binding failure: the issued key and the account are removed', async () => {
  const w = await world();
  const before = w.bindings();
  const accounts = w.emu.state.serviceAccounts().length;
  w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'operation-error', code: 'FAILED_PRECONDITION', message: 'injected' });
  const res = await w.create(['--folder-id', w.ids.folderId]);
  assert.equal(res.exitCode, 1, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /Cleaned up what this run created: API key \w+.*service account/);
  assertNothingLeft(w, before, 0, accounts);
  assert.equal(w.emu.calls('ApiKeyService/Delete').length, 1);
  for (const s of w.emu.secrets()) assert.equal(count(res.stderr, s), 0);
});

test('--dry-run changes nothing and prints the plan', async () => {
  const w = await world();
  const res = await w.create(['--folder-id', w.ids.folderId, '--dry-run', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const plan = JSON.parse(res.stdout) as { dry_run: boolean; folder: { name: string }; checks: { existing_bindings: number } };
  assert.equal(plan.dry_run, true);
  assert.equal(plan.folder.name, 'default');
  assert.equal(plan.checks.existing_bindings, w.bindings().length);
  assert.deepEqual(w.emu.mutations(), []);
});

test('Ctrl-C while waiting for the account: it is deleted once created, exit 130', async () => {
  const w = await world({ operationDelayMs: 300 });
  const accounts = w.emu.state.serviceAccounts().length;
  const interrupter = new Interrupter();
  const pending = w.create(['--folder-id', w.ids.folderId], { interrupter });
  while (w.emu.calls('ServiceAccountService/Create').length === 0) await new Promise((r) => setTimeout(r, 5));
  interrupter.send('SIGINT');
  const res = await pending;
  assert.equal(res.exitCode, 130, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /Interrupted/);
  assert.equal(w.emu.state.serviceAccounts().length, accounts);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 0, 'no new work after Ctrl-C');
});

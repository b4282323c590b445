/**
 * `create` end to end in-process with an in-memory gateway (deps.connect returns a FakeGateway):
 * formats, where the folder comes from, what goes to stdout and stderr, failures and clean-up,
 * Ctrl-C and --timeout. The same flows against the real SDK and the emulator live in test/integration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AuthError, CloudError } from '../../src/errors.js';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { CLOUD_ID, FakeGateway, FOLDER_ID, FOREIGN_BINDING, OTHER_FOLDER_ID } from '../helpers/fake-gateway.js';
import { Interrupter, runCli, tempDir, type RunCliOptions } from '../helpers/run-cli.js';
import { fakeIamToken } from '../helpers/fakes.js';

const TOKEN = fakeIamToken();
const NOW = new Date('2026-11-27T12:00:00Z');

function setup(extra: RunCliOptions = {}) {
  const gw = new FakeGateway();
  const opts: RunCliOptions = {
    now: () => NOW,
    connect: async () => gw.connection(),
    ...extra,
    env: { YC_IAM_TOKEN: TOKEN, ...extra.env },
  };
  return { gw, run: (argv: string[]) => runCli(['create', ...argv], opts) };
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function theSecret(gw: FakeGateway): string {
  const [k] = [...gw.apiKeys.values()];
  assert.ok(k, 'a key exists');
  return k.secret;
}

test('json: one document on stdout, the secret exactly once, nothing secret on stderr', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as { secret: string; api_key: { id: string; scopes: string[]; expires_at: string }; service_account: { folder_id: string; name: string }; roles: string[] };
  const secret = theSecret(gw);
  assert.equal(doc.secret, secret);
  assert.equal(count(res.stdout, secret), 1);
  assert.equal(count(res.stderr, secret), 0);
  assert.equal(res.stderr, '', 'a pipe-friendly run prints nothing else');
  assert.deepEqual(doc.api_key.scopes, [...PRESET_SCOPES]);
  assert.deepEqual(doc.roles, [...PRESET_ROLES]);
  assert.equal(doc.api_key.expires_at, '2027-02-25T12:00:00Z', 'default expiry: 90 days');
  assert.equal(doc.service_account.folder_id, FOLDER_ID);
  assert.match(doc.service_account.name, /^aistudio-20261127-[a-z0-9]{6}$/);
  assert.equal(gw.closed, 1, 'the connection is closed');
});

test('text: ID and secret on stdout, the once-only note on stderr', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID]);
  assert.equal(res.exitCode, 0, res.stderr);
  const secret = theSecret(gw);
  assert.match(res.stdout, new RegExp(`^Secret +${secret}$`, 'm'));
  assert.match(res.stdout, /^API key ID +ajk\w+$/m);
  assert.match(res.stderr, /shown only once/);
  assert.equal(count(res.stderr, secret), 0);
});

test('yaml: the same document as YAML', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--format', 'yaml']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = parseYaml(res.stdout) as { secret: string };
  assert.equal(doc.secret, theSecret(gw));
});

test('env: three single-quoted assignments', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--format', 'env']);
  assert.equal(res.exitCode, 0, res.stderr);
  const key = [...gw.apiKeys.values()][0];
  assert.equal(res.stdout, `YC_API_KEY='${key?.secret}'\nYC_API_KEY_ID='${key?.apiKey.id}'\nYC_FOLDER_ID='${FOLDER_ID}'\n`);
});

test('the account gets the label, name and description; the key gets the description, scopes and expiry', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--name', 'my-bot', '--description', 'CI key', '--expires-at', '2027-01-31', '--scopes', 'yc.ai.languageModels.execute', '--roles', 'ai.editor']);
  assert.equal(res.exitCode, 0, res.stderr);
  const [sa] = [...gw.serviceAccounts.values()];
  assert.deepEqual({ name: sa?.name, description: sa?.description, labels: { ...sa?.labels, 'aistudio-key-run': '*' } }, { name: 'my-bot', description: 'CI key', labels: { 'managed-by': 'aistudio-key', 'aistudio-key-run': '*' } });
  const key = [...gw.apiKeys.values()][0]?.apiKey;
  assert.match(key?.description ?? '', /^CI key \[aistudio-key run [a-z0-9]{10}\]$/, 'the description, then the run marker');
  assert.ok(key?.description.endsWith(`[aistudio-key run ${sa?.labels['aistudio-key-run'] ?? '?'}]`), 'the account carries the same run id as a label');
  assert.deepEqual(key?.scopes, ['yc.ai.languageModels.execute']);
  assert.equal(key?.expiresAt?.toISOString(), '2027-01-31T00:00:00.000Z');
  assert.deepEqual(gw.bindingsOf(FOLDER_ID, sa?.id ?? '').map((b) => b.roleId), ['ai.editor']);
  assert.ok(gw.folders.get(FOLDER_ID)?.bindings.some((b) => b.subject.id === FOREIGN_BINDING.subject.id), 'foreign binding preserved');
});

test('--no-expiry makes a key without expiry', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--no-expiry', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).api_key.expires_at, null);
  assert.equal([...gw.apiKeys.values()][0]?.apiKey.expiresAt, undefined);
});

test('folder precedence: flag beats YC_FOLDER_ID beats config beats the yc profile', async () => {
  const configDir = tempDir();
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ folderId: OTHER_FOLDER_ID, expiresIn: '7d' }));
  const home = tempDir();
  mkdirSync(join(home, '.config', 'yandex-cloud'), { recursive: true });
  writeFileSync(join(home, '.config', 'yandex-cloud', 'config.yaml'), `current: p\nprofiles:\n  p:\n    folder-id: b1gprofile0000000001\n`);

  const folderOf = async (argv: string[], env: Record<string, string>) => {
    const { gw, run } = setup({ configDir, homedir: home, env });
    const res = await run([...argv, '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    return { folder: JSON.parse(res.stdout).service_account.folder_id as string, gw };
  };
  assert.equal((await folderOf(['--folder-id', FOLDER_ID], { YC_FOLDER_ID: OTHER_FOLDER_ID })).folder, FOLDER_ID);
  assert.equal((await folderOf([], { YC_FOLDER_ID: FOLDER_ID })).folder, FOLDER_ID);
  const fromConfig = await folderOf([], {});
  assert.equal(fromConfig.folder, OTHER_FOLDER_ID);
  assert.equal([...fromConfig.gw.apiKeys.values()][0]?.apiKey.expiresAt?.toISOString(), '2026-12-04T12:00:00.000Z', 'config expires-in applies');

  const bare = tempDir();
  const { gw, run } = setup({ configDir: bare, homedir: home });
  gw.folders.set('b1gprofile0000000001', { id: 'b1gprofile0000000001', cloudId: CLOUD_ID, name: 'prof', bindings: [] });
  const res = await run(['--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).service_account.folder_id, 'b1gprofile0000000001', 'the yc profile is the last resort');
});

test('--folder-name resolves within the only cloud', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-name', 'other', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).service_account.folder_id, OTHER_FOLDER_ID);
  assert.deepEqual(gw.calls.slice(0, 2).map((c) => c.method), ['listClouds', 'listFolders']);
});

test('no folder anywhere: exit 2 before any call', async () => {
  const { gw, run } = setup();
  const res = await run([]);
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /^Error: --folder-id: no folder given/);
  assert.equal(gw.calls.length, 0);
  assert.equal(res.connects.length, 0);
});

test('a malformed YC_FOLDER_ID: exit 2 naming it, before connecting', async () => {
  const { gw, run } = setup({ env: { YC_FOLDER_ID: 'my-folder' } });
  const res = await run([]);
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /^Error: YC_FOLDER_ID: expected a folder ID/);
  assert.equal(res.stderr.trim().split('\n').length, 1);
  assert.equal(gw.calls.length, 0);
  assert.equal(res.connects.length, 0);
});

test('an unreadable --ca-file: exit 2 before connecting', async () => {
  const { run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--ca-file', '/nonexistent/ca.pem']);
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /^Error: --ca-file: cannot read "\/nonexistent\/ca.pem" \(ENOENT\)/);
  assert.equal(res.connects.length, 0);
});

test('connect gets the endpoint (flag > YC_ENDPOINT > config > default), the CA and the credential', async () => {
  const dir = tempDir();
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const configDir = tempDir();
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ endpoint: 'config.example:443' }));

  let r = await setup().run(['--folder-id', FOLDER_ID]);
  assert.equal(r.connects[0]?.endpoint, 'api.cloud.yandex.net:443');
  assert.equal(r.connects[0]?.caPem, undefined);
  assert.deepEqual(r.connects[0]?.credential, { kind: 'iam-token', source: 'env:YC_IAM_TOKEN', token: TOKEN });

  r = await setup({ configDir }).run(['--folder-id', FOLDER_ID]);
  assert.equal(r.connects[0]?.endpoint, 'config.example:443');
  r = await setup({ configDir, env: { YC_ENDPOINT: 'env.example:443' } }).run(['--folder-id', FOLDER_ID]);
  assert.equal(r.connects[0]?.endpoint, 'env.example:443');
  r = await setup({ configDir, env: { YC_ENDPOINT: 'env.example:443' } }).run(['--folder-id', FOLDER_ID, '--endpoint', 'localhost:8443', '--ca-file', ca, '--retries', '5']);
  assert.equal(r.connects[0]?.endpoint, 'localhost:8443');
  assert.match(r.connects[0]?.caPem?.toString() ?? '', /BEGIN CERTIFICATE/);
  assert.equal(r.connects[0]?.retries, 5);
});

test('key failure: exit 1, stdout empty, the clean-up reported, nothing left', async () => {
  const { gw, run } = setup();
  gw.fail('createApiKey', () => new CloudError('The service is unavailable.', { status: 'UNAVAILABLE' }));
  const res = await run(['--folder-id', FOLDER_ID]);
  assert.equal(res.exitCode, 1);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Error: The service is unavailable\.\n {2}Cleaned up what this run created: 5 role bindings on folder/);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
});

test('binding failure under --json: one error object on stderr, stdout empty, the issued key removed', async () => {
  const { gw, run } = setup();
  gw.fail('addFolderAccessBindings', () => new AuthError('Permission denied to folder.', { code: 'permission_denied' }));
  const res = await run(['--folder-id', FOLDER_ID, '--json']);
  assert.equal(res.exitCode, 3);
  assert.equal(res.stdout, '');
  const doc = JSON.parse(res.stderr) as { error: { code: string; message: string } };
  assert.equal(doc.error.code, 'permission_denied');
  assert.match(doc.error.message, /^Permission denied to folder\. Cleaned up what this run created: API key ajk/);
  assert.equal(gw.apiKeys.size, 0);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.doesNotMatch(res.stderr, /AQVN/);
});

test('--dry-run: the plan, read-only calls only', async () => {
  const { gw, run } = setup();
  const res = await run(['--folder-id', FOLDER_ID, '--dry-run', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as { dry_run: boolean; folder: { name: string }; roles: string[] };
  assert.equal(doc.dry_run, true);
  assert.equal(doc.folder.name, 'default');
  assert.deepEqual(doc.roles, [...PRESET_ROLES]);
  assert.equal(gw.mutations().length, 0);
});

test('Ctrl-C: calls in flight settle, everything is removed, exit 130 with stdout empty', async () => {
  const interrupter = new Interrupter();
  const { gw, run } = setup({ interrupter });
  const key = gw.hold('createApiKey');
  const pending = run(['--folder-id', FOLDER_ID, '--json']);
  await key.entered;
  interrupter.send('SIGINT');
  key.release();
  const res = await pending;
  assert.equal(res.exitCode, 130);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Interrupted: finishing calls in flight/);
  const err = JSON.parse(res.stderr.split('\n').filter(Boolean).at(-1) ?? '') as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'interrupted');
  assert.match(err.error.message, /Cleaned up what this run created: API key .*service account/);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.equal(gw.apiKeys.size, 0);
  assert.equal(gw.log.filter((l) => l.startsWith('start')).length, gw.log.filter((l) => l.startsWith('end')).length, 'nothing left running');
  assert.equal(interrupter.listening, false, 'the handler is removed after the run');
});

test('a second Ctrl-C exits at once and says what may be left', async () => {
  const interrupter = new Interrupter();
  const { gw, run } = setup({ interrupter });
  const key = gw.hold('createApiKey');
  const pending = run(['--folder-id', FOLDER_ID, '--name', 'my-bot']);
  await key.entered;
  // The bindings call, in parallel with the held key call, has settled by the next macrotask.
  await new Promise((r) => setImmediate(r));
  interrupter.send('SIGINT');
  interrupter.send('SIGINT');
  key.release();
  const res = await pending;
  assert.deepEqual(res.exits, [130]);
  assert.match(res.stderr, /Exiting at once\. This run may have left: service account my-bot \(aje\w+\) in folder b1gfolder00000000001; roles ai\.editor,/);
});

test('--timeout: gives up, cleans up, exits 1 with a deadline error', async () => {
  const { gw, run } = setup();
  const key = gw.hold('createApiKey');
  const pending = run(['--folder-id', FOLDER_ID, '--timeout', '1s', '--json']);
  await key.entered;
  await new Promise((r) => setTimeout(r, 1100));
  key.release();
  const res = await pending;
  assert.equal(res.exitCode, 1);
  assert.equal(JSON.parse(res.stderr).error.code, 'deadline_exceeded');
  assert.equal(gw.serviceAccounts.size, 0);
});

test('progress: a spinner on a terminal stderr, none in CI, with NO_COLOR or when piped', async () => {
  const tty = await setup({ isTTY: true }).run(['--folder-id', FOLDER_ID]);
  assert.equal(tty.exitCode, 0, tty.stderr);
  assert.match(tty.stderr, /Creating the service account…/);
  assert.ok(tty.stderr.includes('\u001b['), 'terminal control codes');
  for (const env of [{ CI: 'true' }, { NO_COLOR: '1' }]) {
    const res = await setup({ isTTY: true, env }).run(['--folder-id', FOLDER_ID, '--json']);
    assert.equal(res.stderr, '', JSON.stringify(env));
  }
  const piped = await setup({ stdoutIsTTY: false, stderrIsTTY: false }).run(['--folder-id', FOLDER_ID]);
  assert.doesNotMatch(piped.stderr, /Creating/);
  assert.ok(!piped.stderr.includes('\u001b['), 'no control codes');
});

test('--debug logs to stderr with tokens and the secret redacted', async () => {
  const { gw, run } = setup({ env: { YC_IAM_TOKEN: undefined } });
  const res = await run(['--folder-id', FOLDER_ID, '--iam-token', TOKEN, '--debug', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stderr, /debug: credential: iam-token from flag:--iam-token/);
  assert.match(res.stderr, /debug: created API key ajk/);
  assert.equal(count(res.stderr, TOKEN), 0);
  assert.equal(count(res.stderr, theSecret(gw)), 0);
});

test('a taken name: exit 1 with a message naming --name; nothing else created', async () => {
  const { gw, run } = setup();
  assert.equal((await run(['--folder-id', FOLDER_ID, '--name', 'taken-name'])).exitCode, 0);
  const res = await run(['--folder-id', OTHER_FOLDER_ID, '--name', 'taken-name']);
  assert.equal(res.exitCode, 1);
  assert.match(res.stderr, /^Error: --name: a service account named "taken-name" already exists in this cloud/);
  assert.equal(gw.serviceAccounts.size, 1);
  assert.equal(gw.apiKeys.size, 1);
});

test('a malformed folder from env is reported before the credential chain runs (exit 2, not 3)', async () => {
  const res = await runCli(['create'], { env: { YC_FOLDER_ID: 'my-folder' } });
  assert.equal(res.exitCode, 2, res.stderr);
  assert.match(res.stderr, /^Error: YC_FOLDER_ID: /);
});

test('a malformed config expires-in is a usage error naming the file', async () => {
  const configDir = tempDir();
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ expiresIn: 'soon' }));
  const { gw, run } = setup({ configDir });
  const res = await run(['--folder-id', FOLDER_ID]);
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /^Error: config expires-in \(.*config\.json\): expected a duration like 90d, or never/);
  assert.equal(gw.calls.length, 0);
});

test('stdout closed (EPIPE): nobody holds the secret, so the key is revoked and everything removed; exit 1', async () => {
  const { gw, run } = setup({ stdoutError: 'EPIPE' });
  const res = await run(['--folder-id', FOLDER_ID]);
  assert.equal(res.exitCode, 1);
  assert.match(res.stderr, /^Error: Could not write the result to stdout: whatever was reading it has closed it \(EPIPE\)\.\n {2}Nobody received the secret, so API key ajk\w+ was revoked/);
  assert.doesNotMatch(res.stderr, /AQVN|shown only once/, 'no secret, and no "store it now" note for a key that is gone');
  assert.equal(gw.callsOf('deleteApiKey').length, 1);
  assert.equal(gw.apiKeys.size, 0);
  assert.equal(gw.serviceAccounts.size, 0);
  assert.deepEqual(gw.folders.get(FOLDER_ID)?.bindings, [FOREIGN_BINDING]);
});

test('the run id marking the key comes from deps.randomInt, so each run has its own', async () => {
  const { gw, run } = setup();
  assert.equal((await run(['--folder-id', FOLDER_ID])).exitCode, 0);
  assert.equal((await run(['--folder-id', FOLDER_ID])).exitCode, 0);
  const markers = [...gw.apiKeys.values()].map((k) => /\[aistudio-key run ([a-z0-9]{10})\]$/.exec(k.apiKey.description)?.[1]);
  assert.equal(markers.length, 2);
  assert.notEqual(markers[0], markers[1]);
});

/**
 * End to end: the built `bin/aistudio-key.js` as a child process, with an isolated HOME and an env
 * holding only what each test passes, against the emulator in this process. Catches shebang, ESM,
 * dist/ and flush problems that in-process tests cannot see.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { ensureBuilt } from '../helpers/build.js';
import { runBin, type BinRun } from '../helpers/run-bin.js';
import { ageKeyPair, ageOpen } from '../helpers/age.js';

const SECRET_SHAPE = /AQVN[A-Za-z0-9_-]{35,38}/g;

let emu: Emulator;
let ids: DefaultIds;

before(async () => {
  await ensureBuilt();
  const seeded = defaultFixture();
  ids = seeded.ids;
  emu = await startEmulator({ fixture: seeded.fixture, operationDelayMs: 20 });
});
after(async () => emu.stop());

interface Run extends BinRun { ms: number }

/** The repository's built bin (runBin), with a fresh empty HOME and config dir. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-e2e-home-'));
  const started = performance.now();
  const r = await runBin(args, { env: { HOME: home, AISTUDIO_KEY_CONFIG_DIR: join(home, 'config'), ...env } });
  return { ...r, ms: performance.now() - started };
}

const target = () => ['--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId];

test('--version prints the package version and nothing else', async () => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = await run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
  assert.equal(r.stderr, '');
});

test('create --format json prints one document whose secret is the new key, exactly once, on stdout only', async () => {
  const r = await run(['create', ...target(), '--format', 'json'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { secret: string; api_key: { id: string; scopes: string[] }; service_account: { id: string } };
  assert.match(doc.secret, /^AQVN[A-Za-z0-9_-]{36}$/);
  assert.equal(r.stdout.match(SECRET_SHAPE)?.length, 1, 'the secret appears once on stdout');
  assert.ok(!r.stderr.includes(doc.secret), 'the secret never reaches stderr');
  assert.ok(!r.stderr.includes(ids.userIamToken), 'the token never reaches stderr');
  const key = emu.state.apiKeys().find((k) => k.id === doc.api_key.id);
  assert.ok(key, 'the printed key exists in the cloud');
  assert.equal(key.serviceAccountId, doc.service_account.id);
  assert.equal(doc.api_key.scopes.length, 9);
});

test('create --format env output, sourced by bash, yields the same key', async () => {
  const r = await run(['create', ...target(), '--format', 'env'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(r.code, 0, r.stderr);
  const envFile = join(mkdtempSync(join(tmpdir(), 'aistudio-e2e-env-')), 'key.env');
  await writeFile(envFile, r.stdout, { mode: 0o600 });
  const sourced = await new Promise<string>((resolve, reject) => {
    const sh = spawn('bash', ['-c', 'source "$1"; printf "%s\\n%s\\n%s" "$YC_API_KEY" "$YC_API_KEY_ID" "$YC_FOLDER_ID"', 'bash', envFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sh.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    sh.on('close', (c) => (c === 0 ? resolve(out) : reject(new Error(`bash exited ${c}`))));
  });
  const [secret, keyId, folderId] = sourced.split('\n');
  assert.match(secret ?? '', /^AQVN/);
  assert.ok(emu.state.apiKeys().some((k) => k.id === keyId));
  assert.equal(folderId, ids.folderId);
});

test('bad input exits 2 with one line naming the flag, and changes nothing', async () => {
  const before = emu.mutations().length;
  const r = await run(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--expires-in', 'soon'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--expires-in/);
  assert.equal(emu.mutations().length, before);
});

test('no credential at all exits 3 fast and lists what was tried', async () => {
  const r = await run(['create', ...target()]);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /YC_IAM_TOKEN/);
  assert.ok(r.ms < 2000, `took ${Math.round(r.ms)} ms`);
});

test('a viewer is refused with exit 3, an explanation, and nothing left behind', async () => {
  const sasBefore = emu.state.serviceAccounts().length;
  const r = await run(['create', ...target(), '--json'], { YC_IAM_TOKEN: ids.viewerIamToken });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /permission|denied|role/i);
  assert.equal(emu.state.serviceAccounts().length, sasBefore);
});

test('create --format secret: the built bin prints the secret and one newline, nothing else; --count 2 is exit 2', async () => {
  const r = await run(['create', ...target(), '--format', 'secret'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^AQVN[A-Za-z0-9_-]{36}\n$/);
  assert.ok(emu.secrets().includes(r.stdout.trimEnd()), 'the secret the cloud issued');
  assert.ok(!r.stderr.includes(r.stdout.trimEnd()));
  const before = emu.mutations().length;
  const refused = await run(['create', ...target(), '--format', 'secret', '--count', '2'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stdout, '');
  assert.equal(emu.mutations().length, before);
});

test('create --encrypt-to: the built bin (age bundled) prints a ciphertext that age decrypts to the new key, no plaintext', async () => {
  const me = await ageKeyPair();
  const r = await run(['create', ...target(), '--encrypt-to', me.recipient, '--json'], { YC_IAM_TOKEN: ids.userIamToken });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { secret?: string; secret_encrypted: string };
  assert.equal(doc.secret, undefined);
  const secret = await ageOpen(doc.secret_encrypted, me.identity);
  assert.ok(emu.secrets().includes(secret));
  assert.equal(r.stdout.match(SECRET_SHAPE), null, 'no plaintext secret on stdout');
  assert.equal(r.stderr.match(SECRET_SHAPE), null, 'nor on stderr');
});

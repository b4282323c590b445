/**
 * Secret hygiene (issue #7): a representative set of runs — successes in every format and with every
 * kind of credential, failures, a lost answer, a closed stdout, Ctrl-C, a dry run, the read-only
 * commands, all under --debug where it makes sense, plus one spawned real process — then every
 * token, JWT and API key secret the emulator issued or received is looked for in: all stderr (debug
 * lines included), all stdout, the config directory and HOME the runs used, and every file created
 * in the OS temp directory meanwhile. A token may appear nowhere. An API key secret may appear only on
 * the stdout of the successful run that created it, exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { Interrupter, runCli, tempDir, type RunCliOptions, type RunCliResult } from '../helpers/run-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What bin/aistudio-key.js does, on src/ through tsx (so this file needs no build). */
const ENTRY = `
  import { main } from './src/main.ts';
  import { createDeps, installProcessGuards } from './src/deps.ts';
  installProcessGuards();
  process.exitCode = await main(['node', 'aistudio-key', ...process.argv.slice(1)], createDeps());`;
const FAST: RunCliOptions['target'] = { backoff: { baseMs: 1, maxMs: 4 }, poll: { firstDelayMs: 1, factor: 1.5, maxDelayMs: 10 } };

interface Output {
  label: string;
  stdout: string;
  stderr: string;
  ok: boolean;
  code: number | null;
}

let emu: Emulator;
let ids: DefaultIds;
const outputs: Output[] = [];
const configDir = tempDir('aistudio-key-hygiene-config-');
const homedir = tempDir('aistudio-key-hygiene-home-');
const startedAt = Date.now();
const tmpBefore = new Set(readdirSync(tmpdir()));

before(async () => {
  const seeded = defaultFixture();
  ids = seeded.ids;
  emu = await startEmulator({ fixture: seeded.fixture, operationDelayMs: 5 });
});
after(async () => emu.stop());

function record(label: string, r: Pick<RunCliResult, 'exitCode' | 'stdout' | 'stderr'>): void {
  outputs.push({ label, stdout: r.stdout, stderr: r.stderr, ok: r.exitCode === 0, code: r.exitCode });
}

async function run(label: string, argv: string[], opts: RunCliOptions = {}): Promise<RunCliResult> {
  const r = await runCli([argv[0] ?? '', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, ...argv.slice(1)], {
    configDir,
    homedir,
    target: FAST,
    ...opts,
    env: { YC_IAM_TOKEN: ids.userIamToken, YC_FOLDER_ID: ids.folderId, ...opts.env },
  });
  record(label, r);
  return r;
}

/** Files under `dir` (recursively), skipping what cannot be read (other test processes come and go). */
function filesUnder(dir: string, depth = 6): string[] {
  if (depth < 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path, depth - 1);
    return e.isFile() ? [path] : [];
  });
}

function readSmall(path: string): string | undefined {
  try {
    return statSync(path).size <= 2_000_000 ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

test('a representative set of runs', async (t) => {
  const keyFile = join(tempDir('aistudio-key-hygiene-key-'), 'key.json');
  writeFileSync(keyFile, JSON.stringify(ids.authorizedKey), { mode: 0o600 });
  const plain = { YC_IAM_TOKEN: undefined };

  const expect = (r: RunCliResult, code: number, label: string): void => assert.equal(r.exitCode, code, `${label}: ${r.stderr}`);
  expect(await run('create --json', ['create', '--json']), 0, 'json');
  expect(await run('create text --debug', ['create', '--debug']), 0, 'text');
  expect(await run('create yaml --iam-token --debug', ['create', '--format', 'yaml', '--iam-token', ids.userIamToken, '--debug'], { env: plain }), 0, 'yaml');
  expect(await run('create env, OAuth, --debug', ['create', '--format', 'env', '--debug'], { env: { ...plain, YC_OAUTH_TOKEN: ids.userOauthToken } }), 0, 'oauth');
  expect(await run('create, authorized key, --debug', ['create', '--json', '--sa-key-file', keyFile, '--debug'], { env: plain }), 0, 'sa key');
  expect(await run('create --dry-run --debug', ['create', '--dry-run', '--debug']), 0, 'dry run');

  emu.inject('ApiKeyService/Create', { kind: 'lost-answer' });
  expect(await run('create, key answer lost, --debug', ['create', '--json', '--debug']), 0, 'lost answer');
  emu.inject('FolderService/UpdateAccessBindings', { kind: 'operation-error', code: 'FAILED_PRECONDITION' });
  expect(await run('create, bindings fail after the key was issued, --debug', ['create', '--debug']), 1, 'bindings fail');
  expect(await run('create, stdout closed, --debug', ['create', '--json', '--debug'], { stdoutError: 'EPIPE' }), 1, 'epipe');
  expect(await run('create, viewer, --debug', ['create', '--debug'], { env: { YC_IAM_TOKEN: ids.viewerIamToken } }), 3, 'viewer');
  const expired = emu.issueIamToken(ids.userId, { ttlMs: -1000 });
  expect(await run('create, expired token, --debug', ['create', '--json', '--debug'], { env: { YC_IAM_TOKEN: expired } }), 3, 'expired');
  expect(await run('create, bad flag', ['create', '--expires-in', 'soon', '--iam-token', ids.userIamToken]), 2, 'usage');

  const interrupter = new Interrupter();
  emu.setOperationDelay(200);
  const creates = emu.calls('ServiceAccountService/Create').length;
  const pending = run('create, Ctrl-C, --debug', ['create', '--debug'], { interrupter });
  while (emu.calls('ServiceAccountService/Create').length === creates) await new Promise((r) => setTimeout(r, 5));
  interrupter.send('SIGINT');
  expect(await pending, 130, 'ctrl-c');
  emu.setOperationDelay(5);

  // The read-only commands (their own tests own their behaviour; here only what they print matters).
  await run('whoami --debug', ['whoami', '--debug']);
  await run('list --debug', ['list', '--debug', '--all']);
  await run('list --json', ['list', '--json']);
  await run('scopes --debug', ['scopes', '--debug']);
  await runCli(['config', 'set', 'folder-id', ids.folderId], { configDir, homedir }).then((r) => record('config set', r));

  // One real process: the shim's set-up, Node's own warnings, the real stdout and stderr.
  const spawned = await new Promise<Output>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', 'create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--json', '--debug', '--iam-token', ids.userIamToken], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: homedir, AISTUDIO_KEY_CONFIG_DIR: configDir, YC_FOLDER_ID: ids.folderId, YC_METADATA_ADDR: '127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ label: 'spawned create --debug', stdout, stderr, ok: code === 0, code }));
  });
  outputs.push(spawned);
  assert.ok(spawned.ok, spawned.stderr);
  assert.ok(outputs.filter((o) => o.stderr.includes('debug: rpc ')).length >= 8, 'the debug runs logged their calls');
  t.diagnostic(outputs.map((o) => `${o.label}: exit ${String(o.code)}`).join('; '));
});

test('no token or secret anywhere but the stdout of the run that created it, once', (t) => {
  const jwts = emu.calls('IamTokenService/Create').map((e) => (e.request as { jwt?: string }).jwt).filter((j): j is string => Boolean(j));
  assert.ok(jwts.length > 0, 'the authorized-key run sent a JWT');
  const keySecrets = emu.secrets().filter((s) => s.startsWith('AQVN'));
  const tokens = [...emu.secrets().filter((s) => !s.startsWith('AQVN')), ...jwts];
  assert.ok(keySecrets.length >= 8 && tokens.length >= 6, `scanned for ${keySecrets.length} key secrets and ${tokens.length} tokens`);
  const privateKeyBody = ids.authorizedKey.private_key.split('\n').find((l) => l.length > 40) ?? '';

  const count = (text: string, needle: string): number => text.split(needle).length - 1;
  for (const o of outputs) {
    for (const t of tokens) {
      assert.equal(count(o.stderr, t), 0, `${o.label}: a token on stderr`);
      assert.equal(count(o.stdout, t), 0, `${o.label}: a token on stdout`);
    }
    assert.ok(!o.stderr.includes(privateKeyBody), `${o.label}: the private key on stderr`);
    assert.ok(!/DEP0123|DeprecationWarning/.test(o.stderr), `${o.label}: Node warnings on stderr`);
    for (const s of keySecrets) {
      assert.equal(count(o.stderr, s), 0, `${o.label}: a key secret on stderr`);
      if (!o.ok) assert.equal(count(o.stdout, s), 0, `${o.label}: a key secret on the stdout of a failed run`);
    }
  }
  // Each key secret: at most once over all stdout, and only if that key still exists (the ones
  // deleted — a lost answer's orphan, the rolled-back runs — were never printed).
  const alive = new Set(emu.state.apiKeys().map((k) => k.id));
  const printed = keySecrets.filter((s) => outputs.some((o) => o.stdout.includes(s)));
  for (const s of printed) assert.equal(outputs.reduce((n, o) => n + count(o.stdout, s), 0), 1, 'a secret printed more than once');
  assert.ok(printed.length >= 6, `the successful creates printed their secrets (${printed.length})`);
  assert.ok(printed.length < keySecrets.length, 'some secrets were issued and never printed (orphan, rolled back)');
  assert.ok(alive.size > 0);

  // Files: the config dir and HOME of the runs, and whatever appeared in the temp dir meanwhile.
  const newTmp = readdirSync(tmpdir()).filter((name) => !tmpBefore.has(name)).map((name) => join(tmpdir(), name));
  const files = [...filesUnder(configDir), ...filesUnder(homedir), ...newTmp.flatMap((p) => (statSafe(p)?.isDirectory() ? filesUnder(p) : [p]))];
  let scanned = 0;
  for (const file of new Set(files)) {
    if (statSafe(file)?.mtimeMs !== undefined && (statSafe(file)?.mtimeMs ?? 0) < startedAt - 1000) continue;
    const text = readSmall(file);
    if (text === undefined) continue;
    scanned += 1;
    for (const s of [...tokens, ...keySecrets]) assert.ok(!text.includes(s), `a token or secret in ${file}`);
  }
  assert.ok(scanned >= 1, 'at least the config file was scanned');
  t.diagnostic(
    `${outputs.length} runs (${outputs.filter((o) => o.ok).length} succeeded), ${tokens.length} tokens and JWTs, ${keySecrets.length} key secrets (${printed.length} printed), ${scanned} files scanned`,
  );
});

function statSafe(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

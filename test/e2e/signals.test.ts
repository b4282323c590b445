/**
 * Issue #7 with the real process: the built bin/aistudio-key.js spawned against the emulator in this
 * process. SIGINT while the account's operation runs, SIGTERM while the key is being issued, a
 * stdout whose reader has gone (`| true`) or whose disk is full (`> /dev/full`), and stderr free of
 * Node's own noise (DEP0123, which grpc-js triggers when the endpoint is an IP address).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { ensureBuilt } from '../helpers/build.js';

const BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));

before(() => ensureBuilt());

const running: Emulator[] = [];
after(async () => {
  await Promise.all(running.map((e) => e.stop()));
});

interface World {
  emu: Emulator;
  ids: DefaultIds;
  args: string[];
  env: Record<string, string>;
  /** Accounts, keys and folder bindings, to compare before and after. */
  snapshot(): { accounts: string[]; keys: string[]; bindings: string[] };
}

async function world(options: EmulatorOptions = {}): Promise<World> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, ...options });
  running.push(emu);
  const home = mkdtempSync(join(tmpdir(), 'aistudio-e2e-signals-'));
  return {
    emu,
    ids,
    args: ['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--json'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AISTUDIO_KEY_CONFIG_DIR: join(home, 'config'),
      YC_METADATA_ADDR: '127.0.0.1:1',
      YC_IAM_TOKEN: ids.userIamToken,
    },
    snapshot: () => ({
      accounts: emu.state.serviceAccounts().map((a) => a.id).sort(),
      keys: emu.state.apiKeys().map((k) => k.id).sort(),
      bindings: emu.state.folderBindings(ids.folderId).map((b) => `${b.roleId} ${b.subject.id}`).sort(),
    }),
  };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function start(w: World, extra: string[] = []): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...w.args, ...extra], { env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collect(child) };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function assertNoSecrets(emu: Emulator, text: string, where: string): void {
  for (const s of emu.secrets()) assert.ok(!text.includes(s), `a token or secret on ${where}`);
}

test('SIGINT while the account\'s operation runs: waits for it, deletes the account, exits 130', async () => {
  const w = await world({ operationDelayMs: 1500 });
  const before = w.snapshot();
  const { child, done } = start(w);
  await until('the account create call', () => w.emu.calls('ServiceAccountService/Create').length > 0);
  await until('a poll of its operation', () => w.emu.calls('OperationService/Get').length > 0);
  child.kill('SIGINT');
  // The account's operation still runs its 1.5 s; the clean-up's own operations need not.
  w.emu.setOperationDelay(20);
  const r = await done;

  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^Interrupted: finishing calls in flight and removing what this run created/);
  const err = JSON.parse(r.stderr.trimEnd().split('\n').at(-1) ?? '') as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'interrupted');
  assert.match(err.error.message, /Cleaned up what this run created: service account aistudio-\d{8}-\w+ \(\w+\)/);
  assert.deepEqual(w.snapshot(), before, 'nothing left in the cloud');
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 0, 'no new work after SIGINT');
  assert.equal(w.emu.calls('FolderService/UpdateAccessBindings').length, 0, 'no new work after SIGINT');
  const done2 = w.emu.state.operations().find((o) => o.method === 'ServiceAccountService/Create');
  assert.equal(done2?.done, true, 'the operation in flight was waited for');
  assertNoSecrets(w.emu, r.stderr, 'stderr');
});

test('SIGTERM while the key is being issued: the key call settles, everything is removed, exit 130', async () => {
  const w = await world({ operationDelayMs: 20 });
  const before = w.snapshot();
  w.emu.inject('ApiKeyService/Create', { kind: 'delay', ms: 1200 });
  const { child, done } = start(w);
  // Bindings and key go out together; once the bindings' operation has been polled, the key call is in flight.
  await until('the binding update', () => w.emu.calls('FolderService/UpdateAccessBindings').length > 0);
  child.kill('SIGTERM');
  const r = await done;

  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '', 'no secret on stdout');
  assert.match(r.stderr, /^Terminated: finishing calls in flight/);
  assert.deepEqual(w.emu.calls('ApiKeyService/Create').map((e) => e.status), ['OK'], 'the key call in flight was waited for');
  assert.equal(w.emu.calls('ApiKeyService/Delete').length, 1, 'and its key revoked');
  assert.deepEqual(w.snapshot(), before, 'nothing left in the cloud');
  assertNoSecrets(w.emu, r.stderr, 'stderr');
});

test('`create --json | true`: the reader has gone, so the key is revoked and the account removed; exit 1', async () => {
  const w = await world({ operationDelayMs: 5 });
  const before = w.snapshot();
  // bash reports node's own exit code; `true` exits long before node has a result to write.
  const child = spawn('bash', ['-c', '"$0" "$@" | true; exit "${PIPESTATUS[0]}"', process.execPath, BIN, ...w.args], {
    env: w.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const r = await collect(child);

  assert.equal(r.code, 1, r.stderr);
  const err = JSON.parse(r.stderr.trimEnd().split('\n').at(-1) ?? '') as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'delivery_failed');
  assert.match(err.error.message, /^Could not write the result to stdout: whatever was reading it has closed it \(EPIPE\)\. Nobody received the secret, so API key \w+ was revoked/);
  assert.deepEqual(w.emu.calls('ApiKeyService/Create').map((e) => e.status), ['OK'], 'a key was issued');
  assert.equal(w.emu.calls('ApiKeyService/Delete').length, 1, 'and revoked');
  assert.deepEqual(w.snapshot(), before, 'the account and its roles are gone too');
  assertNoSecrets(w.emu, r.stderr, 'stderr');
});

test('`create > /dev/full`: disk full, the same undo; exit 1', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async () => {
  const w = await world({ operationDelayMs: 5 });
  const before = w.snapshot();
  const full = openSync('/dev/full', 'w');
  const child = spawn(process.execPath, [BIN, ...w.args], { env: w.env, stdio: ['ignore', full, 'pipe'] });
  closeSync(full);
  const r = await collect(child);

  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no space left on the device \(ENOSPC\)\. Nobody received the secret, so API key \w+ was revoked/);
  assert.deepEqual(w.snapshot(), before);
  assertNoSecrets(w.emu, r.stderr, 'stderr');
});

test('a successful run against an IP endpoint prints nothing on stderr: no DEP0123 or other Node noise', async () => {
  const w = await world({ operationDelayMs: 5 });
  assert.match(w.emu.endpoint, /^127\.0\.0\.1:\d+$/, 'the endpoint is an IP address, which makes grpc-js trigger DEP0123');
  const r = await start(w).done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'stderr is empty');
  const doc = JSON.parse(r.stdout) as { secret: string };
  assert.equal(r.stdout.split(doc.secret).length - 1, 1, 'the secret once, on stdout');
});

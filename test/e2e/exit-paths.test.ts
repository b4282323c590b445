/**
 * Issue #14 items 10 and 13 with the real process (the built bin/aistudio-key.js): every exit path
 * ends the process. A stalled endpoint (TCP accepted, never a TLS or HTTP/2 answer: the emulator's
 * startStalledEndpoint) under --timeout, SIGTERM and SIGINT; a normal run, and `create --count 20`,
 * whose stderr must hold no MaxListenersExceededWarning.
 *
 * Bounds are generous (the machine is shared): what is asserted is that the process ended at all,
 * with the exit code of the table, long before the 60 s a stuck process would be killed at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFixture, startEmulator, startStalledEndpoint, type Emulator, type StalledEndpoint } from '../emulator/index.js';
import { ensureBuilt } from '../helpers/build.js';

const BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));
/** A process still alive this long after its cue is stuck; it is killed and the test fails. */
const STUCK_MS = 20_000;

let emu: Emulator;
let stalled: StalledEndpoint;
let ids: ReturnType<typeof defaultFixture>['ids'];

before(async () => {
  await ensureBuilt();
  const seeded = defaultFixture();
  ids = seeded.ids;
  [emu, stalled] = await Promise.all([startEmulator({ fixture: seeded.fixture, operationDelayMs: 5 }), startStalledEndpoint()]);
});
after(async () => {
  await Promise.all([emu.stop(), stalled.stop()]);
});

function env(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-e2e-exit-'));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AISTUDIO_KEY_CONFIG_DIR: join(home, 'config'),
    YC_METADATA_ADDR: '127.0.0.1:1',
    YC_IAM_TOKEN: ids.userIamToken,
  };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the process had to be killed because it did not end on its own. */
  stuck: boolean;
}

function run(args: string[], onStart?: (child: ChildProcess, stderr: () => string) => void): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stuck = false;
  let killer: NodeJS.Timeout | undefined;
  const armKiller = (): void => {
    clearTimeout(killer);
    killer = setTimeout(() => {
      stuck = true;
      child.kill('SIGKILL');
    }, STUCK_MS);
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  armKiller();
  onStart?.(child, () => stderr);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, stuck });
    }),
  );
}

const stalledArgs = (): string[] => ['create', '--endpoint', stalled.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--json'];

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a stalled endpoint with --timeout 3s: "Gave up…", exit 1, and the process ends', async () => {
  const r = await run([...stalledArgs(), '--timeout', '3s']);
  assert.equal(r.stuck, false, `the process was still alive ${STUCK_MS} ms after it started; stderr: ${r.stderr}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Gave up after --timeout 3s\./);
  assert.equal(r.stdout, '');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a stalled endpoint without --timeout: ${signal} ends the process with exit 130`, async () => {
    const acceptedBefore = stalled.accepted();
    let sentAt = 0;
    const r = await run(stalledArgs(), (child) => {
      void until('the connection to the stalled endpoint', () => stalled.accepted() > acceptedBefore).then(() => {
        sentAt = Date.now();
        child.kill(signal);
      });
    });
    assert.ok(sentAt > 0, 'the signal was sent');
    assert.equal(r.stuck, false, `the process was still alive after ${signal}; stderr: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, signal === 'SIGTERM' ? /^Terminated:/ : /^Interrupted:/);
    assert.equal(r.stdout, '');
  });
}

test('a normal create ends on its own: no handle is left open once the key is printed', async () => {
  const r = await run(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--json']);
  assert.equal(r.stuck, false, 'the process did not exit on its own');
  assert.equal(r.code, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { secret?: string }).secret);
});

test('create --count 20: no MaxListenersExceededWarning (or any other warning) on stderr', async () => {
  const r = await run(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--json', '--count', '20']);
  assert.equal(r.stuck, false);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning|Warning:/);
  assert.equal((JSON.parse(r.stdout) as unknown[]).length, 20);
});

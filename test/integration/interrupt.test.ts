/**
 * Ctrl-C and --timeout against the emulator, in-process: calls in flight are waited for only up to
 * the grace period, after which the account the cloud named when it accepted the call is deleted by
 * id; that clean-up is bounded too (deps.cleanupBoundMs); a second Ctrl-C says what may be left,
 * naming the account being created.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { Interrupter, runCli, type RunCliOptions } from '../helpers/run-cli.js';

const running: Emulator[] = [];
after(async () => {
  await Promise.all(running.map((e) => e.stop()));
});

async function world(operationDelayMs: number): Promise<{ emu: Emulator; ids: DefaultIds; create(argv: string[], opts?: RunCliOptions): ReturnType<typeof runCli> }> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, operationDelayMs });
  running.push(emu);
  return {
    emu,
    ids,
    create: (argv, opts = {}) =>
      runCli(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, ...argv], {
        target: { poll: { maxDelayMs: 50 } },
        ...opts,
        env: { YC_IAM_TOKEN: ids.userIamToken, ...opts.env },
      }),
  };
}

const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

test('Ctrl-C while an operation will not finish: waiting stops after the grace period, the account is deleted by id, exit 130', async () => {
  const w = await world(60_000);
  const accounts = w.emu.state.serviceAccounts().length;
  const interrupter = new Interrupter();
  const pending = w.create(['--json'], { interrupter, interruptGraceMs: 300 });
  await until(() => w.emu.calls('ServiceAccountService/Create').length > 0);
  interrupter.send('SIGINT');
  w.emu.setOperationDelay(5); // the clean-up's own operations finish
  const res = await pending;

  assert.equal(res.exitCode, 130, res.stderr);
  assert.equal(res.stdout, '');
  const err = JSON.parse(res.stderr.trimEnd().split('\n').at(-1) ?? '') as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'interrupted');
  assert.match(err.error.message, /Cleaned up what this run created: service account aistudio-\S+ \(\w+\)/);
  assert.equal(w.emu.state.serviceAccounts().length, accounts, 'the account is gone');
  assert.equal(w.emu.state.operations().find((o) => o.method === 'ServiceAccountService/Create')?.done, false, 'its operation never finished');
  // The run ended though the operation never will: waiting stopped (after the grace period, which
  // test/unit/interrupts.test.ts checks without a clock).
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 0);
});

test('a second Ctrl-C while the account is being created names it (id included) as possibly left', async () => {
  const w = await world(60_000);
  const interrupter = new Interrupter();
  const pending = w.create(['--name', 'half-made'], { interrupter, interruptGraceMs: 200 });
  await until(() => w.emu.calls('OperationService/Get').length > 0);
  const id = w.emu.state.serviceAccounts().find((a) => a.name === 'half-made')?.id ?? 'missing';
  interrupter.send('SIGINT');
  interrupter.send('SIGINT');
  w.emu.setOperationDelay(5);
  const res = await pending;
  assert.deepEqual(res.exits, [130]);
  assert.match(res.stderr, new RegExp(`Exiting at once\\. This run may have left: service account half-made \\(${id}\\) in folder ${w.ids.folderId}, being created\\.`));
});

test('--timeout while an operation will not finish: the same bounded clean-up, exit 1 with a deadline error', async () => {
  const w = await world(60_000);
  const accounts = w.emu.state.serviceAccounts().length;
  const pending = w.create(['--timeout', '1s', '--json'], { interruptGraceMs: 200 });
  // The create's operation (60 s) exists: the clean-up's own operations, made later, finish at once.
  // (Waiting real time here instead raced the run under load: a clean-up that began first waited
  // out a 60 s operation of its own.)
  await until(() => w.emu.state.operations().some((o) => o.method === 'ServiceAccountService/Create'));
  w.emu.setOperationDelay(5);
  const res = await pending;
  assert.equal(res.exitCode, 1, res.stderr);
  const err = JSON.parse(res.stderr) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'deadline_exceeded');
  assert.match(err.error.message, /^Gave up after --timeout 1s\. Cleaned up what this run created: service account/);
  assert.equal(w.emu.state.serviceAccounts().length, accounts);
});

test('a clean-up whose own operations will not finish is bounded too: what it could not confirm is listed by id', async () => {
  const w = await world(60_000);
  const interrupter = new Interrupter();
  const pending = w.create(['--json'], { interrupter, interruptGraceMs: 100, cleanupBoundMs: 300 });
  await until(() => w.emu.state.operations().some((o) => o.method === 'ServiceAccountService/Create'));
  interrupter.send('SIGTERM');
  const res = await pending;

  assert.equal(res.exitCode, 130, res.stderr);
  assert.equal(res.stdout, '');
  const err = JSON.parse(res.stderr.trimEnd().split('\n').at(-1) ?? '') as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'interrupted');
  assert.equal(w.emu.calls('ServiceAccountService/Delete').length, 1, 'the clean-up sent the delete');
  assert.equal(w.emu.state.operations().find((o) => o.method === 'ServiceAccountService/Delete')?.done, false, 'its operation never finished');
  assert.match(err.error.message, /Could not clean up: service account aistudio-\S+ \((\w+)\) \(Stopped waiting for operation \w+ \(Delete service account\).*delete it with `yc iam service-account delete \1`/);
});

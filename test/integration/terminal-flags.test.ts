/**
 * Issue #15 items 6 and 8, in-process against the emulator: --no-color and --quiet (global flags, gh's
 * conventions), what to do with a new key (hints on stderr at a terminal only), the folder picker
 * at a terminal, and the folders listed when a --folder-name is not found.
 * test/e2e/installed-terminal.test.ts does the same through the installed package in a pseudo-terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideOutputMode, type Format } from '../../src/output/mode.js';
import { createWorlds } from '../helpers/create-world.js';
import { runCli } from '../helpers/run-cli.js';

const world = createWorlds();
const ESC = String.fromCharCode(27);
const SECRET = /AQVN[A-Za-z0-9_-]{36}/g;
const tty = { format: 'text' as Format, stdoutIsTTY: true, stderrIsTTY: true, stderrColumns: 80 };

test('mode: --no-color beats FORCE_COLOR; --quiet stops the spinner and leaves colour alone', () => {
  const forced = decideOutputMode({ ...tty, stdoutIsTTY: false, stderrIsTTY: false, env: { FORCE_COLOR: '3' }, noColor: true });
  assert.equal(forced.stdoutColor, false);
  assert.equal(forced.stderrColor, false);
  const off = decideOutputMode({ ...tty, env: {}, noColor: true });
  assert.deepEqual([off.stdoutColor, off.stderrColor, off.spinner], [false, false, false]);
  const quiet = decideOutputMode({ ...tty, env: {}, quiet: true });
  assert.deepEqual([quiet.stdoutColor, quiet.stderrColor, quiet.spinner, quiet.quiet], [true, true, false, true]);
});

test('at a terminal: the key, then on stderr how to use it (the header, YC_API_KEY, the folder), never the secret', async () => {
  const w = await world({ operationDelayMs: 50 });
  const r = await w.create(['--folder-id', w.ids.folderId], { isTTY: true });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(new Set(r.stdout.match(SECRET)).size, 1);
  assert.deepEqual(r.stderr.match(SECRET) ?? [], [], 'no secret on stderr');
  assert.match(r.stderr, /Authorization: Api-Key <secret>/);
  assert.match(r.stderr, /YC_API_KEY/);
  assert.ok(r.stderr.includes(`gpt://${w.ids.folderId}/`), 'the folder in a model URI');
});

test('no hints into a pipe, in a machine format, or with --quiet; --quiet leaves stderr empty at a terminal', async () => {
  const w = await world({ operationDelayMs: 50 });
  const runs = {
    pipe: await w.create(['--folder-id', w.ids.folderId], { stderrIsTTY: true }),
    json: await w.create(['--folder-id', w.ids.folderId, '--json'], { isTTY: true }),
    quiet: await w.create(['--folder-id', w.ids.folderId, '--quiet'], { isTTY: true }),
    q: await w.create(['-q', '--folder-id', w.ids.folderId], { isTTY: true }),
  };
  for (const [label, r] of Object.entries(runs)) {
    assert.equal(r.exitCode, 0, `${label}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Api-Key/, label);
    assert.equal(new Set(r.stdout.match(SECRET)).size, 1, label);
  }
  assert.equal(runs.quiet.stderr, '', 'no spinner, no note, no hint');
  assert.equal(runs.q.stderr, '');
  assert.match(runs.pipe.stderr, /shown only once/, 'without --quiet the note stays');
});

test('--quiet: errors still on stderr (exit 2, one line); warnings still show', async () => {
  const w = await world();
  const bad = await w.create(['--folder-id', w.ids.folderId, '--quiet', '--expires-in', 'soon'], { isTTY: true });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--expires-in/);
  const warned = await w.create(['--folder-id', w.ids.folderId, '--quiet', '--json', '--iam-token', w.ids.userIamToken]);
  assert.equal(warned.exitCode, 0, warned.stderr);
  assert.match(warned.stderr, /Warning: --iam-token puts the token on the command line/);
});

test('--no-color: not one escape sequence with FORCE_COLOR=1 at a terminal, in the result, the progress or an error', async () => {
  const w = await world({ operationDelayMs: 100 });
  const ok = await w.create(['--folder-id', w.ids.folderId, '--no-color'], { isTTY: true, env: { FORCE_COLOR: '1' } });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.ok(!ok.stdout.includes(ESC) && !ok.stderr.includes(ESC), JSON.stringify(ok.stderr.slice(0, 300)));
  const coloured = await w.create(['--folder-id', w.ids.folderId], { isTTY: true, env: { FORCE_COLOR: '1' } });
  assert.ok(coloured.stdout.includes(ESC), 'without the flag FORCE_COLOR colours (the test can fail)');
  const bad = await w.create(['--no-color', '--expires-in', 'soon'], { isTTY: true, env: { FORCE_COLOR: '1' } });
  assert.equal(bad.exitCode, 2);
  assert.ok(!bad.stderr.includes(ESC), JSON.stringify(bad.stderr));
});

test('no folder at a terminal: the folders the credential sees are offered, and the chosen one is used', async () => {
  const w = await world();
  const r = await w.create([], { isTTY: true, stdinIsTTY: true, stdin: '2\n' });
  assert.equal(r.exitCode, 0, r.stderr);
  const offered = [...r.stderr.matchAll(/^\s+(\d+)\) (\S+)\s+(b1g\w+)/gm)].map((m) => ({ n: m[1], name: m[2], id: m[3] }));
  assert.deepEqual(offered.map((o) => o.name).sort(), [w.ids.folderName, w.ids.otherFolderName].sort());
  const chosen = offered.find((o) => o.n === '2');
  assert.ok(chosen);
  const account = w.emu.state.serviceAccounts().find((a) => r.stdout.includes(a.id));
  assert.equal(account?.folderId, chosen.id, 'the account is in the chosen folder');
});

test('no folder: without a terminal exit 2 before connecting; a bad answer exit 2 with nothing changed', async () => {
  const w = await world();
  const before = w.emu.mutations().length;
  const piped = await w.create([], { stdinIsTTY: false, stderrIsTTY: true, stdin: '1\n' });
  assert.equal(piped.exitCode, 2, piped.stderr);
  assert.match(piped.stderr, /--folder-id: no folder given/);
  assert.equal(w.emu.calls('FolderService/List').length, 0, 'nothing listed without a terminal');
  for (const answer of ['x\n', '9\n', '']) {
    const r = await w.create([], { isTTY: true, stdinIsTTY: true, stdin: answer });
    assert.equal(r.exitCode, 2, `${JSON.stringify(answer)}: ${r.stderr}`);
    assert.match(r.stderr, /expected a number from 1 to 2/);
  }
  assert.equal(w.emu.mutations().length, before);
});

test('No folder named "x": the folders it fetched are listed, exit code of not-found', async () => {
  const w = await world();
  const r = await w.create(['--folder-name', 'nope'], {});
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /No folder named "nope"/);
  assert.ok(r.stderr.includes(`${w.ids.folderName} (${w.ids.folderId})`), r.stderr);
  assert.ok(r.stderr.includes(`${w.ids.otherFolderName} (${w.ids.otherFolderId})`), r.stderr);
  assert.equal(w.emu.calls('FolderService/List').length, 1, 'one List call');
});

test('--quiet at a confirmation: what it is about still shows with the question; "n" is exit 6 with nothing revoked', async () => {
  const w = await world();
  const made = await w.create(['--folder-id', w.ids.folderId, '--json']);
  assert.equal(made.exitCode, 0, made.stderr);
  const keyId = (JSON.parse(made.stdout) as { api_key: { id: string } }).api_key.id;
  const r = await runCli(['revoke', keyId, '--quiet', '--endpoint', w.emu.endpoint, '--ca-file', w.emu.caFile], {
    isTTY: true,
    stdinIsTTY: true,
    stdin: 'n\n',
    env: { YC_IAM_TOKEN: w.ids.userIamToken },
  });
  assert.equal(r.exitCode, 6, r.stderr);
  assert.match(r.stderr, /About to revoke; apps using this key stop working at once:\n {2}\S*/);
  assert.ok(r.stderr.includes(keyId), r.stderr);
  assert.match(r.stderr, /Revoke this API key\? \[y\/N\] /);
  assert.ok(w.emu.state.apiKeys().some((k) => k.id === keyId));
});

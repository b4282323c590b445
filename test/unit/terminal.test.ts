/**
 * Terminals as they are (issue #12): colour and spinner decided from the streams and FORCE_COLOR,
 * NO_COLOR, TERM and CI (src/output/mode.ts), and the whole CLI on a terminal of 0 columns or
 * TERM=dumb, in-process against the emulator. test/e2e/terminal.test.ts does the same in a real
 * pseudo-terminal with the installed package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideOutputMode, type Format } from '../../src/output/mode.js';
import { createProgress } from '../../src/output/spinner.js';
import { createWorlds } from '../helpers/create-world.js';

const tty = { format: 'text' as Format, stdoutIsTTY: true, stderrIsTTY: true, stderrColumns: 80 };
const piped = { format: 'text' as Format, stdoutIsTTY: false, stderrIsTTY: false, stderrColumns: undefined };

test('no spinner when the width of stderr is 0 or unknown, or TERM=dumb; colour stays', () => {
  assert.equal(decideOutputMode({ ...tty, env: {} }).spinner, true);
  for (const stderrColumns of [0, undefined, Number.NaN]) {
    const mode = decideOutputMode({ ...tty, stderrColumns, env: {} });
    assert.equal(mode.spinner, false, String(stderrColumns));
    assert.equal(mode.stderrColor, true, 'a terminal without a size still shows colour');
  }
});

test('TERM=dumb: no spinner and no colour on either stream', () => {
  assert.deepEqual(decideOutputMode({ ...tty, env: { TERM: 'dumb' } }), { format: 'text', human: true, stdoutColor: false, stderrColor: false, spinner: false, quiet: false });
  assert.equal(decideOutputMode({ ...tty, env: { TERM: 'xterm-256color' } }).spinner, true);
});

test('NO_COLOR non-empty turns colour and the spinner off; empty is unset', () => {
  assert.deepEqual(decideOutputMode({ ...tty, env: { NO_COLOR: '1' } }), { format: 'text', human: true, stdoutColor: false, stderrColor: false, spinner: false, quiet: false });
  assert.deepEqual(decideOutputMode({ ...tty, env: { NO_COLOR: '' } }), { format: 'text', human: true, stdoutColor: true, stderrColor: true, spinner: true, quiet: false });
});

test('FORCE_COLOR=0 or false turns colour and the spinner off on a terminal', () => {
  for (const v of ['0', 'false']) {
    assert.deepEqual(decideOutputMode({ ...tty, env: { FORCE_COLOR: v } }), { format: 'text', human: true, stdoutColor: false, stderrColor: false, spinner: false, quiet: false }, v);
  }
});

test('FORCE_COLOR=1/2/3/true/empty colours a pipe, CI, TERM=dumb and beats NO_COLOR, but never starts a spinner', () => {
  for (const v of ['1', '2', '3', 'true', '']) {
    for (const env of [{}, { CI: 'true' }, { TERM: 'dumb' }, { NO_COLOR: '1' }]) {
      const mode = decideOutputMode({ ...piped, env: { FORCE_COLOR: v, ...env } });
      assert.equal(mode.stdoutColor, true, `FORCE_COLOR=${v} ${JSON.stringify(env)}`);
      assert.equal(mode.stderrColor, true);
      assert.equal(mode.spinner, false);
      assert.equal(mode.human, false, 'a pipe still gets plain text (no alignment for a person)');
    }
  }
  assert.equal(decideOutputMode({ ...tty, env: { FORCE_COLOR: '1', TERM: 'dumb' } }).spinner, false, 'no cursor movement on a dumb terminal');
  assert.equal(decideOutputMode({ ...tty, env: { FORCE_COLOR: '1', CI: 'true' } }).spinner, false);
  assert.equal(decideOutputMode({ ...tty, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).spinner, true, 'colour is on, so NO_COLOR does not stop the spinner');
});

test('a FORCE_COLOR value it does not know leaves the decision to the other rules', () => {
  assert.equal(decideOutputMode({ ...piped, env: { FORCE_COLOR: 'yes please' } }).stdoutColor, false);
  assert.equal(decideOutputMode({ ...tty, env: { FORCE_COLOR: '7', NO_COLOR: '1' } }).stdoutColor, false);
});

test('machine formats are never coloured on stdout, even with FORCE_COLOR', () => {
  for (const format of ['json', 'yaml', 'env', 'dotenv'] as const) assert.equal(decideOutputMode({ ...tty, format, env: { FORCE_COLOR: '3' } }).stdoutColor, false, format);
});

test('createProgress at 0 columns writes nothing, even when asked to spin', async () => {
  const written: string[] = [];
  const progress = await createProgress(true, (t) => written.push(t), 0);
  progress.update('Creating the service account…');
  await new Promise((r) => setTimeout(r, 250));
  progress.print('a note\n');
  progress.stop();
  assert.deepEqual(written, ['a note\n']);
});

const world = createWorlds({ folderFlag: true });
const ESC = String.fromCharCode(27);
/** Cursor movement and line clearing: CSI n A/B/C/D/G/K. */
const CURSOR = new RegExp(`${ESC}\\[\\d*[ABCDGK]`);
/** A colour or style: CSI n m. */
const SGR = new RegExp(`${ESC}\\[\\d+m`);

test('create on a terminal of 0 columns: no control codes, the key made, the notes readable', async () => {
  const w = await world({ operationDelayMs: 150 });
  const r = await w.create([], { isTTY: true, stderrColumns: 0 });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(!CURSOR.test(r.stderr), `cursor codes on stderr: ${JSON.stringify(r.stderr.slice(0, 200))}`);
  assert.ok(r.stderr.length < 2000, `${r.stderr.length} bytes on stderr`);
  assert.match(r.stdout, /AQVN/);
});

test('create with TERM=dumb on a terminal: not one escape sequence on stdout or stderr', async () => {
  const w = await world({ operationDelayMs: 150 });
  const r = await w.create([], { isTTY: true, env: { TERM: 'dumb' } });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(!r.stderr.includes('\x1b'), JSON.stringify(r.stderr.slice(0, 200)));
  assert.ok(!r.stdout.includes('\x1b'), JSON.stringify(r.stdout.slice(0, 200)));
  assert.match(r.stdout, /AQVN/);
});

test('create into a pipe with FORCE_COLOR=1: coloured text, no spinner', async () => {
  const w = await world();
  const r = await w.create([], { env: { FORCE_COLOR: '1' } });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, SGR, 'colour codes on stdout');
  assert.ok(!CURSOR.test(r.stderr), 'no cursor movement');
});

/**
 * The help fast path (src/help.ts) prints exactly what commander prints, for every page and at
 * several terminal widths; it answers only plain help requests and leaves everything else to
 * commander. The spawned bin is checked too: the fast path and commander's path give the same bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { HELP_PAGES, HELP_TOPICS } from '../../src/help-pages.js';
import { HELP_TOPIC_NAMES } from '../../src/help-topics.js';
import { fastHelp, helpPageFor, renderHelpPage } from '../../src/help.js';
import { createProgram } from '../../src/program.js';
import { runCli } from '../helpers/run-cli.js';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What commander itself prints for `cmd --help` at `width` (the real program). */
function commanderHelp(name: string, width: number): string {
  let out = '';
  const { command: root } = createProgram({
    env: {},
    version: '0.0.0',
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: () => true },
  } as never);
  const cmd: Command | undefined = name === '' ? root : root.commands.find((c) => c.name() === name);
  assert.ok(cmd, `no command ${name}`);
  cmd.configureOutput({ getOutHelpWidth: () => width });
  cmd.outputHelp();
  return out;
}

describe('help fast path', () => {
  test('there is a page for the root and for every command', () => {
    const { command: root } = createProgram({ env: {}, version: '0.0.0', stdout: { write: () => true }, stderr: { write: () => true } } as never);
    assert.deepEqual(Object.keys(HELP_PAGES).sort(), ['', ...root.commands.map((c) => c.name())].sort());
  });

  test('there is a page for every help topic', () => {
    assert.deepEqual(Object.keys(HELP_TOPICS).sort(), [...HELP_TOPIC_NAMES].sort());
  });

  for (const width of [40, 60, 80, 100, 132, 250]) {
    test(`every page equals commander's help at width ${width}`, () => {
      for (const name of Object.keys(HELP_PAGES)) assert.equal(renderHelpPage(name, width), commanderHelp(name, width), `page '${name}'`);
    });
  }

  test('which argument lists are plain help requests', () => {
    const cases: Array<[string[], string | undefined]> = [
      [['--help'], ''],
      [['-h'], ''],
      [['help'], ''],
      [['help', 'create'], 'create'],
      [['help', 'environment'], 'help environment'],
      [['help', 'exit-codes'], 'help exit-codes'],
      [['environment', '--help'], undefined],
      [['help environment', '--help'], undefined],
      [['help', 'exit-codes', '--json'], undefined],
      [['create', '--help'], 'create'],
      [['list', '-h'], 'list'],
      [[], undefined],
      [['create'], undefined],
      [['help', 'bogus'], undefined],
      [['bogus', '--help'], undefined],
      [['help', '__proto__'], undefined],
      [['constructor', '--help'], undefined],
      [['--debug', '--help'], undefined],
      [['create', '--folder-id', 'x', '--help'], undefined],
      [['create', '--help', '--json'], undefined],
      [['--help', 'create'], undefined],
    ];
    for (const [args, page] of cases) assert.equal(helpPageFor(args), page, args.join(' '));
    assert.equal(fastHelp(['create', '--json'], undefined), undefined);
    assert.equal(fastHelp(['create', '--help'], undefined), renderHelpPage('create', 80), 'not a TTY: 80 columns, as commander');
  });

  test("in-process, commander's path prints the same text (main, not the fast path)", async () => {
    for (const args of [['--help'], ['create', '--help'], ['help', 'rotate'], ['help', 'environment'], ['help', 'exit-codes']]) {
      const res = await runCli(args);
      assert.equal(res.exitCode, 0);
      assert.equal(res.stdout, fastHelp(args, undefined), args.join(' '));
    }
  });

  test('spawned bin: the fast path and commander (`--debug` first) print the same bytes, exit 0', async () => {
    await ensureBuilt();
    const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, ['bin/aistudio-key.js', ...args], { cwd: ROOT, env: { PATH: process.env.PATH } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    for (const args of [['--help'], ['create', '--help'], ['help', 'list'], ['ensure', '-h'], ['help', 'environment'], ['help', 'exit-codes']]) {
      const [fast, slow] = await Promise.all([run(args), run(['--debug', ...args])]);
      assert.deepEqual(fast, { code: 0, stdout: slow.stdout, stderr: '' }, args.join(' '));
      assert.equal(slow.code, 0);
      assert.match(fast.stdout, /^Usage: aistudio-key/);
    }
  });
});

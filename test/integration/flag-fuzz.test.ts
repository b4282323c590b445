/**
 * Every flag of every command, with hostile values (long, control characters, NUL bytes, newlines,
 * Unicode, bidi overrides), run in-process against the emulator (issue #13). The flag list comes
 * from the program itself (commander's tree), not from a hand list, so a new flag is fuzzed too.
 *
 * A value is either refused — exit 2, one line `Error: …` naming the flag, no call that changes the
 * cloud — or accepted because it is legitimately valid (free text such as a description); either
 * way nothing raw reaches the streams. Each flag gets two of the values in turn, which bounds the
 * run to a few hundred in-process runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, Option } from 'commander';
import { createProgram } from '../../src/program.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { runCli, tempDir, testDeps, type RunCliResult } from '../helpers/run-cli.js';

const VALUES: Array<[string, string]> = [
  ['long', 'x'.repeat(100_000)],
  ['control', 'a\u001b]0;title\u0007\u001b[2Jb'],
  ['nul', 'a\u0000b'],
  ['newline', 'a\n::warning::b'],
  ['unicode', 'ключ-🔑-鍵'],
  ['bidi', '\u202eabc\u2066'],
];

/** Flags whose values are free text the API takes as it is: accepting them (and creating) is right. */
const FREE_TEXT = new Set(['--description']);
/** Values any string-valued flag may legitimately hold (a file name in Unicode, say). */
const PLAIN = new Set(['unicode']);

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Placeholder positional arguments, valid in shape, naming nothing that exists. */
const POSITIONALS: Record<string, string[]> = {
  rotate: ['ajefuzz0000000000000'],
  revoke: ['ajefuzz0000000000000'],
  config: ['get', 'folder-id'],
  completion: ['bash'],
};

interface Case {
  command: string;
  flag: string;
  value: [string, string];
}

/** (command, flag) pairs from commander's tree; root flags are tried on `whoami`. */
function cases(): Case[] {
  const { command: root } = createProgram(testDeps().deps);
  const takesValue = (o: Option): boolean => o.required || o.optional;
  const out: Case[] = [];
  let i = 0;
  const add = (cmd: Command, name: string): void => {
    for (const o of cmd.options.filter(takesValue)) {
      if (!o.long) continue;
      // Two values per flag, in rotation over the list.
      for (const k of [i % VALUES.length, (i + 3) % VALUES.length]) out.push({ command: name, flag: o.long, value: VALUES[k] ?? VALUES[0] ?? ['', ''] });
      i++;
    }
  };
  add(root, 'whoami');
  for (const cmd of root.commands) add(cmd, cmd.name());
  return out;
}

let emu: Emulator;
let ids: DefaultIds;
const home = process.cwd();
before(async () => {
  // --out-file and the like resolve relative paths: keep whatever a run writes out of the checkout.
  process.chdir(tempDir());
  const seeded = defaultFixture();
  ids = seeded.ids;
  emu = await startEmulator({ fixture: seeded.fixture });
});
after(async () => {
  process.chdir(home);
  await emu.stop();
});

function assertClean(r: RunCliResult, what: string): void {
  for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const raw = RAW.exec(text);
    assert.equal(raw, null, `${what}: raw U+${raw?.[0].charCodeAt(0).toString(16) ?? ''} on ${name}: ${JSON.stringify(text.slice(0, 300))}`);
    assert.doesNotMatch(text, /^[ \t]*::/m, `${what}: a workflow command on ${name}`);
  }
}

test('every flag of every command: a hostile value is refused on one line with exit 2 and no change, or accepted as valid', async () => {
  const all = cases();
  assert.ok(all.length > 60, `flags found in the program: ${all.length / 2}`);
  const outcomes: string[] = [];
  const failures: string[] = [];
  for (const c of all) {
    const what = `${c.command} ${c.flag} <${c.value[0]}>`;
    const mutationsBefore = emu.mutations().length;
    const argv = [c.command, ...(POSITIONALS[c.command] ?? []), c.flag, c.value[1]];
    // Flags the case sets itself are not also set here.
    const extra = [['--endpoint', emu.endpoint], ['--ca-file', emu.caFile], ['--folder-id', ids.folderId]].filter(([f]) => f !== c.flag && !(f === '--folder-id' && !['create', 'list', 'whoami', 'ensure'].includes(c.command)));
    const r = await runCli([...argv, ...extra.flat()], {
      env: { YC_IAM_TOKEN: ids.userIamToken, GITHUB_ACTIONS: undefined },
      target: { backoff: { baseMs: 1, maxMs: 2 }, poll: { firstDelayMs: 1, maxDelayMs: 5 }, callTimeoutMs: 5_000 },
    });
    try {
      assertClean(r, what);
      if (r.exitCode === 2) {
        const errorLines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning:'));
        assert.equal(errorLines.length, 1, `${what}: one line, got ${JSON.stringify(errorLines.slice(0, 3))}`);
        assert.match(errorLines[0] ?? '', /^Error: /, what);
        assert.equal(emu.mutations().length, mutationsBefore, `${what}: exit 2 after a change in the cloud`);
      } else if (!FREE_TEXT.has(c.flag) && !PLAIN.has(c.value[0])) {
        assert.equal(emu.mutations().length, mutationsBefore, `${what}: accepted (exit ${r.exitCode}) and changed the cloud: ${r.stderr.slice(0, 300)}`);
      }
    } catch (error) {
      failures.push(error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
    }
    outcomes.push(`${what}: ${r.exitCode}`);
  }
  assert.deepEqual(failures, []);
  // Free text is the only thing a hostile value gets through as; everything else is refused or changes nothing.
  assert.ok(outcomes.filter((o) => o.endsWith(': 2')).length > all.length / 2, outcomes.join('\n'));
});

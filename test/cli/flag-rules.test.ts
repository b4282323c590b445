/**
 * The rules flags declare about themselves (FlagSpec.conflicts, FlagSpec.choices), for every
 * command, derived from the specs the program registers: each declared conflict is refused in
 * either order (exit 2, one line naming both flags, run never called) and shown in both flags'
 * help; each choice list is shown in help, offered by completion, and anything else is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_SPECS } from '../../src/commands/command-specs.js';
import { completionSpec } from '../../src/commands/completion.js';
import type { FlagSpec } from '../../src/commands/define.js';
import { conflictsOf, longFlag } from '../../src/commands/flag-rules.js';
import { formatFlags } from '../../src/commands/options.js';
import { runCli, type RunCliResult } from '../helpers/run-cli.js';

/** The command's name and a placeholder for each required positional argument. */
function commandArgv(name: string): string[] {
  const [command = name, ...args] = name.split(' ');
  return [command, ...args.filter((a) => a.startsWith('<')).map(() => 'x')];
}

/** The flag as given on a command line, with a value when it takes one. */
function flagArgv(spec: FlagSpec, value = 'x'): string[] {
  return spec.flags.includes('<') ? [longFlag(spec), spec.choices?.[0] ?? value] : [longFlag(spec)];
}

async function run(argv: string[]): Promise<RunCliResult & { calls: number }> {
  let calls = 0;
  const res = await runCli(argv, {
    runOverride: async () => {
      calls++;
      throw new Error('spy: the run should not be reached');
    },
  });
  return { ...res, calls };
}

function assertRefused(res: RunCliResult & { calls: number }, what: string): string {
  assert.equal(res.exitCode, 2, `${what}: ${res.stderr}`);
  assert.equal(res.stdout, '', `${what}: stdout stays empty`);
  const lines = res.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line: ${res.stderr}`);
  assert.equal(res.calls, 0, `${what}: run never called`);
  assert.equal(res.connects.length, 0, `${what}: no connection opened`);
  return lines[0] ?? '';
}

/** The help's option entries (a flag's line and its wrapped continuation lines), whitespace collapsed, by long flag; the first wins. */
function helpEntries(help: string): Map<string, string> {
  const entries = new Map<string, string>();
  let current: { long: string; text: string } | undefined;
  const close = (): void => {
    if (current && !entries.has(current.long)) entries.set(current.long, current.text.replace(/\s+/g, ' ').trim());
    current = undefined;
  };
  for (const line of help.split('\n')) {
    const long = /^ {2}(?:-\w, )?(--[a-z-]+)/.exec(line)?.[1];
    if (long) {
      close();
      current = { long, text: line };
    } else if (current && /^ {10,}\S/.test(line)) {
      current.text += ` ${line}`;
    } else {
      close();
    }
  }
  close();
  return entries;
}

const conflicts = COMMAND_SPECS.flatMap((spec) => conflictsOf(spec.flags).map((c) => ({ spec, ...c })));

test('the specs declare conflicts, and each names a flag of its command', () => {
  assert.ok(conflicts.length >= 9, `declared conflicts: ${conflicts.length}`);
  for (const spec of COMMAND_SPECS) {
    for (const [key, flag] of Object.entries(spec.flags)) {
      for (const other of Object.keys(flag.conflicts ?? {})) assert.ok(spec.flags[other], `${spec.name}: ${key} conflicts with unknown flag ${other}`);
    }
  }
});

for (const { spec, flag, other, why } of conflicts) {
  const a = spec.flags[flag] as FlagSpec;
  const b = spec.flags[other] as FlagSpec;
  const label = `${spec.name.split(' ')[0]} ${longFlag(a)} ${longFlag(b)}`;
  test(`conflict enforced in either order: ${label}`, async () => {
    for (const argv of [[...flagArgv(a), ...flagArgv(b)], [...flagArgv(b), ...flagArgv(a)]]) {
      const line = assertRefused(await run([...commandArgv(spec.name), ...argv]), argv.join(' '));
      assert.equal(line, `Error: ${longFlag(a)} and ${longFlag(b)}: ${why ? `${why}; ` : ''}pass only one of them`);
    }
  });
  test(`conflict shown in both flags' help: ${label}`, async () => {
    const res = await runCli([spec.name.split(' ')[0] ?? '', '--help']);
    assert.equal(res.exitCode, 0, res.stderr);
    const entries = helpEntries(res.stdout);
    assert.match(entries.get(longFlag(a)) ?? '', new RegExp(`\\(not with [^)]*${longFlag(b)}\\b`), `${longFlag(a)} in:\n${res.stdout}`);
    assert.match(entries.get(longFlag(b)) ?? '', new RegExp(`\\(not with [^)]*${longFlag(a)}\\b`), `${longFlag(b)} in:\n${res.stdout}`);
  });
}

const withChoices = COMMAND_SPECS.flatMap((spec) =>
  Object.values({ ...spec.flags, ...formatFlags(spec.formats) })
    .filter((f) => f.choices)
    .map((flag) => ({ spec, flag, choices: flag.choices ?? [] })),
);

test('choice lists: each shown in help, offered by completion, anything else refused naming the flag', async () => {
  assert.ok(withChoices.length > 0, 'some flag declares choices');
  const completion = completionSpec(COMMAND_SPECS);
  for (const { spec, flag, choices } of withChoices) {
    const command = spec.name.split(' ')[0] ?? '';
    const long = longFlag(flag);
    const help = helpEntries((await runCli([command, '--help'])).stdout).get(long) ?? '';
    assert.ok(help.includes(`(choices: ${choices.map((c) => JSON.stringify(c)).join(', ')})`), `${command} ${long} help: ${help}`);
    const offered = completion.commands.find((c) => c.name === command)?.options.find((o) => o.names.includes(long));
    assert.deepEqual(offered?.choices, choices, `${command} ${long} completion`);
    const line = assertRefused(await run([...commandArgv(spec.name), long, 'not-a-choice']), `${command} ${long}`);
    assert.match(line, new RegExp(`^Error: ${long}: expected [^"]*${choices.join(', ')}`), `${command} ${long}`);
  }
});

test('positional argument choices: each offered by completion; anything else refused naming the argument, unless the input checks it', async () => {
  const withArgs = COMMAND_SPECS.flatMap((spec) => Object.entries(spec.args ?? {}).map(([arg, argSpec]) => ({ spec, arg, argSpec })));
  assert.ok(withArgs.some((a) => !a.argSpec.ownCheck), 'some argument is checked by the runner');
  const completion = completionSpec(COMMAND_SPECS);
  for (const { spec, arg, argSpec } of withArgs) {
    const [command = '', ...words] = spec.name.split(' ');
    const offered = completion.commands.find((c) => c.name === command)?.args.find((a) => a.name === arg);
    assert.deepEqual(offered?.choices, argSpec.choices, `${command} <${arg}> completion`);
    if (argSpec.ownCheck) continue;
    // The argument given a value outside its list, every argument before it a valid one.
    const argv = [command];
    for (const w of words) {
      const name = w.replace(/^[<[]|(\.\.\.)?[>\]]$/g, '');
      argv.push(name === arg ? 'not-a-choice' : (spec.args?.[name]?.choices[0] ?? 'x'));
      if (name === arg) break;
    }
    const line = assertRefused(await run(argv), argv.join(' '));
    assert.equal(line, `Error: <${arg}>: expected one of ${argSpec.choices.join(', ')}, got "not-a-choice"`);
  }
});

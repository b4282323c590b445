/**
 * `completion bash|zsh|fish`: every registered command and flag is in every script (they are
 * generated from the commander program, so this is what keeps them from going stale); bash accepts
 * its script (`bash -n`) and completes with it; zsh and fish check theirs when installed.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { CONFIG_KEYS } from '../../src/core/config.js';
import { createProgram } from '../../src/program.js';
import { runCli, tempDir, testDeps } from '../helpers/run-cli.js';
import { HELP_TOPIC_NAMES } from '../../src/help-topics.js';

const run = promisify(execFile);

function installed(shell: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every command and every long and short flag of the program as registered. */
function registered(): { commands: string[]; flags: Map<string, string[]> } {
  const root: Command = createProgram(testDeps().deps).command;
  const flags = new Map<string, string[]>();
  const names = (c: Command): string[] => c.options.flatMap((o) => [o.long, o.short].filter((n): n is string => typeof n === 'string'));
  flags.set('', names(root));
  for (const c of root.commands) flags.set(c.name(), names(c));
  return { commands: root.commands.map((c) => c.name()), flags };
}

describe('aistudio-key completion', () => {
  const scripts: Record<string, string> = {};
  before(async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const res = await runCli(['completion', shell]);
      assert.equal(res.exitCode, 0, res.stderr);
      assert.equal(res.stderr, '');
      scripts[shell] = res.stdout;
    }
  });

  test('each script is printed as written: our own text, its newlines and tabs not sanitised away', () => {
    for (const [shell, script] of Object.entries(scripts)) {
      assert.ok(script.split('\n').length > 20, `${shell}: ${script.slice(0, 120)}`);
      assert.ok(!script.includes('^J') && !script.includes('^I'), shell);
    }
  });

  test('every command and every flag is in every script', () => {
    const { commands, flags } = registered();
    assert.ok(['create', 'whoami', 'list', 'rotate', 'revoke', 'scopes', 'config', 'completion'].every((c) => commands.includes(c)), 'sanity: the commands are registered');
    for (const [shell, script] of Object.entries(scripts)) {
      for (const c of commands) assert.match(script, new RegExp(`(^|[\\s'"(])${c}([\\s':)]|$)`, 'm'), `${shell}: command ${c}`);
      for (const [command, list] of flags) {
        for (const flag of list) {
          // fish spells --flag as `-l flag` and -y as `-s y`.
          const needle = shell === 'fish' ? (flag.startsWith('--') ? `-l ${flag.slice(2)} ` : `-s ${flag.slice(1)} `) : flag;
          assert.ok(script.includes(needle), `${shell}: ${command || 'global'} flag ${flag}`);
        }
      }
    }
  });

  test('the help command, and the command names and help topics after it, are in every script', () => {
    const names = [...registered().commands, ...HELP_TOPIC_NAMES].join(' ');
    const helpCommand: Record<string, string> = { bash: `${registered().commands.join(' ')} help"`, zsh: "'help:display help for a command, or a topic", fish: "-a 'help'" };
    const afterHelp: Record<string, string> = { bash: `0) args="${names}"`, zsh: `'1:command:(${names})'`, fish: `'__aistudio_key_arg help 0' -a '${names}'` };
    for (const [shell, script] of Object.entries(scripts)) {
      assert.ok(script.includes(helpCommand[shell] ?? '?'), `${shell}: command help`);
      assert.ok(script.includes(afterHelp[shell] ?? '?'), `${shell}: the command names, as help's argument`);
    }
  });

  test('the positional values are offered: config actions and keys, completion shells', () => {
    for (const [shell, script] of Object.entries(scripts)) {
      assert.ok(script.includes('set get unset list'), `${shell}: config actions`);
      assert.ok(script.includes(CONFIG_KEYS.join(' ')), `${shell}: config keys`);
      assert.ok(script.includes('bash zsh fish'), `${shell}: shells`);
    }
  });

  test('bash -n accepts the bash script', async () => {
    const file = join(tempDir(), 'aistudio-key.bash');
    writeFileSync(file, scripts.bash ?? '');
    await run('bash', ['-n', file]);
  });

  test('bash completes commands, flags, flag values and arguments with it', async () => {
    const file = join(tempDir(), 'aistudio-key.bash');
    writeFileSync(file, scripts.bash ?? '');
    /** COMPREPLY for a command line whose last word is being completed. */
    const complete = async (...words: string[]): Promise<string[]> => {
      const quoted = ['aistudio-key', ...words].map((w) => `'${w}'`).join(' ');
      const { stdout } = await run('bash', ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _aistudio_key; printf '%s\\n' "\${COMPREPLY[@]}"`]);
      return stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await complete('li'), ['list']);
    assert.deepEqual(await complete('re'), ['revoke']);
    assert.deepEqual(await complete('list', '--exp'), ['--expiring-within']);
    assert.deepEqual(await complete('revoke', '--with'), ['--with-service-account']);
    assert.deepEqual(await complete('list', '--format', ''), ['text', 'json', 'yaml'], 'list has no env format');
    assert.deepEqual(await complete('create', '--format', ''), ['text', 'json', 'yaml', 'env', 'dotenv', 'secret'], 'the formats create prints, as its --format checks them');
    assert.deepEqual(await complete('rotate', '--format', ''), ['text', 'json', 'yaml', 'env', 'dotenv', 'secret']);
    assert.deepEqual(await complete('config', ''), ['set', 'get', 'unset', 'list']);
    assert.deepEqual(await complete('config', 'set', 'exp'), ['expires-in']);
    assert.deepEqual(await complete('completion', ''), ['bash', 'zsh', 'fish']);
    assert.deepEqual(await complete('--endpoint', 'localhost:1', 'sc'), ['scopes'], "a global flag's value is not the command");
    assert.deepEqual(await complete('--deb'), ['--debug']);
    assert.deepEqual(await complete('he'), ['help'], 'the help command is offered');
    assert.deepEqual(await complete('help', 'ro'), ['rotate'], 'a command name after help');
    assert.deepEqual(await complete('help', ''), [...registered().commands, ...HELP_TOPIC_NAMES], 'every command and help topic after help');
    assert.deepEqual(await complete('help', 'env'), ['environment'], 'a help topic after help');
    assert.deepEqual(await complete('help', 'exit'), ['exit-codes']);
    assert.deepEqual(await complete('list', '--folder-id', ''), [], 'a free value: nothing to offer');
  });

  for (const shell of ['zsh', 'fish']) {
    test(`${shell} -n accepts the ${shell} script`, { skip: installed(shell) ? false : `${shell} is not installed` }, async () => {
      const file = join(tempDir(), `aistudio-key.${shell}`);
      writeFileSync(file, scripts[shell] ?? '');
      await run(shell, ['-n', file]);
    });
  }

  test('an unknown shell is exit 2', async () => {
    const res = await runCli(['completion', 'powershell']);
    assert.equal(res.exitCode, 2);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^Error: <shell>: expected one of bash, zsh, fish, got "powershell"\n$/);
  });
});

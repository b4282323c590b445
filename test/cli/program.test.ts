import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXIT_CODE_HELP, EXIT_CODES } from '../../src/errors.js';
import { ENV } from '../../src/config/env.js';
import { ENV_HELP } from '../../src/config/env-help.js';
import { GLOBAL_FLAGS } from '../../src/commands/global.js';
import { HELP_TOPIC_NAMES } from '../../src/help-topics.js';
import { runCli } from '../helpers/run-cli.js';
import { fakeIamToken } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('--version and -V print the package version', async () => {
  for (const flag of ['--version', '-V']) {
    const res = await runCli([flag]);
    assert.deepEqual({ exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr }, { exitCode: 0, stdout: `${VERSION}\n`, stderr: '' }, flag);
  }
  // Through commander too (not the fast path), same answer.
  const res = await runCli(['--debug', '--version']);
  assert.equal(res.stdout, `${VERSION}\n`);
});

test('--help shows the commands, the global flags, examples, and where the exit codes and the environment are', async () => {
  const res = await runCli(['--help']);
  assert.equal(res.exitCode, 0);
  assert.equal(res.stderr, '');
  assert.match(res.stdout, /^Usage: aistudio-key/);
  assert.match(res.stdout, /create \[options\]/);
  for (const spec of Object.values(GLOBAL_FLAGS)) assert.ok(res.stdout.includes(spec.flags), `global flag ${spec.flags}`);
  assert.match(res.stdout, /^Examples:\n {2}aistudio-key create /m);
  for (const topic of HELP_TOPIC_NAMES) assert.match(res.stdout, new RegExp(`^ {2}aistudio-key help ${topic} `, 'm'), topic);
});

test('help exit-codes prints the exit-code table, every code of EXIT_CODES', async () => {
  const res = await runCli(['help', 'exit-codes']);
  assert.equal(res.exitCode, 0);
  assert.equal(res.stderr, '');
  assert.match(res.stdout, /^Usage: aistudio-key help exit-codes\n/);
  const table = res.stdout.slice(res.stdout.indexOf('Exit codes:'));
  for (const [code, meaning] of EXIT_CODE_HELP) assert.match(table, new RegExp(`^ {2}${code} +${meaning.replace(/[()]/g, '\\$&')}$`, 'm'));
  assert.deepEqual(EXIT_CODE_HELP.map(([c]) => c), Object.values(EXIT_CODES));
});

test('help environment lists the global options, every environment variable with what it does, and the precedence', async () => {
  const res = await runCli(['help', 'environment']);
  assert.equal(res.exitCode, 0);
  assert.equal(res.stderr, '');
  assert.match(res.stdout, /^Global Options:$/m);
  for (const spec of Object.values(GLOBAL_FLAGS)) assert.ok(res.stdout.includes(spec.flags), `global flag ${spec.flags}`);
  for (const [key, name] of Object.entries(ENV)) {
    assert.match(res.stdout, new RegExp(`^ {2}${name} +${ENV_HELP[key as keyof typeof ENV].slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), name);
  }
  assert.match(res.stdout, /flag > environment > `aistudio-key config` > yc profile/);
  // With a bare global flag around it, the same page (commander's path in the bin).
  assert.equal((await runCli(['--debug', 'help', 'environment'])).stdout, res.stdout);
});

test('create --help is short: its flags, examples, and pointers instead of the global options and exit codes', async () => {
  const res = await runCli(['create', '--help']);
  assert.equal(res.exitCode, 0);
  for (const needle of ['--folder-id <id>', '--expires-in', '--no-expiry', '--dry-run', '--format <format>', '--json', '90d', 'aistudio-<yyyymmdd>-', 'aistudio-key scopes', 'jq -r .secret', 'help environment', 'help exit-codes']) {
    assert.ok(res.stdout.includes(needle), needle);
  }
  assert.ok(res.stdout.split('\n').length <= 80, `${res.stdout.split('\n').length} lines`);
});

test('no command page repeats the global options or the exit-code table; each points to them in one line', async () => {
  const root = await runCli(['--help']);
  const commands = [...root.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] ?? '').filter((c) => c !== 'help' && c !== 'aistudio');
  assert.ok(commands.includes('create') && commands.includes('whoami'), commands.join(' '));
  for (const name of commands) {
    const res = await runCli([name, '--help']);
    assert.equal(res.exitCode, 0, name);
    assert.doesNotMatch(res.stdout, /Global Options:|--iam-token|^Exit codes:$/m, name);
    assert.match(res.stdout, /^Global options: see `aistudio-key --help`/m, name);
  }
});

test('no command: the help on stderr, exit 2', async () => {
  const res = await runCli([]);
  assert.equal(res.exitCode, 2);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Usage: aistudio-key/);
});

test('an unknown command: exit 2, one line', async () => {
  const res = await runCli(['crate']);
  assert.equal(res.exitCode, 2);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^Error: unknown command 'crate'.*\n$/);
  assert.equal(res.stderr.split('\n').length, 2);
});

test('a bug is exit 1 with a request to report it; --debug adds the stack', async () => {
  const boom = async (): Promise<unknown> => {
    throw new TypeError('Cannot read properties of undefined');
  };
  let res = await runCli(['create'], { runOverride: boom });
  assert.equal(res.exitCode, 1);
  assert.match(res.stderr, /^Error: Internal error: Cannot read properties of undefined\. This is a bug; please report it/);
  assert.doesNotMatch(res.stderr, /\n\s+at /);
  res = await runCli(['--debug', 'create'], { runOverride: boom });
  assert.match(res.stderr, /\n\s+at /);
});

test('a token that ends up in an error message is masked on stderr', async () => {
  const token = FAKE_1;
  const echo = async (): Promise<unknown> => {
    throw new Error(`upstream said: token ${token} is invalid`);
  };
  for (const [argv, env] of [
    [['--iam-token', token, 'create'], {}],
    [['create'], { YC_IAM_TOKEN: token }],
    [['create'], { YC_TOKEN: token }],
  ] as Array<[string[], Record<string, string>]>) {
    const res = await runCli(argv, { env, runOverride: echo });
    assert.equal(res.exitCode, 1);
    assert.match(res.stderr, /upstream said: token \*\*\* is invalid/);
    assert.ok(!res.stderr.includes(token));
  }
});

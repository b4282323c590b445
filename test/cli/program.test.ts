import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXIT_CODE_HELP, EXIT_CODES } from '../../src/errors.js';
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

test('--help shows the commands, the global flags and the exit-code table', async () => {
  const res = await runCli(['--help']);
  assert.equal(res.exitCode, 0);
  assert.equal(res.stderr, '');
  assert.match(res.stdout, /^Usage: aistudio-key/);
  assert.match(res.stdout, /create \[options\]/);
  assert.match(res.stdout, /--iam-token <token>/);
  const table = res.stdout.slice(res.stdout.indexOf('Exit codes:'));
  for (const [code, meaning] of EXIT_CODE_HELP) assert.match(table, new RegExp(`^ {2}${code} +${meaning.replace(/[()]/g, '\\$&')}$`, 'm'));
  assert.deepEqual(EXIT_CODE_HELP.map(([c]) => c), Object.values(EXIT_CODES));
});

test('create --help documents the defaults, the preset, the formats and the exit codes', async () => {
  const res = await runCli(['create', '--help']);
  assert.equal(res.exitCode, 0);
  for (const needle of ['--folder-id <id>', '--expires-in', '--no-expiry', '--dry-run', '--format <format>', '--json', 'Global Options:', '--endpoint', 'ai.editor', 'yc.serverless.functions.invoke', '90d', 'aistudio-<yyyymmdd>-', 'jq -r .secret', 'Exit codes:', '130']) {
    assert.ok(res.stdout.includes(needle), needle);
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

/**
 * `--format secret` (issue 15, item 1): create and rotate print the secret and one newline, nothing
 * else, so `aistudio-key create --format secret | gh secret set YC_API_KEY` works as is. Where there is
 * no one secret to print (--count above 1, --dry-run, a delivery target) or the command prints no
 * secret at all (list, scopes, whoami, revoke, config), it is exit 2 before any call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_CODES } from '../../src/errors.js';
import { assertUsageLine, createWorlds } from '../helpers/create-world.js';
import { freshWorlds, SEED } from '../helpers/keys-world.js';

const createWorld = createWorlds({ folderFlag: true });
const keysWorld = freshWorlds();

const SECRET_LINE = /^AQVN[A-Za-z0-9_-]+\n$/;

test('create --format secret: stdout is the secret and one newline; it is the new key\'s, and nowhere on stderr', async () => {
  const w = await createWorld();
  const res = await w.create(['--format', 'secret']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stdout, SECRET_LINE);
  const secret = res.stdout.slice(0, -1);
  assert.ok(w.emu.secrets().includes(secret), 'the secret the cloud issued');
  assert.equal(w.emu.state.apiKeys().length, 1, 'one key made');
  assert.ok(!res.stderr.includes(secret), 'not on stderr');
});

test('create --format secret at a terminal: still only the secret on stdout, no colour, no rows', async () => {
  const w = await createWorld();
  const res = await w.create(['--format', 'secret'], { isTTY: true });
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stdout, SECRET_LINE);
  assert.ok(!res.stderr.includes(res.stdout.trim()));
});

test('rotate --format secret: the new secret and one newline; the old key revoked', async () => {
  const w = await keysWorld();
  const res = await w.cli(['rotate', SEED.keyA1, '--format', 'secret']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stdout, SECRET_LINE);
  const secret = res.stdout.slice(0, -1);
  const fresh = w.emu.state.apiKeys().filter((k) => k.serviceAccountId === SEED.botA);
  assert.deepEqual(fresh.map((k) => k.id).includes(SEED.keyA1), false, 'the old key is gone');
  assert.ok(w.emu.secrets().includes(secret));
  assert.ok(!res.stderr.includes(secret));
});

test('create --format secret where no one secret would be printed: exit 2, one line naming both flags, no call', async () => {
  const w = await createWorld();
  const cases: Array<[string[], RegExp]> = [
    [['--count', '2'], /^--count 2 with --format secret: secret holds one key/],
    [['--dry-run'], /^--format secret with --dry-run: /],
    [['--out-file', 'x.txt'], /^--format secret with --out-file: /],
    [['--github-output'], /^--format secret with --github-output: /],
    [['--to-lockbox', 'ai-key'], /^--format secret with --to-lockbox: /],
  ];
  for (const [argv, message] of cases) {
    assertUsageLine(await w.create([...argv, '--format', 'secret'], { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: '/dev/null' } }), message, argv.join(' '));
  }
  assert.deepEqual(w.emu.journal, [], 'no call reached the cloud');
});

test('rotate --format secret with a target: exit 2, no call', async () => {
  const w = await keysWorld();
  const res = await w.cli(['rotate', SEED.keyA1, '--format', 'secret', '--to-lockbox', 'ai-key']);
  assert.equal(res.exitCode, EXIT_CODES.usage, res.stderr);
  assert.match(res.stderr, /--format secret with --to-lockbox: /);
  assert.deepEqual(w.emu.journal, []);
});

test('commands that print no secret refuse --format secret: exit 2, naming the formats they do print, no call', async () => {
  const w = await keysWorld();
  const cases: Array<[string[], RegExp]> = [
    [['list', '--folder-id', w.ids.folderId], /^--format: list cannot print secret; it prints text, json, yaml$/],
    [['scopes'], /^--format: scopes cannot print secret; it prints text, json, yaml$/],
    [['whoami'], /^--format: whoami cannot print secret/],
    [['revoke', '--yes', SEED.keyA1], /^--format: revoke cannot print secret/],
    [['config', 'list'], /^--format: config cannot print secret/],
  ];
  for (const [argv, message] of cases) {
    const res = await w.cli([...argv, '--format', 'secret']);
    assert.equal(res.exitCode, EXIT_CODES.usage, `${argv.join(' ')}: ${res.stderr}`);
    assert.equal(res.stdout, '');
    assert.match(res.stderr.trim().replace(/^Error: /, ''), message);
  }
  assert.deepEqual(w.emu.journal, [], 'no call reached the cloud');
  assert.ok(w.emu.state.apiKeys().some((k) => k.id === SEED.keyA1), 'nothing revoked');
});

test('an unknown --format lists every format, secret included', async () => {
  const w = await createWorld();
  const res = await w.create(['--format', 'xml']);
  assert.equal(res.exitCode, EXIT_CODES.usage);
  assert.match(res.stderr, /--format: expected text, json, yaml, env, dotenv, secret, got "xml"/);
});

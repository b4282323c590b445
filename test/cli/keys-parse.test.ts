/**
 * The parse contract of list, rotate, revoke, scopes, config and completion, table-driven: argv in -> the
 * validated input handed to `run` (a spy passed to main as runOverride). Positional arguments reach the
 * input under their own names; bad input is exit 2 with the spy never called.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';

const F = 'b1gfolder00000000001';
const K1 = 'ajekey00000000000001';
const K2 = 'ajekey00000000000002';

/** Runs argv with a spy for `run`; returns what the spy saw. */
async function parsed(argv: string[]): Promise<{ command: string; input: unknown }> {
  const seen: Array<{ command: string; input: unknown }> = [];
  const res = await runCli(argv, {
    runOverride: async (command, input) => {
      seen.push({ command, input });
      throw new Error('spy: stop here');
    },
  });
  assert.equal(seen.length, 1, `${argv.join(' ')}: ${res.stderr}`);
  return seen[0] ?? { command: '', input: undefined };
}

const folder = { folderId: undefined, folderName: undefined, cloudId: undefined };
const NO_TARGETS = { outFile: undefined, force: false, githubOutput: false, toLockbox: undefined, lockboxFolderId: undefined };

test('valid argv -> the input each command runs with', async () => {
  const cases: Array<[string[], string, unknown]> = [
    [['list'], 'list', { ...folder, selection: { kind: 'managed' }, expiringWithin: undefined, accounts: false }],
    [['list', '--folder-id', F, '--all'], 'list', { ...folder, folderId: F, selection: { kind: 'all' }, expiringWithin: undefined, accounts: false }],
    [['list', '--service-account', 'bot-a', '--expiring-within', '2w'], 'list', { ...folder, selection: { kind: 'account', ref: 'bot-a' }, expiringWithin: { ms: 14 * 86_400_000, text: '2w' }, accounts: false }],
    [['list', '--accounts', '--all'], 'list', { ...folder, selection: { kind: 'all' }, expiringWithin: undefined, accounts: true }],
    [['prune'], 'prune', { ...folder, dryRun: false, yes: false }],
    [['prune', '--folder-id', F, '--dry-run', '-y'], 'prune', { ...folder, folderId: F, dryRun: true, yes: true }],
    [['rotate', K1], 'rotate', { keyId: K1, keepOld: false, expiry: undefined, targets: NO_TARGETS, encryptTo: [] }],
    [['rotate', '--keep-old', K1, '--expires-in', '30d'], 'rotate', { keyId: K1, keepOld: true, expiry: { kind: 'in', ms: 30 * 86_400_000, text: '30d' }, targets: NO_TARGETS, encryptTo: [] }],
    [['rotate', K1, '--no-expiry'], 'rotate', { keyId: K1, keepOld: false, expiry: { kind: 'never' }, targets: NO_TARGETS, encryptTo: [] }],
    [['rotate', K1, '--out-file', 'k.json', '--force'], 'rotate', { keyId: K1, keepOld: false, expiry: undefined, targets: { ...NO_TARGETS, outFile: 'k.json', force: true }, encryptTo: [] }],
    [['rotate', K1, '--encrypt-to', 'age1abcdefghij', '--encrypt-to', '@team.txt'], 'rotate', { keyId: K1, keepOld: false, expiry: undefined, targets: NO_TARGETS, encryptTo: ['age1abcdefghij', '@team.txt'] }],
    [['rotate', K1, '--expires-at', '2099-01-31'], 'rotate', { keyId: K1, keepOld: false, expiry: { kind: 'at', at: new Date('2099-01-31T00:00:00Z') }, targets: NO_TARGETS, encryptTo: [] }],
    [['revoke', K1], 'revoke', { keyIds: [K1], yes: false, withServiceAccount: false }],
    [['revoke', '-y', K1, K2, K1, '--with-service-account'], 'revoke', { keyIds: [K1, K2], yes: true, withServiceAccount: true }],
    [['scopes'], 'scopes', { offline: false }],
    [['scopes', '--offline', '--json'], 'scopes', { offline: true }],
    [['config', 'set', 'folder-id', F], 'config', { action: 'set', key: 'folder-id', value: F }],
    [['config', 'get', 'format'], 'config', { action: 'get', key: 'format' }],
    [['config', 'unset', 'profile'], 'config', { action: 'unset', key: 'profile' }],
    [['config', 'list'], 'config', { action: 'list' }],
    [['completion', 'fish'], 'completion', { shell: 'fish' }],
  ];
  for (const [argv, command, input] of cases) assert.deepEqual(await parsed(argv), { command, input }, argv.join(' '));
});

test('bad argv -> exit 2, one line naming the argument or flag, run never called', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['rotate'], /missing required argument 'keyId'/],
    [['rotate', 'x'], /^Error: <keyId>: expected an API key ID/],
    [['rotate', K1, K2], /too many arguments/],
    [['rotate', K1, '--expires-in', 'soon'], /^Error: --expires-in: expected a duration/],
    [['rotate', K1, '--encrypt-to', 'ssh-ed25519 AAAA'], /^Error: --encrypt-to: expected an age recipient/],
    [['rotate', K1, '--encrypt-to', '@'], /^Error: --encrypt-to: expected @<file>/],
    [['rotate', K1, '--expires-at', '2001-01-01'], /^Error: --expires-at: must be in the future/],
    [['rotate', K1, '--expires-at', '2099-01-01', '--no-expiry'], /^Error: --expires-at and --no-expiry: pass only one of them$/m],
    [['revoke'], /missing required argument 'keyIds'/],
    [['revoke', 'x'], /^Error: <keyIds>: expected API key IDs/],
    [['list', '--expiring-within', '0s'], /^Error: --expiring-within: expected a duration/],
    [['list', '--folder-id', F, '--folder-name', 'default'], /--folder-id and --folder-name: pass only one of them/],
    [['config'], /missing required argument 'action'/],
    [['config', 'set', 'folder-id'], /config set: give a key and a value/],
    [['config', 'get'], /config get: give a key/],
    [['config', 'list', 'folder-id'], /config list: takes no key/],
    [['config', 'get', 'folder-id', 'x'], /config get: takes only a key/],
    [['config', 'set', 'a', 'b', 'c'], /too many arguments/],
    [['completion'], /missing required argument 'shell'/],
    [['completion', 'tcsh'], /^Error: <shell>: expected one of bash, zsh, fish, got "tcsh"$/m],
    [['scopes', 'extra'], /too many arguments/],
  ];
  for (const [argv, pattern] of cases) {
    let called = false;
    const res = await runCli(argv, {
      runOverride: async () => {
        called = true;
        return undefined;
      },
    });
    assert.equal(res.exitCode, 2, argv.join(' '));
    assert.equal(called, false, argv.join(' '));
    assert.equal(res.stdout, '');
    assert.match(res.stderr, pattern, argv.join(' '));
    assert.equal(res.stderr.trimEnd().split('\n').length, 1, `${argv.join(' ')}: one line`);
  }
});

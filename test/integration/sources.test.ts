/**
 * Where a setting came from, said rightly (issue 15, item 10): one precedence (flag > env > our
 * config > yc profile) and one naming everywhere: a flag by its spelling (`--endpoint`), an env var by
 * its name (`YC_ENDPOINT`, like `YC_FOLDER_ID`), our config as `config <key> (<file>)`, the yc profile
 * as `<key> of yc-profile:<name>`. A profile stored with `config set profile` is named as such, and
 * when it does not exist it does not stop a run whose credential came from elsewhere.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/errors.js';
import { keysWorld, type KeysWorld } from '../helpers/keys-world.js';
import { runCli, tempDir } from '../helpers/run-cli.js';

let world: KeysWorld | undefined;
async function w(): Promise<KeysWorld> {
  return (world ??= await keysWorld());
}
after(() => world?.emu.stop());

interface WhoamiDoc {
  endpoint: { address: string; source: string };
  folder: { id: string | null; source: string } | null;
}

test('env vars are named alike: YC_ENDPOINT as YC_FOLDER_ID, in whoami and in errors', async () => {
  const k = await w();
  const res = await k.cli(['whoami', '--json'], { endpoint: false, env: { YC_ENDPOINT: k.emu.endpoint, YC_FOLDER_ID: k.ids.folderId } });
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as WhoamiDoc;
  assert.deepEqual([doc.endpoint.source, doc.folder?.source], ['YC_ENDPOINT', 'YC_FOLDER_ID']);

  const bad = await runCli(['list'], { env: { YC_ENDPOINT: 'https://api.cloud.yandex.net' } });
  assert.equal(bad.exitCode, EXIT_CODES.usage);
  assert.match(bad.stderr, /^Error: YC_ENDPOINT: expected host:port/);
});

test('our config is named "config <key> (<file>)" for the endpoint and the folder alike', async () => {
  const k = await w();
  const configDir = tempDir();
  for (const [key, value] of [['endpoint', k.emu.endpoint], ['folder-id', k.ids.folderId]] as const) {
    assert.equal((await runCli(['config', 'set', key, value], { configDir })).exitCode, 0);
  }
  const res = await k.cli(['whoami', '--json'], { endpoint: false, configDir });
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as WhoamiDoc;
  const file = join(configDir, 'config.json');
  assert.deepEqual([doc.endpoint.source, doc.folder?.source], [`config endpoint (${file})`, `config folder-id (${file})`]);
});

test('config set profile with no yc config: named as the config\'s, and an --iam-token run goes on with a warning', async () => {
  const k = await w();
  const configDir = tempDir();
  assert.equal((await runCli(['config', 'set', 'profile', 'prod'], { configDir })).exitCode, 0);
  const file = join(configDir, 'config.json');

  const none = await k.cli(['list', '--folder-id', k.ids.folderId, '--json'], { configDir, env: { YC_IAM_TOKEN: undefined } });
  // No credential but the (missing) profile: the profile's absence is the error, named as config's.
  assert.equal(none.exitCode, EXIT_CODES.usage, none.stderr);
  assert.ok(none.stderr.includes(`yc profile 'prod' (from config profile (${file}))`), none.stderr);
  assert.doesNotMatch(none.stderr, /from --profile/);

  const flagged = await k.cli(['--iam-token', k.ids.userIamToken, 'list', '--folder-id', k.ids.folderId, '--json'], { configDir, env: { YC_IAM_TOKEN: undefined } });
  assert.equal(flagged.exitCode, 0, flagged.stderr);
  // (The warning about --iam-token on the command line, #13, comes first.)
  assert.ok(flagged.stderr.split('\n').some((l) => l.startsWith(`Warning: yc profile 'prod' (from config profile (${file})): no yc config at `)), flagged.stderr);
  assert.match(flagged.stderr, /; it is not used \(the credential came from flag:--iam-token\)\.\n$/);

  // Asked for on this run, a missing profile still stops it.
  const asked = await k.cli(['--profile', 'prod', 'list', '--folder-id', k.ids.folderId, '--json'], { configDir });
  assert.equal(asked.exitCode, EXIT_CODES.usage, asked.stderr);
  assert.match(asked.stderr, /yc profile 'prod' \(from --profile\)/);
});

/**
 * `config` end to end: set/get/unset/list in the run's config dir, refusal of keys and values that
 * are or look like credentials (the file is scanned), AISTUDIO_KEY_CONFIG_DIR, and the precedence
 * flag > env > aistudio-key config > yc profile for the folder, the profile and the endpoint,
 * observed through `list` and `create --dry-run` against the emulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newId } from '../emulator/ids.js';
import { defaultFixture, type DefaultIds } from '../emulator/index.js';
import { keysWorld, MANAGED, type KeysWorld } from '../helpers/keys-world.js';
import { runCli, tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret, fakeIamToken, fakeOauthToken, PRIVATE_KEY_LABEL } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();
const FAKE_2 = fakeOauthToken();
const FAKE_3 = fakeApiKeySecret();

const CREDENTIALS = {
  iam: FAKE_1,
  oauth: FAKE_2,
  apiKey: FAKE_3,
  pem: `-----BEGIN ${PRIVATE_KEY_LABEL}-----`,
};

describe('aistudio-key config set|get|unset|list', () => {
  test('set, get, list and unset round-trip through the config file', async () => {
    const configDir = tempDir();
    const run = (...argv: string[]) => runCli(['config', ...argv], { configDir });

    let res = await run('set', 'folder-id', 'b1g0123456789abcdefg');
    assert.deepEqual([res.exitCode, res.stdout], [0, '']);
    assert.match(res.stderr, new RegExp(`^Set folder-id = b1g0123456789abcdefg in ${join(configDir, 'config.json')}\\n$`));
    res = await run('set', 'expires-in', '30d');
    res = await run('get', 'folder-id');
    assert.deepEqual([res.exitCode, res.stdout, res.stderr], [0, 'b1g0123456789abcdefg\n', '']);
    res = await run('get', 'cloud-id');
    assert.deepEqual([res.exitCode, res.stdout], [0, '']);
    assert.match(res.stderr, /cloud-id is not set/);

    res = await run('list');
    assert.equal(res.stdout, 'folder-id   b1g0123456789abcdefg\nexpires-in  30d\n');
    res = await run('list', '--json');
    assert.deepEqual(JSON.parse(res.stdout), {
      file: join(configDir, 'config.json'),
      settings: { 'folder-id': 'b1g0123456789abcdefg', 'folder-name': null, 'cloud-id': null, endpoint: null, profile: null, 'expires-in': '30d', format: null },
    });

    res = await run('set', 'folder-name', 'staging');
    assert.match(res.stderr, /Removed folder-id: folder-name and folder-id exclude each other/);
    res = await run('unset', 'expires-in', '--json');
    assert.deepEqual(JSON.parse(res.stdout), { key: 'expires-in', removed: true, file: join(configDir, 'config.json') });
    assert.deepEqual(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')), { folderName: 'staging' });
    assert.equal(statSync(join(configDir, 'config.json')).mode & 0o077, 0, 'private file');
  });

  test('the configured format is the default output of every command that can print it', async () => {
    const configDir = tempDir();
    await runCli(['config', 'set', 'format', 'json'], { configDir });
    const res = await runCli(['config', 'get', 'format'], { configDir });
    assert.deepEqual(JSON.parse(res.stdout), { key: 'format', value: 'json', file: join(configDir, 'config.json') });
    const completion = await runCli(['completion', 'bash'], { configDir });
    assert.match(completion.stdout, /^# bash completion/, 'completion prints only text');
  });

  test('credentials are refused as keys and as values (exit 2, not echoed); the file never holds one', async () => {
    const configDir = tempDir();
    const file = join(configDir, 'config.json');
    for (const key of ['folder-id', 'folder-name', 'cloud-id', 'endpoint', 'profile', 'expires-in', 'format']) {
      assert.equal((await runCli(['config', 'set', key], { configDir })).exitCode, 2, 'a value is required');
      for (const value of Object.values(CREDENTIALS)) {
        // `--` so that commander takes a leading dash as the value.
        const res = await runCli(['config', 'set', key, '--', value], { configDir });
        assert.equal(res.exitCode, 2, `${key} = ${value.slice(0, 6)}…`);
        assert.equal(res.stdout, '');
        assert.match(res.stderr, /looks like .*never stores credentials/);
        assert.ok(!res.stderr.includes(value.slice(0, 12)), 'the value is not echoed');
      }
    }
    for (const key of ['token', 'iam-token', 'YC_IAM_TOKEN', 'api-key', 'secret', CREDENTIALS.iam]) {
      const res = await runCli(['config', 'set', key, 'x'], { configDir });
      assert.equal(res.exitCode, 2, key);
      assert.match(res.stderr, /never stores credentials/);
      assert.ok(!res.stderr.includes(CREDENTIALS.iam.slice(0, 12)));
    }
    let res = await runCli(['config', 'set', 'region', 'ru-central1'], { configDir });
    assert.equal(res.exitCode, 2);
    assert.match(res.stderr, /unknown key "region"; the keys are folder-id, folder-name, cloud-id, endpoint, profile, expires-in, format/);
    res = await runCli(['config', 'frobnicate'], { configDir });
    assert.equal(res.exitCode, 2);
    assert.match(res.stderr, /^Error: <action>: expected one of set, get, unset, list, got "frobnicate"\n$/);
    res = await runCli(['config', CREDENTIALS.iam], { configDir });
    assert.ok(!res.stderr.includes(CREDENTIALS.iam.slice(0, 12)), 'a token as the action is not echoed either');
    assert.equal(existsSync(file), false, 'nothing was ever written');

    // With every key set the file still holds nothing credential-shaped.
    for (const [k, v] of [['folder-id', 'b1g0123456789abcdefg'], ['cloud-id', 'b1gcloud000000000001'], ['endpoint', '127.0.0.1:4443'], ['profile', 'prod'], ['expires-in', 'never'], ['format', 'yaml']]) {
      assert.equal((await runCli(['config', 'set', k as string, v as string], { configDir })).exitCode, 0);
    }
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /t1\.|y[0-6]_|AQVN|BEGIN|PRIVATE|eyJ|token|secret/i);
  });

  test('AISTUDIO_KEY_CONFIG_DIR chooses the directory (a real process, the real Deps)', async () => {
    const configDir = tempDir();
    const main = new URL('../../src/main.ts', import.meta.url).href;
    const deps = new URL('../../src/deps.ts', import.meta.url).href;
    const code = `import { main } from '${main}'; import { createDeps } from '${deps}';
      process.exitCode = await main(['node', 'aistudio-key', ...process.argv.slice(1)], createDeps());`;
    const run = (...argv: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, ...argv], {
        env: { PATH: process.env.PATH, HOME: tempDir(), AISTUDIO_KEY_CONFIG_DIR: configDir, YC_METADATA_ADDR: '127.0.0.1:1' },
      });
    const { stderr } = await run('config', 'set', 'profile', 'robot');
    assert.equal(stderr, `Set profile = robot in ${join(configDir, 'config.json')}\n`);
    assert.deepEqual(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')), { profile: 'robot' });
  });
});

/** Four folders, one managed account in each, named for the source meant to pick that folder. */
function precedenceFixture(): { fixture: ReturnType<typeof defaultFixture>['fixture']; ids: DefaultIds; folders: Record<'flag' | 'env' | 'config' | 'profile', string> } {
  const { fixture, ids } = defaultFixture();
  const extra = [newId('b1g'), newId('b1g')];
  for (const [i, id] of extra.entries()) {
    fixture.folders.push({ id, cloudId: ids.cloudId, name: `folder-${i + 3}`, bindings: [{ roleId: 'admin', subject: { type: 'userAccount', id: ids.userId } }] });
  }
  const folders = { flag: ids.folderId, env: ids.otherFolderId, config: extra[0] ?? '', profile: extra[1] ?? '' };
  for (const [level, folderId] of Object.entries(folders)) {
    const sa = newId('aje');
    fixture.serviceAccounts?.push({ id: sa, folderId, name: `from-${level}`, labels: { ...MANAGED } });
    (fixture.apiKeys ??= []).push({ id: newId('aje'), serviceAccountId: sa, description: level, scopes: ['yc.ai.translate.execute'] });
  }
  return { fixture, ids, folders };
}

describe('precedence: flag > env > aistudio-key config > yc profile', () => {
  let w: KeysWorld;
  let folders: Record<'flag' | 'env' | 'config' | 'profile', string>;
  let home: string;
  before(async () => {
    const p = precedenceFixture();
    folders = p.folders;
    w = await keysWorld({ fixture: p });
    home = tempDir('aistudio-key-home-');
    mkdirSync(join(home, '.config', 'yandex-cloud'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'yandex-cloud', 'config.yaml'),
      `current: main\nprofiles:\n  main:\n    folder-id: ${folders.profile}\n  other:\n    folder-id: ${folders.env}\n`,
    );
  });
  after(() => w.emu.stop());

  /** The account `list` shows: which folder the run used. */
  async function listedFrom(configDir: string, argv: string[], env: Record<string, string> = {}): Promise<string> {
    const res = await w.cli(['list', '--json', ...argv], { configDir, homedir: home, env });
    assert.equal(res.exitCode, 0, res.stderr);
    const docs = JSON.parse(res.stdout) as Array<{ service_account_name: string }>;
    assert.equal(docs.length, 1);
    return docs[0]?.service_account_name ?? '';
  }

  test('the folder: each source beats the ones after it', async () => {
    const configDir = tempDir();
    assert.equal((await runCli(['config', 'set', 'folder-id', folders.config], { configDir })).exitCode, 0);
    const env = { YC_FOLDER_ID: folders.env };
    assert.equal(await listedFrom(configDir, ['--folder-id', folders.flag], env), 'from-flag');
    assert.equal(await listedFrom(configDir, [], env), 'from-env');
    assert.equal(await listedFrom(configDir, []), 'from-config');
    assert.equal((await runCli(['config', 'unset', 'folder-id'], { configDir })).exitCode, 0);
    assert.equal(await listedFrom(configDir, []), 'from-profile');
    // A folder name in config is resolved like one from a flag.
    await runCli(['config', 'set', 'folder-name', 'folder-3'], { configDir });
    assert.equal(await listedFrom(configDir, []), 'from-config');
  });

  test('the yc profile: --profile > YC_PROFILE > config profile > the file\'s current', async () => {
    const configDir = tempDir();
    assert.equal(await listedFrom(configDir, []), 'from-profile', 'current: main');
    await runCli(['config', 'set', 'profile', 'other'], { configDir });
    assert.equal(await listedFrom(configDir, []), 'from-env', 'config picks profile other');
    assert.equal(await listedFrom(configDir, [], { YC_PROFILE: 'main' }), 'from-profile', 'YC_PROFILE beats config');
    assert.equal(await listedFrom(configDir, ['--profile', 'other'], { YC_PROFILE: 'main' }), 'from-env', '--profile beats YC_PROFILE');
  });

  test('the endpoint: --endpoint > YC_ENDPOINT > config endpoint', async () => {
    const configDir = tempDir();
    await runCli(['config', 'set', 'endpoint', w.emu.endpoint], { configDir });
    const run = (argv: string[], env: Record<string, string> = {}) =>
      w.cli(['list', '--folder-id', folders.flag, '--json', ...argv], { configDir, homedir: home, endpoint: false, env });
    let res = await run([]);
    assert.equal(res.exitCode, 0, `config endpoint used: ${res.stderr}`);
    assert.equal(res.connects[0]?.endpoint, w.emu.endpoint);
    await runCli(['config', 'set', 'endpoint', '127.0.0.1:9'], { configDir });
    res = await run([], { YC_ENDPOINT: w.emu.endpoint });
    assert.equal(res.exitCode, 0, `YC_ENDPOINT beats config: ${res.stderr}`);
    assert.equal(res.connects[0]?.endpoint, w.emu.endpoint);
    res = await run(['--endpoint', w.emu.endpoint], { YC_ENDPOINT: '127.0.0.1:9' });
    assert.equal(res.exitCode, 0, `--endpoint beats YC_ENDPOINT: ${res.stderr}`);
    assert.equal(res.connects[0]?.endpoint, w.emu.endpoint);
  });

  test('create honours the same order (dry run: nothing is created), and config expires-in', async () => {
    const configDir = tempDir();
    await runCli(['config', 'set', 'folder-id', folders.config], { configDir });
    await runCli(['config', 'set', 'expires-in', '30d'], { configDir });
    const plan = async (env: Record<string, string> = {}) => {
      const res = await w.cli(['create', '--dry-run', '--json'], { configDir, homedir: home, env });
      assert.equal(res.exitCode, 0, res.stderr);
      return JSON.parse(res.stdout) as { folder: { id: string }; api_key: { expires_at: string } };
    };
    let doc = await plan();
    assert.equal(doc.folder.id, folders.config);
    const days = (Date.parse(doc.api_key.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in 30 days, got ${days}`);
    doc = await plan({ YC_FOLDER_ID: folders.env });
    assert.equal(doc.folder.id, folders.env);
    assert.deepEqual(w.emu.mutations(), []);
  });
});

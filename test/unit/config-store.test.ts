import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Conf from 'conf';
import { ConfigFileError, configFileError, readSettings, settingsPath } from '../../src/config/file.js';
import { openSettingsStore } from '../../src/config/store.js';
import { UsageError } from '../../src/errors.js';
import { settingsSchema } from '../../src/config/settings.js';
import { FORMATS } from '../../src/output/mode.js';
import { tempDir } from '../helpers/run-cli.js';

test('an absent config reads as empty and creates no file', () => {
  const dir = tempDir();
  const store = openSettingsStore(dir);
  assert.deepEqual(store.read(), {});
  assert.equal(store.path, join(dir, 'config.json'));
  assert.equal(existsSync(store.path), false);
});

test('set, read back, unset; the file is private', () => {
  const dir = tempDir();
  const store = openSettingsStore(dir);
  store.set('folderId', 'b1gfolder00000000001');
  store.set('format', 'json');
  assert.deepEqual(openSettingsStore(dir).read(), { folderId: 'b1gfolder00000000001', format: 'json' });
  assert.equal(statSync(store.path).mode & 0o077, 0, 'no group/other access');
  store.unset('format');
  assert.deepEqual(JSON.parse(readFileSync(store.path, 'utf8')), { folderId: 'b1gfolder00000000001' });
});

test('a bad value is a usage error naming the key in CLI spelling and the file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'xml' }));
  assert.throws(() => openSettingsStore(dir).read(), (e: unknown) => e instanceof UsageError && e.message.startsWith(`config format in ${join(dir, 'config.json')}:`));
});

test('a file that is not JSON is a usage error saying to fix or delete it', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), '{ not json');
  assert.throws(() => openSettingsStore(dir).read(), (e: unknown) => e instanceof UsageError && /not valid JSON.*fix or delete it/.test(e.message));
});

test('reads see what conf wrote, through readSettings (no conf) as through the store', () => {
  const dir = tempDir();
  openSettingsStore(dir).set('endpoint', '127.0.0.1:4443');
  assert.deepEqual(readSettings(dir), { endpoint: '127.0.0.1:4443', path: join(dir, 'config.json') });
  writeFileSync(join(dir, 'config.json'), '[]');
  assert.throws(() => readSettings(dir), (e: unknown) => e instanceof UsageError && /not valid JSON.*fix or delete it/.test(e.message));
});

test('unset repairs a malformed value; a file that is not JSON fails set too', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'xml', folderId: 'b1gfolder00000000001' }));
  openSettingsStore(dir).unset('format');
  assert.deepEqual(openSettingsStore(dir).read(), { folderId: 'b1gfolder00000000001' });
  writeFileSync(join(dir, 'config.json'), '{ not json');
  assert.throws(() => openSettingsStore(dir).set('format', 'json'), (e: unknown) => e instanceof UsageError && /not valid JSON.*fix or delete it/.test(e.message));
});

test("the default location is conf's (env-paths' config directory for aistudio-key)", () => {
  const saved = process.env.XDG_CONFIG_HOME;
  const xdg = tempDir();
  process.env.XDG_CONFIG_HOME = xdg;
  try {
    const conf = new Conf({ projectName: 'aistudio-key', projectSuffix: '' });
    assert.equal(settingsPath(undefined), conf.path);
    assert.equal(openSettingsStore(undefined).path, conf.path);
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
  }
  assert.equal(settingsPath(undefined, { platform: 'linux', env: {}, homedir: '/home/u' }), '/home/u/.config/aistudio-key/config.json');
  assert.equal(settingsPath(undefined, { platform: 'darwin', env: {}, homedir: '/Users/u' }), '/Users/u/Library/Preferences/aistudio-key/config.json');
  assert.equal(settingsPath('/etc/ak', { platform: 'linux', env: { XDG_CONFIG_HOME: '/x' }, homedir: '/home/u' }), '/etc/ak/config.json');
});

test('reading the settings loads neither conf nor ajv (module graph)', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'json' }));
  const modules = join(dir, 'modules.txt');
  const code = `import { readSettings } from './src/config/file.ts'; if (readSettings(${JSON.stringify(dir)}).format !== 'json') process.exit(3);`;
  const recorder = fileURLToPath(new URL('../bench/record-modules.mjs', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', recorder, '--input-type=module', '-e', code], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: dir, RECORD_MODULES_FILE: modules },
  });
  const urls = readFileSync(modules, 'utf8').split('\n');
  assert.ok(urls.some((u) => u.endsWith('/src/config/file.ts')), 'sanity: the recorder saw src/config/file.ts');
  assert.ok(urls.some((u) => u.includes('/node_modules/zod/')), 'sanity: the schema (zod) did load');
  assert.deepEqual(urls.filter((u) => /\/node_modules\/(conf|ajv|ajv-formats|atomically|env-paths)\//.test(u)), []);
});

test('a file-system failure writing the config is a ConfigFileError (exit 1) naming the file and the way out', () => {
  const e = configFileError(Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' }), '/etc/ro/config.json', 'write');
  assert.ok(e instanceof ConfigFileError);
  assert.equal(e.exitCode, 1);
  assert.equal(e.message, 'Cannot write the aistudio-key config file /etc/ro/config.json (directory /etc/ro) (EACCES).');
  assert.match(e.hints.join(' '), /AISTUDIO_KEY_CONFIG_DIR/);
});

test('each stored value is checked on its own: good ones are kept, bad ones reported with the file and the fix', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'xml', expiresIn: '30d', unknown: 1 }));
  const { settings, problems } = openSettingsStore(dir).readLeniently();
  assert.deepEqual(settings, { expiresIn: '30d' });
  assert.deepEqual(problems.map((p) => p.key), ['format']);
  assert.match(problems[0]?.error.message ?? '', /^config format in .*config\.json: .*config set format <value>.*config unset format/);
});

test('a stored default format may be every output format but secret', () => {
  for (const format of FORMATS) assert.equal(settingsSchema.safeParse({ format }).success, format !== 'secret', format);
});

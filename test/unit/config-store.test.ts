import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSettingsStore } from '../../src/config/store.js';
import { UsageError } from '../../src/errors.js';
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

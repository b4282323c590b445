import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_KEYS, configGet, configList, configSet, configUnset } from '../../src/core/config.js';
import { credentialShape } from '../../src/core/credential-shape.js';
import type { SettingKey, Settings } from '../../src/config/settings.js';
import { openSettingsStore, type SettingsStore } from '../../src/config/store.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret, fakeIamToken, fakeOauthToken, PRIVATE_KEY_LABEL } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();
const FAKE_2 = fakeOauthToken();
const FAKE_3 = fakeApiKeySecret();

const NOW = new Date('2026-11-27T12:00:00Z');

/** An in-memory store. */
function memoryStore(initial: Settings = {}): SettingsStore & { data: Settings } {
  const data: Settings = { ...initial };
  return {
    data,
    path: '/mem/config.json',
    read: () => ({ ...data }),
    readLeniently: () => ({ settings: { ...data }, problems: [] }),
    set: (k, v) => void ((data as Record<string, unknown>)[k] = v),
    unset: (k: SettingKey) => void delete data[k],
  };
}

function usage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test(e.message), String(pattern));
}

test('the allow-list: folder-id, folder-name, cloud-id, endpoint, profile, expires-in, format', () => {
  assert.deepEqual(CONFIG_KEYS, ['folder-id', 'folder-name', 'cloud-id', 'endpoint', 'profile', 'expires-in', 'format']);
});

test('set checks the value and stores it under the settings name; get and list read it back', () => {
  const store = memoryStore();
  assert.deepEqual(configSet(store, 'folder-id', 'b1g0123456789abcdefg', NOW), { action: 'set', key: 'folder-id', value: 'b1g0123456789abcdefg', cleared: undefined, path: '/mem/config.json' });
  configSet(store, 'expires-in', '30d', NOW);
  configSet(store, 'expires-in', 'never', NOW);
  configSet(store, 'format', 'json', NOW);
  configSet(store, 'endpoint', '127.0.0.1:4443', NOW);
  configSet(store, 'profile', 'prod.eu-1', NOW);
  configSet(store, 'cloud-id', 'b1gcloud000000000001', NOW);
  assert.deepEqual(store.data, { folderId: 'b1g0123456789abcdefg', expiresIn: 'never', format: 'json', endpoint: '127.0.0.1:4443', profile: 'prod.eu-1', cloudId: 'b1gcloud000000000001' });
  assert.deepEqual(configGet(store, 'format'), { action: 'get', key: 'format', value: 'json', path: '/mem/config.json' });
  assert.deepEqual(configGet(store, 'folder-name'), { action: 'get', key: 'folder-name', value: undefined, path: '/mem/config.json' });
  const listed = configList(store);
  assert.equal(listed.action, 'list');
  assert.deepEqual(listed.action === 'list' ? listed.values.map((v) => v.key) : [], CONFIG_KEYS);
});

test('folder-id and folder-name replace each other, as in the yc config', () => {
  const store = memoryStore({ folderName: 'default' });
  const r = configSet(store, 'folder-id', 'b1g0123456789abcdefg', NOW);
  assert.equal(r.action === 'set' ? r.cleared : '', 'folder-name');
  assert.deepEqual(store.data, { folderId: 'b1g0123456789abcdefg' });
  configSet(store, 'folder-name', 'staging', NOW);
  assert.deepEqual(store.data, { folderName: 'staging' });
});

test('unset removes a key and says whether it was there', () => {
  const store = memoryStore({ profile: 'prod' });
  assert.deepEqual(configUnset(store, 'profile'), { action: 'unset', key: 'profile', removed: true, path: '/mem/config.json' });
  assert.deepEqual(configUnset(store, 'profile'), { action: 'unset', key: 'profile', removed: false, path: '/mem/config.json' });
});

test('keys outside the allow-list are refused; credential-sounding ones with the reason', () => {
  const store = memoryStore();
  usage(() => configSet(store, 'region', 'ru-central1', NOW), /unknown key "region"; the keys are folder-id, folder-name/);
  usage(() => configSet(store, 'folderId', 'b1g0123456789abcdefg', NOW), /did you mean folder-id\?/);
  usage(() => configSet(store, 'folder_id', 'b1g0123456789abcdefg', NOW), /did you mean folder-id\?/);
  for (const key of ['token', 'iam-token', 'oauth-token', 'api-key', 'sa-key-file', 'secret', 'password']) {
    usage(() => configSet(store, key, 'anything', NOW), /never stores credentials/);
    usage(() => configGet(store, key), /never stores credentials/);
  }
  assert.deepEqual(store.data, {});
});

test('values that look like credentials are refused for every key, and the message never repeats them', () => {
  const samples: Record<string, string> = {
    'an IAM token': FAKE_1,
    'an OAuth token': FAKE_2,
    'an OAuth token (y3)': 'y3_Vdheub7w9cNcxxxxxxxxxxxxxxxxxxxx',
    'an API key secret': FAKE_3,
    'a PEM key': `-----BEGIN ${PRIVATE_KEY_LABEL}-----\nMIIEvQIBADANBg\n-----END ${PRIVATE_KEY_LABEL}-----`,
    'a JWT': 'eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ4In0.c2ln',
    'a key file': '{"id":"aje","private_key":"PLEASE DO NOT REMOVE THIS LINE!"}',
  };
  for (const key of CONFIG_KEYS) {
    for (const [what, value] of Object.entries(samples)) {
      const store = memoryStore();
      assert.throws(
        () => configSet(store, key, value, NOW),
        (e: unknown) => e instanceof UsageError && /looks like/.test(e.message) && !e.message.includes(value.slice(0, 12)),
        `${key} = ${what}`,
      );
      assert.deepEqual(store.data, {}, 'nothing written');
    }
  }
  assert.equal(credentialShape('b1g0123456789abcdefg'), undefined);
  assert.equal(credentialShape('api.cloud.yandex.net:443'), undefined);
  assert.equal(credentialShape('my-t1.example.com:443'), undefined, 'a host that merely contains t1. after a letter is fine');
  assert.equal(credentialShape('key t1.abc'), 'an IAM token (t1.…)');
});

test('malformed values are refused with what would be right', () => {
  const store = memoryStore();
  usage(() => configSet(store, 'folder-id', 'default', NOW), /"default" is a folder name, not an ID; use `aistudio-key config set folder-name default`/);
  usage(() => configSet(store, 'folder-id', 'B1G!', NOW), /expected a folder ID/);
  usage(() => configSet(store, 'cloud-id', 'x', NOW), /expected a cloud ID/);
  usage(() => configSet(store, 'folder-name', 'Default Folder', NOW), /expected a folder name/);
  usage(() => configSet(store, 'endpoint', 'api.cloud.yandex.net', NOW), /expected host:port/);
  usage(() => configSet(store, 'expires-in', '90 days', NOW), /expected a duration like 90d, 12h, 2w or 1y, or never/);
  usage(() => configSet(store, 'expires-in', '200y', NOW), /no later than 2105-12-31/);
  usage(() => configSet(store, 'format', 'xml', NOW), /expected one of text, json, yaml, env/);
  usage(() => configSet(store, 'profile', 'has space', NOW), /expected a yc profile name/);
  usage(() => configSet(store, 'profile', '  ', NOW), /must not be empty/);
  assert.deepEqual(store.data, {});
});

test('against the real conf store: the file holds exactly the settings, and unset repairs a malformed value', () => {
  const dir = tempDir();
  const store = openSettingsStore(dir);
  configSet(store, 'folder-id', 'b1g0123456789abcdefg', NOW);
  configSet(store, 'format', 'yaml', NOW);
  assert.deepEqual(JSON.parse(readFileSync(store.path, 'utf8')), { folderId: 'b1g0123456789abcdefg', format: 'yaml' });
  store.set('format', 'xml' as never);
  assert.throws(() => configGet(store, 'format'), UsageError);
  assert.equal(configUnset(store, 'format').action, 'unset');
  assert.deepEqual(configList(openSettingsStore(dir)).action, 'list');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServiceAccountName } from '../../src/core/names.js';
import { KNOWN_SCOPES, PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import {
  checkCloudId,
  checkDescription,
  cutToApiLength,
  checkEndpoint,
  checkFolderId,
  checkFolderName,
  checkRole,
  checkScope,
  checkServiceAccountName,
  parseList,
} from '../../src/core/validate.js';

test('folder and cloud IDs: 20 lowercase letters and digits', () => {
  assert.equal(checkFolderId('b1g0123456789abcdefg'), undefined);
  assert.equal(checkCloudId('b1gcloud000000000001'), undefined);
  for (const bad of ['', 'b1g', 'B1G0123456789ABCDEFG', 'b1g0123456789abcdefgh', 'my-folder', '1b1g0123456789abcdef']) {
    assert.ok(checkFolderId(bad), bad);
  }
  assert.match(checkFolderId('my-folder') ?? '', /for a folder name use --folder-name my-folder/);
});

test('service account and folder names follow the API pattern since cloudapi d93b73f: [a-z]([-a-z0-9]{0,61}[a-z0-9])? (1–63)', () => {
  for (const ok of ['a', 'ab', 'a1', 'abc', 'aistudio-bot', `a${'b'.repeat(61)}c`]) {
    assert.equal(checkServiceAccountName(ok), undefined, ok);
    assert.equal(checkFolderName(ok), undefined, ok);
  }
  for (const bad of ['', 'a-', 'Abc', '1abc', 'abc-', 'a_bc', `a${'b'.repeat(62)}c`, 'abc def']) {
    assert.ok(checkServiceAccountName(bad), bad);
  }
});

test('description: up to 256 characters, counted as the API counts them (UTF-16 units)', () => {
  assert.equal(checkDescription('x'.repeat(256)), undefined);
  assert.equal(checkDescription('я'.repeat(256)), undefined);
  assert.equal(checkDescription('😀'.repeat(128)), undefined, '128 emoji are 256 units');
  assert.match(checkDescription('😀'.repeat(129)) ?? '', /at most 256 characters, got 258 \(the API counts UTF-16 units/, 'astral characters count twice');
  assert.match(checkDescription('x'.repeat(257)) ?? '', /at most 256 characters, got 257$/);
});

test('cutToApiLength never leaves half an emoji', () => {
  assert.equal(cutToApiLength('ab😀', 3), 'ab');
  assert.equal(cutToApiLength('ab😀', 4), 'ab😀');
  assert.equal(cutToApiLength('abc', 2), 'ab');
});

test('roles: every preset role is well-formed; junk is not', () => {
  for (const r of [...PRESET_ROLES, 'viewer', 'iam.serviceAccounts.user']) assert.equal(checkRole(r), undefined, r);
  for (const bad of ['', 'AI.editor', 'ai..editor', 'ai.editor.', 'ai editor', '.ai', 'ai.1x', `a.${'b'.repeat(63)}`]) assert.ok(checkRole(bad), bad);
});

test('scopes: the preset and the other known scopes pass; a typo gets a suggestion', () => {
  for (const s of KNOWN_SCOPES) assert.equal(checkScope(s), undefined, s);
  assert.equal(KNOWN_SCOPES.size, PRESET_SCOPES.length + 19);
  assert.match(checkScope('yc.ai.languageModel.execute') ?? '', /did you mean yc\.ai\.languageModels\.execute\?/);
  assert.match(checkScope('totally.unknown') ?? '', /^unknown scope "totally\.unknown"; known scopes: /);
});

test('endpoint: host:port only', () => {
  for (const ok of ['api.cloud.yandex.net:443', 'localhost:50051', '127.0.0.1:1', '[::1]:8443']) assert.equal(checkEndpoint(ok), undefined, ok);
  for (const bad of ['api.cloud.yandex.net', 'https://api.cloud.yandex.net:443', 'host:0', 'host:70000', ':443', 'a b:1']) assert.ok(checkEndpoint(bad), bad);
});

test('comma lists are trimmed, de-duplicated, and drop empty items', () => {
  assert.deepEqual(parseList(' a, b,,a ,c '), ['a', 'b', 'c']);
  assert.deepEqual(parseList(' , '), []);
});

test('generated names are valid, dated, and vary with the random source', () => {
  const now = new Date('2026-11-27T23:59:59Z');
  let i = 0;
  const name = generateServiceAccountName(now, (max) => i++ % max);
  assert.equal(name, 'aistudio-20261127-abcdef');
  assert.equal(checkServiceAccountName(name), undefined);
  const last = generateServiceAccountName(now, (max) => max - 1);
  assert.equal(last, 'aistudio-20261127-999999');
  assert.equal(checkServiceAccountName(last), undefined);
});

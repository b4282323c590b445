/**
 * `create --add-scopes/--add-roles` against the emulator (issue 15, item 2): additions on top of the
 * preset reach the cloud (the key's scopes, the folder's bindings); a scope given twice is exit 2
 * before any call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import { createWorlds } from '../helpers/create-world.js';

const world = createWorlds({ folderFlag: true });

test('--add-scopes and --add-roles: the preset plus the additions, on the key and on the folder', async () => {
  const w = await world();
  const res = await w.create(['--add-scopes', 'yc.serverless.mcpGateways.invoke', '--add-roles', 'viewer', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as { api_key: { id: string; scopes: string[] }; service_account: { id: string }; roles: string[] };
  assert.deepEqual(doc.roles, [...PRESET_ROLES, 'viewer']);
  const key = w.emu.state.apiKeys().find((k) => k.id === doc.api_key.id);
  assert.deepEqual(key?.scopes, [...PRESET_SCOPES, 'yc.serverless.mcpGateways.invoke']);
  const mine = w.bindings().filter((b) => b.endsWith(`:${doc.service_account.id}`));
  assert.deepEqual(mine, [...PRESET_ROLES, 'viewer'].map((r) => `${r} serviceAccount:${doc.service_account.id}`).sort());
});

test('a scope given twice (in a list, or added when the preset has it): exit 2, no call', async () => {
  const w = await world();
  for (const argv of [
    ['--add-scopes', 'yc.ai.vision.execute'],
    ['--scopes', 'yc.ai.vision.execute,yc.ai.vision.execute'],
    ['--scopes', 'yc.ai.vision.execute', '--add-scopes', 'yc.ai.vision.execute'],
  ]) {
    const res = await w.create(argv);
    assert.equal(res.exitCode, EXIT_CODES.usage, `${argv.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, /"yc\.ai\.vision\.execute" is (given twice|already in)/);
  }
  assert.deepEqual(w.emu.journal, []);
});

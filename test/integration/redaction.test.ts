/**
 * Redaction keeps words (issue #13 item 13): the recovery hint a failed clean-up prints,
 * `yc iam api-key delete <id>`, reaches the user intact, while no secret does.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { keysWorld, type KeysWorld } from '../helpers/keys-world.js';

const worlds: KeysWorld[] = [];
after(() => Promise.all(worlds.map((w) => w.emu.stop())));

test('a key that cannot be deleted in the clean-up is named with its yc command, word for word', async () => {
  const w = await keysWorld({ emulator: { operationDelayMs: 1 } });
  worlds.push(w);
  w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'bindings refused' });
  w.emu.inject('ApiKeyService/Delete', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'delete refused', times: 10 });
  // Deleting the account would take its keys with it.
  w.emu.inject('ServiceAccountService/Delete', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'delete refused', times: 10 });
  const r = await w.cli(['create', '--folder-id', w.ids.folderId, '--retries', '0']);
  assert.equal(r.exitCode, 1, r.stderr);
  const key = w.emu.state.apiKeys().find((k) => k.description.includes('aistudio-key run'));
  assert.ok(key, 'the key is still there');
  assert.ok(r.stderr.includes(`yc iam api-key delete ${key.id}`), r.stderr);
  w.assertNoSecrets(r);
});

/**
 * Issue #14 item 11: a rotate result states what the cloud confirmed. The document goes to stdout
 * before the old key is deleted (so a failed hand-over never costs the old key); the field saying
 * what was revoked is written only once the delete has answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshWorlds, SEED } from '../helpers/keys-world.js';

interface Doc {
  secret: string;
  api_key: { id: string };
  revoked: string[];
  not_revoked?: Array<{ id: string; reason: string }>;
}

const world = freshWorlds();

test('rotate --json whose delete of the old key is refused: "revoked" is empty and "not_revoked" names the old key and why', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Delete', { kind: 'error', code: 'PERMISSION_DENIED', message: `Permission to [iam.apiKey ${SEED.keyA1}] denied` });
  const res = await w.cli(['rotate', SEED.keyA1, '--json']);
  assert.equal(res.exitCode, 3, res.stderr);
  const doc = JSON.parse(res.stdout) as Doc;
  assert.ok(doc.secret, 'the new key was handed over');
  assert.deepEqual(doc.revoked, [], 'the old key was not revoked');
  assert.equal(doc.not_revoked?.length, 1);
  assert.equal(doc.not_revoked?.[0]?.id, SEED.keyA1);
  assert.match(doc.not_revoked?.[0]?.reason ?? "", /^You may not delete API key/);
  assert.ok(w.emu.state.apiKeys().some((k) => k.id === SEED.keyA1), 'the old key is live, as the document says');
  assert.match(res.stderr, new RegExp(`the old key ${SEED.keyA1} is still live`));
});

test('rotate --format yaml whose delete fails: the same honest fields', async () => {
  const w = await world();
  w.emu.inject('ApiKeyService/Delete', { kind: 'error', code: 'INTERNAL', times: 10 });
  const res = await w.cli(['rotate', SEED.keyA1, '--format', 'yaml'], { target: { backoff: { baseMs: 1, maxMs: 2 } } });
  assert.equal(res.exitCode, 1, res.stderr);
  assert.match(res.stdout, /\nrevoked: \[\]\nnot_revoked:\n {2}- id: \w+\n {4}reason: /);
  assert.doesNotMatch(res.stdout, new RegExp(`revoked:\\n {2}- ${SEED.keyA1}`));
});

test('a successful rotate --json still lists the old key as revoked (after the cloud confirmed it)', async () => {
  const w = await world();
  const res = await w.cli(['rotate', SEED.keyA1, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as Doc;
  assert.deepEqual(doc.revoked, [SEED.keyA1]);
  assert.equal(doc.not_revoked, undefined);
  assert.ok(!w.emu.state.apiKeys().some((k) => k.id === SEED.keyA1));
});

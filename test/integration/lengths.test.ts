/**
 * Issue #14 item 12: text lengths counted as the API counts them (UTF-16 code units: an emoji
 * outside the BMP counts 2), before anything changes. 200 emoji are 200 code points but 400 units.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorlds } from '../helpers/create-world.js';
import { runCli } from '../helpers/run-cli.js';

const world = createWorlds({ folderFlag: true });
const EMOJI = '\u{1F511}'; // 🔑, two UTF-16 code units

test('create --description of 200 emoji: exit 2 naming --description, no call that changes the cloud', async () => {
  const w = await world();
  const r = await w.create(['--description', EMOJI.repeat(200), '--json']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /--description/);
  assert.match(r.stderr, /400/, 'says how the API counts it');
  assert.deepEqual(w.emu.mutations(), []);
});

test('ensure --description of 200 emoji: exit 2, no mutation', async () => {
  const w = await world();
  const r = await runCli(['ensure', '--endpoint', w.emu.endpoint, '--ca-file', w.emu.caFile, '--folder-id', w.ids.folderId,
    '--service-account', 'ci-bot', '--to-lockbox', 'ai-key', '--description', EMOJI.repeat(200), '--json'], { env: { YC_IAM_TOKEN: w.ids.userIamToken } });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /--description/);
  assert.deepEqual(w.emu.mutations(), []);
});

test('128 emoji (256 units, the limit) pass; the key\'s description is cut whole-emoji to make room for the run marker', async () => {
  const w = await world();
  const r = await w.create(['--description', EMOJI.repeat(128), '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const [key] = w.emu.state.apiKeys();
  assert.ok(key);
  assert.ok(key.description.length <= 256, `${key.description.length} units`);
  assert.match(key.description, /\[aistudio-key run [a-z0-9]{10}\]$/);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(key.description), 'no emoji cut in half');
});

/**
 * Issue #14 item 8: a Lockbox secret still CREATING is waited for, bounded by CREATING_WAIT_MS,
 * then a clear error; without a way to sleep it is an error at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudGateway, LockboxSecret } from '../../src/cloud/types.js';
import { CREATING_WAIT_MS, settledSecret } from '../../src/core/targets/lockbox.js';
import { CloudError } from '../../src/errors.js';

const creating: LockboxSecret = { id: 'e6qaaaaaaaaaaaaaaaaa', folderId: 'b1gaaaaaaaaaaaaaaaaa', name: 'ai-key', description: '', labels: {}, status: 'CREATING', currentVersionId: undefined, currentEntryKeys: [] };

function gatewayAnswering(statuses: string[]): { gateway: CloudGateway; reads: () => number } {
  let reads = 0;
  const gateway = { getSecret: () => Promise.resolve({ ...creating, status: statuses[Math.min(reads++, statuses.length - 1)] ?? 'CREATING' }) } as unknown as CloudGateway;
  return { gateway, reads: () => reads };
}

test('a secret that stays CREATING: the wait ends within CREATING_WAIT_MS with a CloudError saying what to do', async () => {
  const { gateway, reads } = gatewayAnswering(['CREATING']);
  let slept = 0;
  const err = await settledSecret(gateway, creating, { ref: 'ai-key', folderId: creating.folderId, sleep: (ms) => ((slept += ms), Promise.resolve()) }).catch((e: unknown) => e);
  assert.ok(err instanceof CloudError);
  assert.match(err.message, /is still being created after \d+ s/);
  assert.match(err.hints.join(' '), /run the command again in a minute/);
  assert.ok(slept <= CREATING_WAIT_MS && slept > CREATING_WAIT_MS / 2, `slept ${slept} ms`);
  assert.ok(reads() > 3);
});

test('a secret that becomes ACTIVE: returned as read then', async () => {
  const { gateway, reads } = gatewayAnswering(['CREATING', 'ACTIVE']);
  const s = await settledSecret(gateway, creating, { ref: 'ai-key', folderId: creating.folderId, sleep: () => Promise.resolve() });
  assert.equal(s.status, 'ACTIVE');
  assert.equal(reads(), 2);
});

test('without sleep: an error at once, no read', async () => {
  const { gateway, reads } = gatewayAnswering(['ACTIVE']);
  await assert.rejects(settledSecret(gateway, creating, { ref: 'ai-key', folderId: creating.folderId }), CloudError);
  assert.equal(reads(), 0);
});

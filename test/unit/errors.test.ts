import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_CODES, UsageError, AuthError, CloudError, NotFoundError, NeedsInteractionError, InterruptedError, InternalError, CancelledError, KeysExpiringError } from '../../src/errors.js';

test('the exit-code table is pinned', () => {
  assert.deepEqual(EXIT_CODES, { ok: 0, failure: 1, usage: 2, auth: 3, needsInteraction: 4, keysExpiring: 5, interrupted: 130 });
});

test('each error class carries its exit code', () => {
  assert.equal(new UsageError('x').exitCode, 2);
  assert.equal(new AuthError('x').exitCode, 3);
  assert.equal(new CloudError('x').exitCode, 1);
  assert.equal(new NotFoundError('x').exitCode, 1);
  assert.equal(new NeedsInteractionError('x').exitCode, 4);
  assert.equal(new InterruptedError('x').exitCode, 130);
  assert.equal(new InternalError('x').exitCode, 1);
  assert.equal(new CancelledError('x').exitCode, 1);
  assert.equal(new KeysExpiringError('x').exitCode, 5);
});

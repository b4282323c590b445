import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXIT_CODE_HELP, EXIT_CODES, UsageError, AuthError, CloudError, NotFoundError, NeedsInteractionError, InterruptedError, InternalError, CancelledError, KeysExpiringError } from '../../src/errors.js';

test('the exit-code table is pinned', () => {
  assert.deepEqual(EXIT_CODES, { ok: 0, failure: 1, usage: 2, auth: 3, needsInteraction: 4, keysExpiring: 5, declined: 6, interrupted: 130 });
});

test('each error class carries its exit code', () => {
  assert.equal(new UsageError('x').exitCode, 2);
  assert.equal(new AuthError('x').exitCode, 3);
  assert.equal(new CloudError('x').exitCode, 1);
  assert.equal(new NotFoundError('x').exitCode, 1);
  assert.equal(new NeedsInteractionError('x').exitCode, 4);
  assert.equal(new InterruptedError('x').exitCode, 130);
  assert.equal(new InternalError('x').exitCode, 1);
  assert.equal(new CancelledError('x').exitCode, 6, 'a declined confirmation is not a failure of the cloud or the tool');
  assert.equal(new KeysExpiringError('x').exitCode, 5);
});

test('the help table and the README table list every exit code once, in order, with the same meaning', () => {
  const codes = Object.values(EXIT_CODES).sort((a, b) => a - b);
  assert.deepEqual(EXIT_CODE_HELP.map(([code]) => code), codes);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'));
  const rows = [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].slice(0, codes.length).map((m) => [Number(m[1]), m[2]]);
  assert.deepEqual(rows.map(([code]) => code), codes, 'README ### Exit codes');
  for (const [code, meaning] of EXIT_CODE_HELP) {
    const row = rows.find(([c]) => c === code);
    assert.equal(String(row?.[1]).replace(/`/g, ''), meaning, `README row ${code}`);
  }
});

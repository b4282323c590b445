import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpiry, parseDuration, parseExpiresAt, resolveExpiry, rfc3339 } from '../../src/core/expiry.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;

test('durations: single units, sums, and rejects', () => {
  const good: Array<[string, number]> = [
    ['90d', 90 * D],
    ['12h', 12 * H],
    ['30m', 30 * 60_000],
    ['45s', 45_000],
    ['2w', 14 * D],
    ['1y', 365 * D],
    ['1d12h', 36 * H],
    ['90D', 90 * D],
  ];
  for (const [text, ms] of good) assert.equal(parseDuration(text), ms, text);
  for (const bad of ['', '90', 'd', '0d', '-1d', '1.5d', '90 days', '1mo', 'P90D', '99999999999999999y']) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

test('expires-at: RFC 3339 with Z or an offset, and plain dates at 00:00 UTC', () => {
  assert.equal(parseExpiresAt('2027-01-31T18:00:00Z')?.toISOString(), '2027-01-31T18:00:00.000Z');
  assert.equal(parseExpiresAt('2027-01-31T21:00:00+03:00')?.toISOString(), '2027-01-31T18:00:00.000Z');
  assert.equal(parseExpiresAt('2027-01-31t18:00:00.250z')?.toISOString(), '2027-01-31T18:00:00.250Z');
  assert.equal(parseExpiresAt('2027-01-31')?.toISOString(), '2027-01-31T00:00:00.000Z');
  assert.equal(parseExpiresAt('2028-02-29')?.toISOString(), '2028-02-29T00:00:00.000Z');
});

test('expires-at: impossible or partial times are rejected', () => {
  for (const bad of ['2027-02-30', '2027-02-29', '2027-13-01', '2027-01-31T24:00:00Z', '2027-01-31T18:00:00', '2027-01-31T18:00Z', '31.01.2027', 'tomorrow', '1700000000', '2027-01-31T18:00:00+25:00']) {
    assert.equal(parseExpiresAt(bad), undefined, bad);
  }
});

test('expiry must be in the future and no later than 2105-12-31', () => {
  assert.equal(checkExpiry(new Date(NOW.getTime() + 1000), NOW), undefined);
  assert.match(checkExpiry(NOW, NOW) ?? '', /must be in the future/);
  assert.match(checkExpiry(new Date('2020-01-01T00:00:00Z'), NOW) ?? '', /must be in the future \(now is 2026-11-27T12:00:00Z\)/);
  assert.match(checkExpiry(new Date('2106-01-01T00:00:00Z'), NOW) ?? '', /no later than 2105-12-31/);
  assert.equal(checkExpiry(new Date('2105-12-31T00:00:00Z'), NOW), undefined);
});

test('resolveExpiry applies a duration to now; never means no expiry', () => {
  assert.equal(resolveExpiry({ kind: 'in', ms: 90 * D, text: '90d' }, NOW)?.toISOString(), '2027-02-25T12:00:00.000Z');
  assert.equal(resolveExpiry({ kind: 'never' }, NOW), undefined);
  const at = new Date('2027-01-01T00:00:00Z');
  assert.equal(resolveExpiry({ kind: 'at', at }, NOW), at);
});

test('rfc3339 drops a zero millisecond part only', () => {
  assert.equal(rfc3339(new Date('2027-01-01T00:00:00Z')), '2027-01-01T00:00:00Z');
  assert.equal(rfc3339(new Date('2027-01-01T00:00:00.5Z')), '2027-01-01T00:00:00.500Z');
});

test('a duration expiry is rounded down to the whole second', () => {
  const now = new Date('2026-11-27T12:00:00.987Z');
  assert.equal(resolveExpiry({ kind: 'in', ms: 1000, text: '1s' }, now)?.toISOString(), '2026-11-27T12:00:01.000Z');
});

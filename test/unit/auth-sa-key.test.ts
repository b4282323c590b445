import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { parseAuthorizedKey } from '../../src/auth/sa-key.js';
import { UsageError } from '../../src/errors.js';
import { testKeyFile, testKeyPair } from '../helpers/auth-deps.js';

const ORIGIN = '--sa-key-file key.json';

function rejects(input: unknown, pattern: RegExp): UsageError {
  let caught: unknown;
  try {
    parseAuthorizedKey(input, ORIGIN);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  assert.equal(caught.exitCode, 2);
  assert.match(caught.message, pattern);
  assert.match(caught.message, /^--sa-key-file key\.json /, 'the message names the source');
  assert.doesNotMatch(caught.message, /\n/, 'one line');
  assert.doesNotMatch(caught.message, /BEGIN|PRIVATE KEY-----|MII/, 'no key material');
  return caught;
}

test('accepts a key file whose private key starts with the "PLEASE DO NOT REMOVE THIS LINE!" header', () => {
  const file = testKeyFile();
  const key = parseAuthorizedKey(JSON.stringify(file), ORIGIN);
  assert.equal(key.id, file.id);
  assert.equal(key.serviceAccountId, file.service_account_id);
  assert.doesNotMatch(key.privateKey, /PLEASE DO NOT REMOVE/);
  assert.equal(createPrivateKey(key.privateKey).asymmetricKeyType, 'rsa');
});

test('accepts a key file without the header line, and an already parsed object (yc inline key)', () => {
  const file = testKeyFile({ header: false });
  assert.equal(parseAuthorizedKey(JSON.stringify(file), ORIGIN).id, file.id);
  assert.equal(parseAuthorizedKey(testKeyFile(), ORIGIN).serviceAccountId, file.service_account_id);
});

test('accepts CRLF line endings', () => {
  const file = testKeyFile();
  const crlf = { ...file, private_key: file.private_key.replace(/\n/g, '\r\n') };
  assert.equal(parseAuthorizedKey(JSON.stringify(crlf), ORIGIN).id, file.id);
});

test('rejects text that is not JSON without quoting it', () => {
  const file = testKeyFile();
  const err = rejects(JSON.stringify(file).slice(0, -5), /not valid JSON/);
  assert.doesNotMatch(err.message, /ajetest/);
});

test('rejects JSON that is not an object', () => {
  rejects('[1,2]', /not a JSON object/);
  rejects('"key"', /not a JSON object/);
});

for (const field of ['id', 'service_account_id', 'private_key'] as const) {
  test(`names the missing field ${field}`, () => {
    const file: Partial<ReturnType<typeof testKeyFile>> = testKeyFile();
    delete file[field];
    rejects(JSON.stringify(file), new RegExp(`field "${field}" is missing`));
  });
}

test('names a field of the wrong type', () => {
  rejects(JSON.stringify({ ...testKeyFile(), id: 42 }), /field "id" is not a string/);
});

test('says a user-account key is not a service account key', () => {
  const { service_account_id: _sa, ...rest } = testKeyFile();
  rejects(JSON.stringify({ ...rest, user_account_id: 'ajeuser' }), /user account/);
});

test('rejects a private_key that is not a PEM', () => {
  rejects(JSON.stringify({ ...testKeyFile(), private_key: 'not a key at all' }), /"private_key" is not a PEM private key/);
});

test('rejects a PEM that does not parse', () => {
  const pem = testKeyPair().privateKey;
  const lines = pem.trim().split('\n');
  const damaged = [lines[0], 'AAAA' + (lines[1] ?? '').slice(4, 20), lines[lines.length - 1]].join('\n');
  rejects(JSON.stringify({ ...testKeyFile(), private_key: damaged }), /"private_key" does not parse/);
});

test('rejects a public key pasted as the private key', () => {
  rejects(JSON.stringify({ ...testKeyFile(), private_key: testKeyPair().publicKey }), /"private_key" is not a PEM private key/);
});

test('rejects a key that is not RSA', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  rejects(JSON.stringify({ ...testKeyFile(), private_key: ec.privateKey, public_key: ec.publicKey }), /not an RSA key/);
});

test('says so when the header names another key ID', () => {
  const err = rejects(JSON.stringify(testKeyFile({ id: 'ajekeyaaaa', headerId: 'ajekeybbbb' })), /header names key ID ajekeybbbb but "id" is ajekeyaaaa/);
  assert.equal(err.code, 'usage');
});

test('rejects a public_key that does not match the private key', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  rejects(JSON.stringify({ ...testKeyFile(), public_key: other.publicKey }), /"public_key" does not match/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Redactor, redact } from '../../src/cloud/redact.js';
import { fakeIamToken, fakeOauthToken } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();
const FAKE_2 = fakeOauthToken();

const IAM = FAKE_1;
const API_KEY = 'AQVNzP0-abcdefghijklmnopqrstuvwxyz0123';
const OAUTH = FAKE_2;
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJhamUxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

test('redact removes IAM tokens, API key secrets, OAuth tokens and JWTs', () => {
  const text = `iam=${IAM} key=${API_KEY} oauth=${OAUTH} jwt=${JWT}`;
  const out = redact(text);
  for (const secret of [IAM, API_KEY, OAUTH, JWT]) assert.ok(!out.includes(secret), `${secret.slice(0, 6)}… leaked: ${out}`);
  assert.match(out, /iam=t1\.\*\*\*/);
  assert.match(out, /key=AQVN\*\*\*/);
  assert.match(out, /jwt=<jwt>/);
});

test('redact removes Authorization header values of both schemes', () => {
  assert.equal(redact('authorization: Bearer abc.def-ghi'), 'authorization: Bearer ***');
  assert.equal(redact('Authorization: Api-Key whatever123'), 'Authorization: Api-Key ***');
});

test('redact removes PEM private keys, with the "PLEASE DO NOT REMOVE" header or truncated', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const body = pem.split('\n')[1] ?? '';
  const out = redact(`PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID aje123\n${pem}`);
  assert.ok(!out.includes(body));
  assert.match(out, /<private key>/);
  const truncated = redact(pem.slice(0, 200));
  assert.ok(!truncated.includes(body.slice(0, 40)));
});

test('redact blanks registered secrets of any shape, but not short strings', () => {
  const r = new Redactor();
  r.add('opaque-token-without-known-shape');
  r.add('abc');
  r.add(undefined);
  assert.equal(r.redact('x opaque-token-without-known-shape y abc'), 'x *** y abc');
});

test('redact leaves ordinary text, ids and method names alone', () => {
  const line = 'rpc ServiceAccountService/Create OK 27ms request-id=0f3c2d1e-aaaa-bbbb-cccc-1234567890ab folder b1gabcdefghij0123456 aje0123456789abcdefg';
  assert.equal(redact(line), line);
});

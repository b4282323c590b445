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
  const opaque = 'k'.repeat(12) + '_opaque-key-value';
  assert.equal(redact(`Authorization: Api-Key ${opaque}`), 'Authorization: Api-Key ***');
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

test('redaction keeps words: `api-key delete` in a recovery hint is not a header, nor is a short value', () => {
  const hint = 'delete it with `yc iam api-key delete ajeabcdefghij0123456`';
  assert.equal(redact(hint), hint);
  assert.equal(redact('API-KEY delete ajeabcdefghij0123456'), 'API-KEY delete ajeabcdefghij0123456');
  assert.equal(redact('Api-Key whatever123'), 'Api-Key whatever123', 'not key-shaped: too short');
  assert.equal(redact('the bearer of bad news'), 'the bearer of bad news');
});

test('a registered secret is masked URL-encoded, JSON-escaped and base64-encoded too', () => {
  const secret = 'opaque/token+with=odd"chars-0123456789';
  const r = new Redactor();
  r.add(secret);
  for (const echoed of [
    `token=${encodeURIComponent(secret)}&x=1`,
    JSON.stringify({ token: secret }),
    `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`,
    `v=${Buffer.from(`ab${secret}`).toString('base64url')}`,
  ]) {
    const out = r.redact(echoed);
    assert.ok(!out.includes('0123456789'), `leaked: ${out}`);
  }
});

test('an IAM token echoed URL-encoded is masked whole by its shape', () => {
  const encoded = encodeURIComponent(`${IAM}==`);
  const out = redact(`the server said token=${encoded} is bad`);
  assert.equal(out, 'the server said token=t1.*** is bad');
});

test('redaction is linear: 120 KB and 5 MB adversarial texts take well under the old quadratic times', () => {
  // Shapes that made the old patterns rescan the rest of the text from every start.
  const patterns = ['eyJ-', 'eyJabcd.', 't1.', 'Bearer ', '-----BEGIN ', 'AQVN-', 'y0_-', 'a-'];
  for (const size of [120_000, 5_000_000]) {
    for (const p of patterns) {
      const text = p.repeat(Math.ceil(size / p.length));
      const started = process.hrtime.bigint();
      redact(text, ['registered-secret-0123']);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Generous bounds for a loaded machine; the old code took 15 s at 120 KB and hours at 5 MB.
      assert.ok(ms < (size > 1_000_000 ? 10_000 : 2_000), `${p} × ${size}: ${ms.toFixed(0)} ms`);
    }
  }
});

test('the auth layer\'s redaction (server error bodies, file paths) is linear too', async () => {
  const { redact: redactAuth } = await import('../../src/auth/token.js');
  for (const p of ['eyJ-', 'eyJa.', 'eyJa.eyJa-', '-----BEGIN ']) {
    const text = p.repeat(Math.ceil(1_000_000 / p.length));
    const started = process.hrtime.bigint();
    redactAuth(text, 300);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5_000, `${p}: ${ms.toFixed(0)} ms`);
  }
  assert.equal(redactAuth(`x ${JWT} y`), 'x <redacted> y');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { UsageError } from '../../src/errors.js';
import { IAM_TOKEN_AUDIENCE, signServiceAccountJwt } from '../../src/cloud/jwt.js';
import type { AuthorizedKey } from '../../src/cloud/types.js';
import { PRIVATE_KEY_LABEL } from '../helpers/fakes.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const NOW = Date.parse('2026-11-20T10:00:00Z');

function keyFile(pem = PEM): AuthorizedKey {
  return { id: 'ajekeyid0123456789ab', serviceAccountId: 'ajesa0123456789abcde', privateKey: pem };
}

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verifies(jwt: string, saltLength: number): boolean {
  const [h, c, s] = jwt.split('.');
  return verify('sha256', Buffer.from(`${h}.${c}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(s ?? '', 'base64url'));
}

test('the JWT has the header and claims IamTokenService expects', () => {
  const jwt = signServiceAccountJwt(keyFile(), NOW);
  const [h, c] = jwt.split('.');
  assert.deepEqual(decode(h), { typ: 'JWT', alg: 'PS256', kid: 'ajekeyid0123456789ab' });
  const iat = NOW / 1000;
  assert.deepEqual(decode(c), { iss: 'ajesa0123456789abcde', aud: IAM_TOKEN_AUDIENCE, iat, exp: iat + 3600 });
  assert.equal(IAM_TOKEN_AUDIENCE, 'https://iam.api.cloud.yandex.net/iam/v1/tokens');
});

test('the signature is RSASSA-PSS SHA-256 with a 32-byte salt', () => {
  const jwt = signServiceAccountJwt(keyFile(), NOW);
  assert.ok(verifies(jwt, 32));
  assert.ok(!verifies(jwt, 64), 'salt must be exactly the hash length');
  const tampered = jwt.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ iss: 'other' })).toString('base64url')}.`);
  assert.ok(!verifies(tampered, 32));
});

test('a key file with the "PLEASE DO NOT REMOVE THIS LINE!" header signs the same way', () => {
  const jwt = signServiceAccountJwt(keyFile(`PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID ajekeyid0123456789ab\n${PEM}`), NOW);
  assert.ok(verifies(jwt, 32));
});

test('life is capped at one hour', () => {
  const c = decode(signServiceAccountJwt(keyFile(), NOW, 7200).split('.')[1]);
  assert.equal((c['exp'] as number) - (c['iat'] as number), 3600);
  const short = decode(signServiceAccountJwt(keyFile(), NOW, 360).split('.')[1]);
  assert.equal((short['exp'] as number) - (short['iat'] as number), 360);
});

test('a broken or incomplete key is a UsageError naming the field', () => {
  assert.throws(() => signServiceAccountJwt(keyFile(`-----BEGIN ${PRIVATE_KEY_LABEL}-----\nnope\n-----END ${PRIVATE_KEY_LABEL}-----\n`), NOW), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /private_key of authorized key ajekeyid0123456789ab/);
    assert.ok(!e.message.includes('nope'));
    return true;
  });
  assert.throws(() => signServiceAccountJwt({ ...keyFile(), id: '' }, NOW), /`id`/);
  assert.throws(() => signServiceAccountJwt({ ...keyFile(), serviceAccountId: '' }, NOW), /service_account_id/);
  assert.throws(() => signServiceAccountJwt({ ...keyFile(), privateKey: '' }, NOW), /private_key/);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => signServiceAccountJwt(keyFile(ec), NOW), /not an RSA key/);
});

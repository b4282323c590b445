import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Channel } from 'nice-grpc';
import { defaultFixture, signServiceAccountJwt, startEmulator, IAM_AUDIENCE, type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, sdkClients, tokenClient } from './sdk-clients.js';

const IAM_TOKEN_SHAPE = /^t1\.[A-Za-z0-9_-]+[=]{0,2}\.[A-Za-z0-9_-]{86}[=]{0,2}$/;

describe('IamTokenService.Create', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let channel: Channel;
  let iam: ReturnType<typeof tokenClient>['client'];
  let key: { id: string; serviceAccountId: string; privateKey: string };
  const now = (): number => Math.floor(Date.now() / 1000);
  const exchange = (jwt: string) => iam.create({ jwt, yandexPassportOauthToken: undefined });

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    // A second key, of the foreign service account, to prove a kid must belong to iss.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    d.fixture.authorizedKeys?.push({ id: 'ajeforeignkey0000001', serviceAccountId: ids.foreignServiceAccountId, publicKey: other.publicKey });
    emu = await startEmulator({ fixture: d.fixture });
    ({ client: iam, channel } = tokenClient(emu));
    key = { id: ids.authorizedKey.id, serviceAccountId: ids.authorizedKey.service_account_id, privateKey: ids.authorizedKey.private_key };
  });
  after(async () => {
    channel.close();
    await emu.stop();
  });

  it('exchanges a seeded OAuth token for a 12-hour IAM token of its user', async () => {
    const res = await iam.create({ yandexPassportOauthToken: ids.userOauthToken, jwt: undefined });
    assert.match(res.iamToken, IAM_TOKEN_SHAPE);
    const ttl = (res.expiresAt?.getTime() ?? 0) - Date.now();
    assert.ok(ttl > 12 * 3600_000 - 60_000 && ttl <= 12 * 3600_000, `ttl ${ttl}`);
    // The token works, as the admin user.
    const sa = await sdkClients(emu, res.iamToken).serviceAccounts.create({ folderId: ids.folderId, name: 'via-oauth', description: '', labels: {} });
    assert.equal(sa.createdBy, ids.userId);
    assert.ok(emu.secrets().includes(res.iamToken));
    assert.ok(emu.secrets().includes(ids.userOauthToken));
  });

  it('rejects an unknown OAuth token with UNAUTHENTICATED', async () => {
    // Change the last character to one it is not, so the token is certainly unknown.
    const last = ids.userOauthToken.slice(-1) === '_' ? '-' : '_';
    const unknown = ids.userOauthToken.slice(0, -1) + last;
    assert.notEqual(unknown, ids.userOauthToken);
    await rejectsWith(iam.create({ yandexPassportOauthToken: unknown, jwt: undefined }), 'UNAUTHENTICATED');
  });

  it('needs exactly one of the two credentials (INVALID_ARGUMENT for neither or both)', async () => {
    await rejectsWith(iam.create({ yandexPassportOauthToken: undefined, jwt: undefined }), 'INVALID_ARGUMENT', /Request validation error: Identity: exactly one/);
    await rejectsWith(iam.create({ yandexPassportOauthToken: ids.userOauthToken, jwt: signServiceAccountJwt(key) }), 'INVALID_ARGUMENT', /exactly one/);
  });

  it('exchanges a good PS256 JWT (aud as string or one-element array) for a token of the service account', async () => {
    for (const aud of [IAM_AUDIENCE, [IAM_AUDIENCE]]) {
      const res = await exchange(signServiceAccountJwt(key, { aud }));
      assert.match(res.iamToken, IAM_TOKEN_SHAPE);
      const op = await sdkClients(emu, res.iamToken).serviceAccounts.create({ folderId: ids.folderId, name: `via-jwt-${Array.isArray(aud) ? 'arr' : 'str'}`, description: '', labels: {} });
      assert.equal(op.createdBy, ids.serviceAccountId);
    }
    // With exp - iat exactly 3600 (the maximum) and the key file's prefixed PEM.
    const iat = now();
    await exchange(signServiceAccountJwt(key, { iat, exp: iat + 3600 }));
  });

  it('rejects a bad signature', async () => {
    const jwt = signServiceAccountJwt(key);
    const [h, p, s = ''] = jwt.split('.');
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    await rejectsWith(exchange(`${h}.${p}.${flipped}`), 'UNAUTHENTICATED', /signature verification failed/);
    // Claims changed after signing.
    const forged = Buffer.from(JSON.stringify({ iss: key.serviceAccountId, aud: IAM_AUDIENCE, iat: now(), exp: now() + 60 })).toString('base64url');
    await rejectsWith(exchange(`${h}.${forged}.${s}`), 'UNAUTHENTICATED', /signature verification failed/);
    // Signed by a different private key under the right kid.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await rejectsWith(exchange(signServiceAccountJwt({ ...key, privateKey: stranger.privateKey })), 'UNAUTHENTICATED', /signature/);
  });

  it('rejects an unknown kid, and a kid that belongs to another service account', async () => {
    await rejectsWith(exchange(signServiceAccountJwt(key, { kid: 'ajeunknownkey0000000' })), 'UNAUTHENTICATED', /unknown key id/);
    await rejectsWith(exchange(signServiceAccountJwt(key, { kid: 'ajeforeignkey0000001' })), 'UNAUTHENTICATED', /does not belong to service account/);
    await rejectsWith(exchange(signServiceAccountJwt(key, { iss: ids.foreignServiceAccountId })), 'UNAUTHENTICATED', /does not belong/);
  });

  it('rejects a wrong aud', async () => {
    for (const aud of ['https://iam.api.cloud.yandex.net/iam/v1/tokens/', 'https://example.com', [IAM_AUDIENCE, 'https://example.com'], []]) {
      await rejectsWith(exchange(signServiceAccountJwt(key, { aud })), 'UNAUTHENTICATED', /invalid audience/);
    }
  });

  it('rejects exp - iat over an hour, an expired token and one issued in the future', async () => {
    const iat = now();
    await rejectsWith(exchange(signServiceAccountJwt(key, { iat, exp: iat + 3601 })), 'UNAUTHENTICATED', /at most 3600/);
    await rejectsWith(exchange(signServiceAccountJwt(key, { iat: iat - 7200, exp: iat - 3600 })), 'UNAUTHENTICATED', /expired/);
    await rejectsWith(exchange(signServiceAccountJwt(key, { iat: iat + 3000, exp: iat + 3500 })), 'UNAUTHENTICATED', /future/);
  });

  it('accepts PS256 only', async () => {
    await rejectsWith(exchange(signServiceAccountJwt(key, { alg: 'RS256' })), 'UNAUTHENTICATED', /only PS256/);
  });

  it('answers INVALID_ARGUMENT for a malformed JWT', async () => {
    await rejectsWith(exchange('not-a-jwt'), 'INVALID_ARGUMENT', /malformed/);
    await rejectsWith(exchange('e30.e30.e30'), 'INVALID_ARGUMENT', /malformed/);
    await rejectsWith(exchange('x'.repeat(8001)), 'INVALID_ARGUMENT', /Jwt: length must be at most 8000/);
  });

  it('needs no token, and journals the exchange without counting it as a mutation', async () => {
    const before = emu.journal.length;
    await exchange(signServiceAccountJwt(key));
    const entry = emu.journal[before];
    assert.equal(entry?.method, 'IamTokenService/Create');
    assert.equal(entry?.metadata.authorization, undefined);
    assert.equal(entry?.status, 'OK');
    assert.ok(!emu.mutations().some((m) => m.method === 'IamTokenService/Create'));
  });

  it('stops accepting keys of a deleted service account', async () => {
    const admin = sdkClients(emu, ids.userIamToken);
    await admin.serviceAccounts.delete({ serviceAccountId: ids.serviceAccountId });
    await rejectsWith(exchange(signServiceAccountJwt(key)), 'UNAUTHENTICATED', /unknown key id/);
    // Tokens it already holds stop working too: the subject is gone.
    await rejectsWith(sdkClients(emu, ids.serviceAccountIamToken).folders.get({ folderId: ids.folderId }), 'UNAUTHENTICATED');
  });
});

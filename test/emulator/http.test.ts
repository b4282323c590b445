import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GRANT_TYPE_TOKEN_EXCHANGE, METADATA_FOLDER_PATH, METADATA_TOKEN_PATH, TOKEN_TYPE_ACCESS, TOKEN_TYPE_ID,
  defaultFixture, startEmulator, type DefaultIds, type Emulator,
} from './index.js';
import { rejectsWith, sdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

const IAM_TOKEN_SHAPE = /^t1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/;

describe('HTTP side channel', () => {
  let emu: Emulator;
  let ids: DefaultIds;

  before(async () => ({ emu, ids } = await startDefaultEmulator()));
  after(() => emu.stop());

  describe('metadata service', () => {
    const token = (headers: Record<string, string> = { 'Metadata-Flavor': 'Google' }) => fetch(`${emu.httpUrl}${METADATA_TOKEN_PATH}`, { headers });

    it('hands out an IAM token of the attached service account', async () => {
      const res = await token();
      assert.equal(res.status, 200);
      const body = await res.json() as { access_token: string; expires_in: number; token_type: string };
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
      assert.match(body.access_token, IAM_TOKEN_SHAPE);
      assert.equal(body.token_type, 'Bearer');
      assert.ok(body.expires_in > 43_000 && body.expires_in <= 43_200, String(body.expires_in));
      assert.ok(emu.secrets().includes(body.access_token));
      // The token is ci-robot's: it works over gRPC with that account's roles.
      const op = await sdkClients(emu, body.access_token).serviceAccounts.create({ folderId: ids.folderId, name: 'from-metadata', description: '', labels: {} });
      assert.equal(op.createdBy, ids.serviceAccountId);
      // While far from expiry, the same token comes back.
      const again = await (await token()).json() as { access_token: string };
      assert.equal(again.access_token, body.access_token);
    });

    it('answers 403 without Metadata-Flavor: Google', async () => {
      assert.equal((await token({})).status, 403);
      assert.equal((await token({ 'Metadata-Flavor': 'google-ish' })).status, 403);
      const entry = emu.calls(`HTTP GET ${METADATA_TOKEN_PATH}`).at(-1);
      assert.equal(entry?.httpStatus, 403);
      assert.equal(entry?.status, 'PERMISSION_DENIED');
    });

    it('answers 404 when no service account is attached', async () => {
      const d = defaultFixture();
      delete d.fixture.metadataServiceAccountId;
      delete d.fixture.metadataFolderId;
      const bare = await startEmulator({ fixture: d.fixture });
      try {
        assert.equal((await fetch(`${bare.httpUrl}${METADATA_TOKEN_PATH}`, { headers: { 'Metadata-Flavor': 'Google' } })).status, 404);
        assert.equal((await fetch(`${bare.httpUrl}${METADATA_FOLDER_PATH}`, { headers: { 'Metadata-Flavor': 'Google' } })).status, 404);
      } finally {
        await bare.stop();
      }
    });

    it('reports the folder id', async () => {
      const res = await fetch(`${emu.httpUrl}${METADATA_FOLDER_PATH}`, { headers: { 'Metadata-Flavor': 'Google' } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), ids.folderId);
      assert.equal((await fetch(`${emu.httpUrl}${METADATA_FOLDER_PATH}`)).status, 403);
    });

    it('answers 404 for other paths and 405 for other methods', async () => {
      assert.equal((await fetch(`${emu.httpUrl}/computeMetadata/v1/instance/hostname`, { headers: { 'Metadata-Flavor': 'Google' } })).status, 404);
      assert.equal((await fetch(`${emu.httpUrl}${METADATA_TOKEN_PATH}`, { method: 'POST', headers: { 'Metadata-Flavor': 'Google' } })).status, 405);
    });
  });

  describe('workload identity token exchange (POST /oauth/token)', () => {
    const good = (): Record<string, string> => ({
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ACCESS,
      audience: ids.serviceAccountId,
      subject_token: ids.federatedSubjectToken,
      subject_token_type: TOKEN_TYPE_ID,
    });
    const post = (form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') =>
      fetch(`${emu.httpUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': contentType }, body: new URLSearchParams(form).toString() });
    const expectError = async (res: Response, error: string, description?: RegExp) => {
      assert.equal(res.status, 400);
      const body = await res.json() as { error: string; error_description: string };
      assert.equal(body.error, error);
      if (description !== undefined) assert.match(body.error_description, description);
    };

    it('exchanges a federated subject token for an IAM token of the service account', async () => {
      const res = await post(good());
      assert.equal(res.status, 200);
      const body = await res.json() as { access_token: string; token_type: string; expires_in: number };
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
      assert.match(body.access_token, IAM_TOKEN_SHAPE);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 43200);
      const sa = await sdkClients(emu, body.access_token).serviceAccounts.get({ serviceAccountId: ids.serviceAccountId });
      assert.equal(sa.name, 'ci-robot');
      const entry = emu.calls('HTTP POST /oauth/token').at(-1);
      assert.equal(entry?.path, 'HTTP POST /oauth/token');
      assert.equal((entry?.request as Record<string, string>).audience, ids.serviceAccountId);
      assert.equal(entry?.status, 'OK');
      assert.ok(!emu.mutations().some((m) => m.method.startsWith('HTTP')));
    });

    for (const field of ['grant_type', 'requested_token_type', 'audience', 'subject_token', 'subject_token_type']) {
      it(`400 invalid_request without ${field}`, async () => {
        const form = good();
        delete form[field];
        await expectError(await post(form), 'invalid_request', new RegExp(field));
      });
    }

    it('400 for a wrong grant type, token types or content type', async () => {
      await expectError(await post({ ...good(), grant_type: 'client_credentials' }), 'unsupported_grant_type');
      await expectError(await post({ ...good(), requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }), 'invalid_request', /requested_token_type/);
      await expectError(await post({ ...good(), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }), 'invalid_request', /subject_token_type/);
      await expectError(await post(good(), 'application/json'), 'invalid_request', /Content-Type/);
    });

    it('400 invalid_grant for an unknown subject token or another service account', async () => {
      await expectError(await post({ ...good(), subject_token: `${ids.federatedSubjectToken}x` }), 'invalid_grant', /not accepted/);
      await expectError(await post({ ...good(), audience: ids.foreignServiceAccountId }), 'invalid_grant', /no federated credential/);
      assert.equal(emu.calls('HTTP POST /oauth/token').at(-1)?.httpStatus, 400);
    });
  });

  it('tokens from either channel stop working once their service account is deleted', async () => {
    const res = await fetch(`${emu.httpUrl}${METADATA_TOKEN_PATH}`, { headers: { 'Metadata-Flavor': 'Google' } });
    const { access_token: token } = await res.json() as { access_token: string };
    await sdkClients(emu, ids.userIamToken).serviceAccounts.delete({ serviceAccountId: ids.serviceAccountId });
    await rejectsWith(sdkClients(emu, token).folders.get({ folderId: ids.folderId }), 'UNAUTHENTICATED');
    assert.equal((await fetch(`${emu.httpUrl}${METADATA_TOKEN_PATH}`, { headers: { 'Metadata-Flavor': 'Google' } })).status, 404);
  });
});

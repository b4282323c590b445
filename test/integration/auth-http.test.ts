/**
 * The credential chain's HTTP sources against the emulator's HTTP side channel: the metadata
 * service and the workload-identity token exchange (GitHub Actions, GitLab, --federated-token).
 * Each token obtained is then used through the real gateway, so "works" means the cloud accepts it.
 * Every URL is loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { METADATA_TOKEN_PATH, TOKEN_EXCHANGE_PATH, defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { resolveCredential } from '../../src/auth/chain.js';
import { httpFetch } from '../../src/auth/http-fetch.js';
import { connect } from '../../src/cloud/connect.js';
import type { Credential } from '../../src/cloud/types.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, CloudError } from '../../src/errors.js';
import type { AuthFlags, ResolvedAuth } from '../../src/auth/types.js';
import { HOME, fakeAuthDeps, startLoopbackHttp, type FakeAuthDeps, type FakeAuthDepsOptions, type FetchCall } from '../helpers/auth-deps.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

const METADATA_CALL = `HTTP GET ${METADATA_TOKEN_PATH}`;
const EXCHANGE_CALL = `HTTP POST ${TOKEN_EXCHANGE_PATH}`;

/** Real fetch, refusing anything off loopback. */
async function loopbackFetch(call: FetchCall): Promise<Response> {
  const { hostname } = new URL(call.url);
  assert.ok(hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]', `off-loopback fetch to ${call.url}`);
  return httpFetch(new URL(call.url), { method: call.method === 'POST' ? 'POST' : 'GET', headers: call.headers, ...(call.body !== undefined ? { body: call.body } : {}), signal: AbortSignal.timeout(15_000) });
}

describe('HTTP credential sources against the emulator', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let httpAddr: string;

  before(async () => {
    ({ emu, ids } = await startDefaultEmulator());
    httpAddr = new URL(emu.httpUrl).host;
  });
  after(() => emu.stop());

  const deps = (env: Record<string, string | undefined>, opts: Omit<FakeAuthDepsOptions, 'env'> = {}): FakeAuthDeps =>
    fakeAuthDeps({ env, fetch: loopbackFetch, now: new Date(), ...opts });

  const resolve = (flags: AuthFlags, d: FakeAuthDeps): Promise<ResolvedAuth> => resolveCredential(flags, d);

  /** Proves the cloud accepts the credential: connect through the real gateway and read the folder. */
  async function assertAccepted(credential: Credential): Promise<void> {
    const { gateway, identity } = await connect({
      endpoint: emu.endpoint,
      caPem: Buffer.from(emu.caPem),
      credential,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => new Date(),
      retries: 0,
    });
    try {
      assert.equal((await gateway.getFolder(ids.folderId)).id, ids.folderId);
      assert.equal(identity.id, ids.serviceAccountId);
    } finally {
      gateway.close();
    }
  }

  const exchangeEnv = () => ({ [ENV.tokenExchangeUrl]: `${emu.httpUrl}${TOKEN_EXCHANGE_PATH}` });

  test('metadata service: the attached service account token, its expiry and the VM folder', async () => {
    const before = emu.calls(METADATA_CALL).length;
    const auth = await resolve({}, deps({ [ENV.metadataAddr]: httpAddr }));
    assert.equal(auth.credential.source, 'metadata');
    assert.equal(auth.credential.kind, 'iam-token');
    if (auth.credential.kind !== 'iam-token') return;
    assert.ok(emu.secrets().includes(auth.credential.token));
    const left = (auth.credential.expiresAt?.getTime() ?? 0) - Date.now();
    assert.ok(left > 11 * 3600_000 && left <= 12 * 3600_000, `expires in ${left} ms`);
    assert.deepEqual(auth.defaults, { folderId: ids.folderId, source: 'metadata' });
    const calls = emu.calls(METADATA_CALL).slice(before);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.metadata['metadata-flavor'], 'Google');
    assert.equal(calls[0]?.httpStatus, 200);
    // The metadata service does not say whose token it is; the gateway can still use it.
    const { gateway } = await connect({ endpoint: emu.endpoint, caPem: Buffer.from(emu.caPem), credential: auth.credential, sleep: async () => undefined, now: () => new Date(), retries: 0 });
    try {
      assert.equal((await gateway.getFolder(ids.folderId)).id, ids.folderId);
    } finally {
      gateway.close();
    }
  });

  test('a yc profile with instance-service-account uses the emulator metadata service', async () => {
    const files = { [`${HOME}/.config/yandex-cloud/config.yaml`]: 'current: vm\nprofiles:\n  vm:\n    instance-service-account: true\n' };
    const auth = await resolve({}, deps({ [ENV.metadataAddr]: httpAddr }, { files }));
    assert.equal(auth.credential.source, 'metadata');
    assert.equal(auth.defaults?.folderId, ids.folderId);
  });

  test('GitLab: YC_ID_TOKEN is exchanged with the reference form fields, and the token works', async () => {
    const before = emu.calls(EXCHANGE_CALL).length;
    const auth = await resolve({}, deps({ ...exchangeEnv(), [ENV.gitlabIdToken]: ids.federatedSubjectToken, [ENV.serviceAccountId]: ids.serviceAccountId }));
    assert.equal(auth.credential.source, 'federation:gitlab');
    const [call] = emu.calls(EXCHANGE_CALL).slice(before);
    assert.equal(call?.httpStatus, 200);
    assert.deepEqual(call?.request, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: ids.serviceAccountId,
      subject_token: ids.federatedSubjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    assert.equal(call?.metadata['authorization'], undefined);
    await assertAccepted(auth.credential);
  });

  test('GitHub Actions: the job OIDC token (bearer request token, audience) is exchanged, and the token works', async (t) => {
    const oidc = await startLoopbackHttp((req, res) => {
      if (req.headers.authorization !== 'bearer gh-request-token') return void res.writeHead(401).end();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: ids.federatedSubjectToken }));
    });
    t.after(() => oidc.close());
    const auth = await resolve({}, deps({
      ...exchangeEnv(),
      [ENV.githubOidcUrl]: `http://${oidc.addr}/_apis/idtoken?api-version=2.0`,
      [ENV.githubOidcToken]: 'gh-request-token',
      [ENV.githubRepositoryOwner]: 'acme',
      [ENV.serviceAccountId]: ids.serviceAccountId,
    }));
    assert.equal(auth.credential.source, 'federation:github-actions');
    const asked = new URL(oidc.requests[0]?.url ?? '', 'http://x');
    assert.equal(asked.searchParams.get('audience'), 'https://github.com/acme');
    assert.equal(asked.searchParams.get('api-version'), '2.0');
    await assertAccepted(auth.credential);
  });

  test('--federated-token @file is exchanged the same way', async () => {
    const d = deps({ ...exchangeEnv() }, { files: { '/ci/oidc.jwt': `${ids.federatedSubjectToken}\n` } });
    const auth = await resolve({ federatedToken: '@/ci/oidc.jwt', serviceAccountId: ids.serviceAccountId }, d);
    assert.equal(auth.credential.source, 'flag:--federated-token');
    await assertAccepted(auth.credential);
  });

  test('federation beats the metadata service, which is then not asked', async () => {
    const before = emu.calls(METADATA_CALL).length;
    const auth = await resolve({}, deps({
      ...exchangeEnv(), [ENV.metadataAddr]: httpAddr, [ENV.gitlabIdToken]: ids.federatedSubjectToken, [ENV.serviceAccountId]: ids.serviceAccountId,
    }));
    assert.equal(auth.credential.source, 'federation:gitlab');
    assert.equal(emu.calls(METADATA_CALL).length, before);
  });

  test('a token the federation does not link to the service account is refused with exit 3, never echoed', async () => {
    const err = await resolve({}, deps({ ...exchangeEnv(), [ENV.gitlabIdToken]: ids.federatedSubjectToken, [ENV.serviceAccountId]: ids.foreignServiceAccountId }))
      .catch((e: unknown) => e);
    assert.ok(err instanceof AuthError);
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /refused \(HTTP 400: invalid_grant/);
    assert.ok(!`${err.message}\n${err.hints.join('\n')}`.includes(ids.federatedSubjectToken));
  });

  test('an exchange endpoint that is down is a CloudError (exit 1)', async () => {
    emu.inject(EXCHANGE_CALL, { kind: 'error', code: 'UNAVAILABLE' });
    const err = await resolve({}, deps({ ...exchangeEnv(), [ENV.gitlabIdToken]: ids.federatedSubjectToken, [ENV.serviceAccountId]: ids.serviceAccountId }))
      .catch((e: unknown) => e);
    assert.ok(err instanceof CloudError);
    assert.equal(err.exitCode, 1);
  });

  test('a metadata service with no service account attached: nothing found, asked once, with the reason', async () => {
    const d = defaultFixture();
    delete d.fixture.metadataServiceAccountId;
    const bare = await startEmulator({ fixture: d.fixture });
    try {
      const err = await resolve({}, deps({ [ENV.metadataAddr]: new URL(bare.httpUrl).host })).catch((e: unknown) => e);
      // The 404 is an answer, not a failure to retry: the token is asked for once.
      assert.equal(bare.journal.filter((e) => e.path.endsWith('/service-accounts/default/token')).length, 1);
      assert.ok(err instanceof AuthError && err.code === 'no_credential');
      assert.ok(err.hints.some((h) => h.includes('no service account is attached')));
    } finally {
      await bare.stop();
    }
  });
});

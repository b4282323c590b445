import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCredential } from '../../src/auth/chain.js';
import { DEFAULT_TOKEN_EXCHANGE_URL } from '../../src/auth/federation.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, CloudError, UsageError } from '../../src/errors.js';
import { FIXED_NOW, fakeAuthDeps, fakeJwt, jsonResponse, type FetchCall, credentialFailure } from '../helpers/auth-deps.js';

const SA = 'ajetestsa00000000001';
const OIDC_URL = 'https://pipelines.example.test/_apis/idtoken?api-version=2.0';
const EXCHANGE_URL = 'http://127.0.0.1:9/oauth/token';
const GH_JWT = fakeJwt({ sub: 'repo:acme/app:ref:refs/heads/main', aud: 'https://github.com/acme' });
const GITHUB_ENV = {
  [ENV.githubOidcUrl]: OIDC_URL,
  [ENV.githubOidcToken]: 'gh-request-token',
  [ENV.githubRepositoryOwner]: 'acme',
  [ENV.serviceAccountId]: SA,
  [ENV.tokenExchangeUrl]: EXCHANGE_URL,
};

/** GitHub's OIDC endpoint and the token exchange, as fake fetch answers. */
function ciEndpoints(exchange: (call: FetchCall) => Response = () => jsonResponse(200, { access_token: 'exchanged-iam', token_type: 'Bearer', expires_in: 43200 })) {
  return (call: FetchCall): Response => (call.url.startsWith('https://pipelines.example.test/') ? jsonResponse(200, { value: GH_JWT }) : exchange(call));
}

function formOf(call: FetchCall | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(call?.body ?? ''));
}

function expectedForm(subjectToken: string, audience = SA): Record<string, string> {
  return {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience,
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
  };
}

const failure = credentialFailure;

test('GitHub Actions: fetches the job OIDC token, then exchanges it with exactly the reference fields', async () => {
  const deps = fakeAuthDeps({ env: GITHUB_ENV, fetch: ciEndpoints() });
  const auth = await resolveCredential({}, deps);

  assert.equal(deps.fetchCalls.length, 2);
  const [oidc, exchange] = deps.fetchCalls;
  assert.equal(oidc?.method, 'GET');
  const oidcUrl = new URL(oidc?.url ?? '');
  assert.equal(oidcUrl.origin + oidcUrl.pathname, 'https://pipelines.example.test/_apis/idtoken');
  assert.equal(oidcUrl.searchParams.get('api-version'), '2.0');
  assert.equal(oidcUrl.searchParams.get('audience'), 'https://github.com/acme');
  assert.equal(oidc?.headers['authorization'], 'bearer gh-request-token');

  assert.equal(exchange?.method, 'POST');
  assert.equal(exchange?.url, EXCHANGE_URL);
  assert.equal(exchange?.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(exchange?.headers['authorization'], undefined, 'the exchange carries no Authorization header');
  assert.deepEqual(formOf(exchange), expectedForm(GH_JWT));

  assert.deepEqual(auth.credential, {
    kind: 'iam-token',
    source: 'federation:github-actions',
    token: 'exchanged-iam',
    subject: { type: 'serviceAccount', id: SA },
    expiresAt: new Date(FIXED_NOW.getTime() + 43200 * 1000),
  });
  assert.equal(auth.tried.at(-1), `GitHub Actions OIDC (${ENV.githubOidcUrl})`);
});

test('GitHub Actions: YC_OIDC_AUDIENCE overrides the audience; --service-account-id beats YC_SERVICE_ACCOUNT_ID', async () => {
  const deps = fakeAuthDeps({ env: { ...GITHUB_ENV, [ENV.oidcAudience]: 'custom-aud' }, fetch: ciEndpoints() });
  await resolveCredential({ serviceAccountId: 'ajeflagsa' }, deps);
  assert.equal(new URL(deps.fetchCalls[0]?.url ?? '').searchParams.get('audience'), 'custom-aud');
  assert.equal(formOf(deps.fetchCalls[1]).audience, 'ajeflagsa');
});

test('the exchange goes to https://auth.yandex.cloud/oauth/token unless YC_TOKEN_EXCHANGE_URL says otherwise', async () => {
  const deps = fakeAuthDeps({ env: { ...GITHUB_ENV, [ENV.tokenExchangeUrl]: undefined }, fetch: ciEndpoints() });
  await resolveCredential({}, deps);
  assert.equal(DEFAULT_TOKEN_EXCHANGE_URL, 'https://auth.yandex.cloud/oauth/token');
  assert.equal(deps.fetchCalls[1]?.url, DEFAULT_TOKEN_EXCHANGE_URL);
});

test('GitLab: exchanges the YC_ID_TOKEN id_token', async () => {
  const jwt = fakeJwt({ sub: 'project_path:acme/app:ref_type:branch:ref:main' });
  const deps = fakeAuthDeps({ env: { [ENV.gitlabIdToken]: jwt, [ENV.serviceAccountId]: SA, [ENV.tokenExchangeUrl]: EXCHANGE_URL }, fetch: ciEndpoints() });
  const auth = await resolveCredential({}, deps);
  assert.equal(deps.fetchCalls.length, 1);
  assert.equal(deps.fetchCalls[0]?.method, 'POST');
  assert.deepEqual(formOf(deps.fetchCalls[0]), expectedForm(jwt));
  assert.equal(auth.credential.source, 'federation:gitlab');
  assert.deepEqual(auth.credential.kind === 'iam-token' && auth.credential.subject, { type: 'serviceAccount', id: SA });
});

test('GitHub wins over GitLab when both are present', async () => {
  const deps = fakeAuthDeps({ env: { ...GITHUB_ENV, [ENV.gitlabIdToken]: fakeJwt() }, fetch: ciEndpoints() });
  assert.equal((await resolveCredential({}, deps)).credential.source, 'federation:github-actions');
});

test('--federated-token: a JWT, @file or @- (stdin), with --service-account-id', async () => {
  const jwt = fakeJwt();
  const env = { [ENV.tokenExchangeUrl]: EXCHANGE_URL };
  for (const [flag, opts] of [
    [jwt, {}],
    ['@/ci/token.jwt', { files: { '/ci/token.jwt': `${jwt}\n` } }],
    ['@-', { stdin: `${jwt}\n` }],
  ] as const) {
    const deps = fakeAuthDeps({ env, fetch: ciEndpoints(), ...opts });
    const auth = await resolveCredential({ federatedToken: flag, serviceAccountId: SA }, deps);
    assert.equal(auth.credential.source, 'flag:--federated-token');
    assert.deepEqual(formOf(deps.fetchCalls[0]), expectedForm(jwt));
  }
});

test('--federated-token beats the environment and CI federation', async () => {
  const jwt = fakeJwt({ sub: 'flag' });
  const deps = fakeAuthDeps({ env: { ...GITHUB_ENV, [ENV.iamToken]: 't1.test-iam' }, fetch: ciEndpoints() });
  const auth = await resolveCredential({ federatedToken: jwt }, deps);
  assert.equal(auth.credential.source, 'flag:--federated-token');
  assert.equal(deps.fetchCalls.length, 1);
  assert.equal(formOf(deps.fetchCalls[0]).subject_token, jwt);
});

test('--federated-token without a service account, or not a JWT, is a usage error before any call', async () => {
  const noSa = await failure({ federatedToken: fakeJwt() }, {});
  assert.ok(noSa instanceof UsageError);
  assert.match(noSa.message, /needs --service-account-id/);
  const notJwt = await failure({ federatedToken: 'just-a-string', serviceAccountId: SA }, {});
  assert.ok(notJwt instanceof UsageError);
  assert.match(notJwt.message, /not a JWT/);
  assert.ok(!notJwt.message.includes('just-a-string'));
});

test('a refused exchange is an AuthError with the server reason, never the token', async () => {
  const err = await failure({}, {
    env: GITHUB_ENV,
    fetch: ciEndpoints(() => jsonResponse(400, { error: 'invalid_grant', error_description: `no federated credential matches ${GH_JWT}` })),
  });
  assert.ok(err instanceof AuthError);
  assert.equal(err.code, 'unauthenticated');
  assert.equal(err.exitCode, 3);
  assert.match(err.message, /refused \(HTTP 400: invalid_grant: no federated credential matches <redacted>\)/);
  assert.ok(!JSON.stringify({ m: err.message, h: err.hints }).includes(GH_JWT));
});

test('a failing or unreachable exchange endpoint is a CloudError', async () => {
  const server = await failure({}, { env: GITHUB_ENV, fetch: ciEndpoints(() => new Response('oops', { status: 503 })) });
  assert.ok(server instanceof CloudError);
  assert.match(server.message, /HTTP 503/);
  const network = await failure({}, {
    env: GITHUB_ENV,
    fetch: ciEndpoints(() => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }); }),
  });
  assert.ok(network instanceof CloudError);
  assert.match(network.message, /cannot reach 127\.0\.0\.1:9/);
});

test('GitHub refusing the OIDC request says which permission the job needs', async () => {
  const err = await failure({}, { env: GITHUB_ENV, fetch: () => new Response('', { status: 403 }) });
  assert.ok(err instanceof AuthError);
  assert.ok(err.hints.some((h) => h.includes('id-token: write')));
});

test('CI federation needs a service account ID: without one it is skipped, with a note', async () => {
  const { [ENV.serviceAccountId]: _sa, ...withoutSa } = GITHUB_ENV;
  const deps = fakeAuthDeps({ env: { ...withoutSa, [ENV.iamToken]: undefined }, fetch: ciEndpoints() });
  const err = await resolveCredential({}, deps).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError && err.code === 'no_credential');
  assert.equal(deps.fetchCalls.length, 0);
  assert.ok(err.hints.some((h) => h.includes('GitHub Actions job can get an OIDC token, but no service account ID')));
});

test('a service account ID with no OIDC token available is explained', async () => {
  const err = await failure({}, { env: { [ENV.serviceAccountId]: SA } });
  assert.ok(err instanceof AuthError && err.code === 'no_credential');
  assert.ok(err.hints.some((h) => h.includes('id-token: write') && h.includes(`id_tokens: ${ENV.gitlabIdToken}`)));
});

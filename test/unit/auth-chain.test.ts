import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCredential, tokenCredential } from '../../src/auth/chain.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, UsageError } from '../../src/errors.js';
import type { AuthFlags } from '../../src/auth/types.js';
import { HOME, fakeAuthDeps, fakeJwt, jsonResponse, startBlackHole, startLoopbackHttp, testKeyFile, type FakeAuthDepsOptions, credentialFailure } from '../helpers/auth-deps.js';

const IAM = 't1.test-iam';
const OAUTH = 'y0_test-oauth';
const SA = 'ajetestsa00000000001';
const YC_CONFIG = `${HOME}/.config/yandex-cloud/config.yaml`;

async function resolve(flags: AuthFlags, opts: FakeAuthDepsOptions = {}) {
  const deps = fakeAuthDeps(opts);
  return { deps, auth: await resolveCredential(flags, deps) };
}

const failure = credentialFailure;

test('tokenCredential tells OAuth from IAM by the y<digit>_ prefix', () => {
  assert.equal(tokenCredential(OAUTH, 's').kind, 'oauth-token');
  assert.equal(tokenCredential('y1_other', 's').kind, 'oauth-token');
  assert.equal(tokenCredential(IAM, 's').kind, 'iam-token');
  assert.equal(tokenCredential('yes_not_oauth', 's').kind, 'iam-token');
});

// ---- order: a flag beats env beats federation beats profile beats metadata ----

test('each source wins exactly when every source before it is absent', async (t) => {
  const metadata = await startLoopbackHttp((req, res) => {
    if (req.url?.endsWith('/token')) return void res.end(JSON.stringify({ access_token: 'metadata-token', expires_in: 3600 }));
    res.end('b1gmetafolder');
  });
  t.after(() => metadata.close());
  const exchange = (): Response => jsonResponse(200, { access_token: 'federated-token', expires_in: 43200 });
  const all = {
    flags: { iamToken: 'flag-token' } as AuthFlags,
    env: {
      [ENV.iamToken]: 'env-token',
      [ENV.serviceAccountId]: SA,
      [ENV.gitlabIdToken]: fakeJwt(),
      [ENV.metadataAddr]: metadata.addr,
    } as Record<string, string | undefined>,
    files: { [YC_CONFIG]: 'current: p\nprofiles:\n  p:\n    token: profile-token\n' } as Record<string, string>,
  };
  const steps: Array<[string, string, string, () => void]> = [
    ['flag:--iam-token', 'flag-token', 'flag --iam-token', () => { all.flags = {}; }],
    [`env:${ENV.iamToken}`, 'env-token', `env ${ENV.iamToken}`, () => { delete all.env[ENV.iamToken]; }],
    ['federation:gitlab', 'federated-token', 'GitLab id_token', () => { delete all.env[ENV.gitlabIdToken]; }],
    ['yc-profile:p', 'profile-token', "yc profile 'p'", () => { all.files = {}; }],
    ['metadata', 'metadata-token', `metadata service (${metadata.addr})`, () => undefined],
  ];
  for (const [source, token, triedLast, removeIt] of steps) {
    const { auth, deps } = await resolve(all.flags, { env: { ...all.env }, files: { ...all.files }, fetch: exchange });
    assert.equal(auth.credential.source, source);
    assert.equal((auth.credential as { token: string }).token, token);
    assert.ok(auth.tried.at(-1)?.startsWith(triedLast), `${auth.tried.at(-1)} starts with ${triedLast}`);
    assert.equal(deps.fetchCalls.length, source === 'federation:gitlab' ? 1 : 0, 'no exchange unless federation wins');
    removeIt();
  }
  assert.equal(metadata.requests.filter((r) => r.url.endsWith('/token')).length, 1, 'the metadata service is asked only when everything else is absent');
});

test('tried lists every source looked at, in order, up to the winner', async () => {
  const { auth } = await resolve({}, { env: { [ENV.token]: IAM } });
  assert.deepEqual(auth.tried, [
    'flag --iam-token', 'flag --iam-token-file', 'flag --oauth-token', 'flag --sa-key-file', 'flag --federated-token',
    `env ${ENV.iamToken}`, `env ${ENV.oauthToken}`, `env ${ENV.token}`,
  ]);
});

// ---- flags ----

test('--iam-token and --oauth-token give their kind, trimmed', async () => {
  assert.deepEqual((await resolve({ iamToken: ` ${IAM}\n` })).auth.credential, { kind: 'iam-token', source: 'flag:--iam-token', token: IAM });
  assert.deepEqual((await resolve({ oauthToken: OAUTH })).auth.credential, { kind: 'oauth-token', source: 'flag:--oauth-token', token: OAUTH });
});

test('--iam-token-file reads a file, and - reads stdin', async () => {
  const fromFile = await resolve({ iamTokenFile: '/tmp/token' }, { files: { '/tmp/token': `${IAM}\n` } });
  assert.deepEqual(fromFile.auth.credential, { kind: 'iam-token', source: 'flag:--iam-token-file', token: IAM });
  const fromStdin = await resolve({ iamTokenFile: '-' }, { stdin: `${IAM}\n` });
  assert.equal((fromStdin.auth.credential as { token: string }).token, IAM);
  assert.equal(fromStdin.deps.stdinReads, 1);
});

test('--iam-token-file: an empty or missing file is a usage error that never quotes the content', async () => {
  const empty = await failure({ iamTokenFile: '-' }, { stdin: '  \n' });
  assert.ok(empty instanceof UsageError);
  assert.match(empty.message, /stdin.*empty/);
  const missing = await failure({ iamTokenFile: '/nope' });
  assert.ok(missing instanceof UsageError);
  assert.match(missing.message, /cannot read \/nope \(ENOENT\)/);
  const twoWords = await failure({ iamTokenFile: '/tmp/t' }, { files: { '/tmp/t': `${IAM} ${IAM}` } });
  assert.ok(twoWords instanceof UsageError);
  assert.ok(!twoWords.message.includes(IAM));
});

test('an empty token flag is an error, not a reason to use another credential', async () => {
  const err = await failure({ iamToken: '' }, { env: { [ENV.iamToken]: IAM } });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /--iam-token is empty/);
});

test('two credential flags are a usage error', async () => {
  const err = await failure({ iamToken: IAM, saKeyFile: 'k.json' });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /only one credential flag; got --iam-token and --sa-key-file/);
});

test('--sa-key-file gives a validated sa-key credential', async () => {
  const file = testKeyFile();
  const { auth } = await resolve({ saKeyFile: '/keys/key.json' }, { files: { '/keys/key.json': JSON.stringify(file) } });
  assert.equal(auth.credential.kind, 'sa-key');
  assert.equal(auth.credential.source, 'flag:--sa-key-file');
  if (auth.credential.kind !== 'sa-key') return;
  assert.equal(auth.credential.key.id, file.id);
  assert.equal(auth.credential.key.serviceAccountId, file.service_account_id);
});

test('--sa-key-file: a missing file or missing field is a usage error naming the path and field', async () => {
  const missing = await failure({ saKeyFile: '/keys/none.json' });
  assert.ok(missing instanceof UsageError);
  assert.match(missing.message, /--sa-key-file: cannot read \/keys\/none\.json \(ENOENT\)/);
  const { service_account_id: _omit, ...incomplete } = testKeyFile();
  const broken = await failure({ saKeyFile: '/k.json' }, { files: { '/k.json': JSON.stringify(incomplete) } });
  assert.ok(broken instanceof UsageError);
  assert.match(broken.message, /--sa-key-file \/k\.json .*"service_account_id" is missing/);
});

// ---- environment ----

test('YC_IAM_TOKEN and YC_OAUTH_TOKEN give their kind; YC_TOKEN is split by prefix', async () => {
  assert.deepEqual((await resolve({}, { env: { [ENV.iamToken]: IAM } })).auth.credential, { kind: 'iam-token', source: `env:${ENV.iamToken}`, token: IAM });
  assert.deepEqual((await resolve({}, { env: { [ENV.oauthToken]: OAUTH } })).auth.credential, { kind: 'oauth-token', source: `env:${ENV.oauthToken}`, token: OAUTH });
  assert.deepEqual((await resolve({}, { env: { [ENV.token]: OAUTH } })).auth.credential, { kind: 'oauth-token', source: `env:${ENV.token}`, token: OAUTH });
  assert.deepEqual((await resolve({}, { env: { [ENV.token]: IAM } })).auth.credential, { kind: 'iam-token', source: `env:${ENV.token}`, token: IAM });
});

test('env order: YC_IAM_TOKEN, then YC_OAUTH_TOKEN, then YC_TOKEN, then YC_SERVICE_ACCOUNT_KEY_FILE', async () => {
  const env = { [ENV.iamToken]: IAM, [ENV.oauthToken]: OAUTH, [ENV.token]: 'y0_from-yc-token', [ENV.serviceAccountKeyFile]: JSON.stringify(testKeyFile()) };
  assert.equal((await resolve({}, { env })).auth.credential.source, `env:${ENV.iamToken}`);
  assert.equal((await resolve({}, { env: { ...env, [ENV.iamToken]: undefined } })).auth.credential.source, `env:${ENV.oauthToken}`);
  assert.equal((await resolve({}, { env: { ...env, [ENV.iamToken]: undefined, [ENV.oauthToken]: undefined } })).auth.credential.source, `env:${ENV.token}`);
  assert.equal((await resolve({}, { env: { [ENV.serviceAccountKeyFile]: env[ENV.serviceAccountKeyFile] } })).auth.credential.source, `env:${ENV.serviceAccountKeyFile}`);
});

test('YC_SERVICE_ACCOUNT_KEY_FILE accepts a path (with ~) or the JSON itself', async () => {
  const file = testKeyFile();
  const byPath = await resolve({}, { env: { [ENV.serviceAccountKeyFile]: '/keys/key.json' }, files: { '/keys/key.json': JSON.stringify(file) } });
  assert.equal(byPath.auth.credential.kind, 'sa-key');
  const byHome = await resolve({}, { env: { [ENV.serviceAccountKeyFile]: '~/key.json' }, files: { [`${HOME}/key.json`]: JSON.stringify(file) } });
  assert.equal(byHome.auth.credential.kind, 'sa-key');
  const inline = await resolve({}, { env: { [ENV.serviceAccountKeyFile]: `\n ${JSON.stringify(file, null, 2)}` } });
  assert.equal(inline.auth.credential.kind, 'sa-key');
  assert.deepEqual(inline.deps.reads.filter((p) => p.includes('key')), []);
});

test('YC_SERVICE_ACCOUNT_KEY_FILE: broken inline JSON is a usage error that does not echo it', async () => {
  const json = JSON.stringify(testKeyFile());
  const err = await failure({}, { env: { [ENV.serviceAccountKeyFile]: json.slice(0, 200) } });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /YC_SERVICE_ACCOUNT_KEY_FILE \(inline JSON\) is not a usable authorized key: not valid JSON/);
  assert.ok(!err.message.includes('ajetest'));
});

// ---- nothing found ----

test('nothing found: AuthError no_credential, exit 3, every source listed', async () => {
  const err = await failure({}, { env: {} });
  assert.ok(err instanceof AuthError);
  assert.equal(err.code, 'no_credential');
  assert.equal(err.exitCode, 3);
  for (const source of ['flag --iam-token', '--iam-token-file', '--oauth-token', '--sa-key-file', '--federated-token', ENV.iamToken, ENV.oauthToken,
    ENV.token, ENV.serviceAccountKeyFile, 'GitHub Actions OIDC', 'GitLab id_token', `yc config (${YC_CONFIG})`, 'metadata service (127.0.0.1:1)']) {
    assert.ok(err.message.includes(source), `message lists ${source}: ${err.message}`);
  }
  assert.match(err.hints.at(-1) ?? '', /^Provide one: .*--iam-token-file -/);
});

test('nothing found is quick even when the metadata address swallows connections', async (t) => {
  const hole = await startBlackHole();
  t.after(() => hole.close());
  const started = Date.now();
  const err = await failure({}, { env: { [ENV.metadataAddr]: hole.addr } });
  const elapsed = Date.now() - started;
  assert.ok(err instanceof AuthError && err.code === 'no_credential');
  // A generous bound: the lookup has its own short timeout; without one it would wait for ever.
  assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  assert.ok(hole.connections() >= 1, 'the metadata service was tried');
});

test('nothing found: near misses are explained (empty variable, OIDC without a service account)', async () => {
  const err = await failure({}, { env: { [ENV.token]: '', [ENV.gitlabIdToken]: fakeJwt() } });
  assert.ok(err instanceof AuthError);
  assert.ok(err.hints.some((h) => h.includes(`${ENV.token} is set but empty`)));
  assert.ok(err.hints.some((h) => h.includes(`${ENV.gitlabIdToken} holds an OIDC token, but no service account ID`)));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { resolveCredential } from '../../src/auth/chain.js';
import { YC_CREATE_TOKEN_TIMEOUT_MS } from '../../src/auth/yc-profile.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, UsageError } from '../../src/errors.js';
import type { AuthFlags } from '../../src/auth/types.js';
import { HOME, fakeAuthDeps, startLoopbackHttp, testKeyFile, type FakeAuthDepsOptions, credentialFailure } from '../helpers/auth-deps.js';

const YC_CONFIG = `${HOME}/.config/yandex-cloud/config.yaml`;
const IAM = 't1.test-profile-iam';
const OAUTH = 'y0_test-profile-oauth';

function config(profiles: Record<string, Record<string, unknown>>, current: string | undefined = Object.keys(profiles)[0]): string {
  return stringify({ ...(current ? { current } : {}), profiles });
}

async function resolve(flags: AuthFlags, opts: FakeAuthDepsOptions) {
  const deps = fakeAuthDeps(opts);
  return { deps, auth: await resolveCredential(flags, deps) };
}

const failure = credentialFailure;

test('the current profile token is an IAM or OAuth token by prefix', async () => {
  const iam = await resolve({}, { files: { [YC_CONFIG]: config({ prod: { token: IAM } }) } });
  assert.deepEqual(iam.auth.credential, { kind: 'iam-token', source: 'yc-profile:prod', token: IAM });
  assert.equal(iam.auth.tried.at(-1), `yc profile 'prod' (${YC_CONFIG})`);
  const oauth = await resolve({}, { files: { [YC_CONFIG]: config({ prod: { token: OAUTH } }) } });
  assert.deepEqual(oauth.auth.credential, { kind: 'oauth-token', source: 'yc-profile:prod', token: OAUTH });
});

test('--profile beats YC_PROFILE, which beats current', async () => {
  const files = { [YC_CONFIG]: config({ a: { token: 'token-a' }, b: { token: 'token-b' }, c: { token: 'token-c' } }, 'a') };
  const token = async (flags: AuthFlags, env: Record<string, string> = {}) => {
    const { auth } = await resolve(flags, { files, env });
    return auth.credential.kind === 'iam-token' ? auth.credential.token : undefined;
  };
  assert.equal(await token({}), 'token-a');
  assert.equal(await token({}, { [ENV.profile]: 'b' }), 'token-b');
  assert.equal(await token({ profile: 'c' }, { [ENV.profile]: 'b' }), 'token-c');
});

test('YC_CONFIG_FILE points at another config file', async () => {
  const { auth } = await resolve({}, { env: { [ENV.ycConfig]: '/etc/yc.yaml' }, files: { '/etc/yc.yaml': config({ x: { token: IAM } }) } });
  assert.equal(auth.credential.source, 'yc-profile:x');
});

test('folder-id, cloud-id and endpoint become labelled defaults', async () => {
  const files = { [YC_CONFIG]: config({ prod: { token: IAM, 'folder-id': 'b1gfolder', 'cloud-id': 'b1gcloud', endpoint: 'api.example.test:443', 'compute-default-zone': 'ru-central1-a' } }) };
  const { auth } = await resolve({}, { files });
  assert.deepEqual(auth.defaults, { folderId: 'b1gfolder', cloudId: 'b1gcloud', endpoint: 'api.example.test:443', source: 'yc-profile:prod' });
  const named = await resolve({}, { files: { [YC_CONFIG]: config({ p: { token: IAM, 'folder-name': 'default' } }) } });
  assert.deepEqual(named.auth.defaults, { folderName: 'default', source: 'yc-profile:p' });
});

test('the profile in use gives its defaults even when an earlier source gave the credential', async () => {
  const { auth } = await resolve({}, { env: { [ENV.iamToken]: IAM }, files: { [YC_CONFIG]: config({ prod: { token: OAUTH, 'folder-id': 'b1gfolder' } }) } });
  assert.equal(auth.credential.source, `env:${ENV.iamToken}`);
  assert.deepEqual(auth.defaults, { folderId: 'b1gfolder', source: 'yc-profile:prod' });
});

test('inline service-account-key (with the header line) gives an sa-key credential', async () => {
  const key = testKeyFile();
  const { auth } = await resolve({}, { files: { [YC_CONFIG]: config({ robot: { 'service-account-key': key, 'folder-id': 'b1gf' } }) } });
  assert.equal(auth.credential.kind, 'sa-key');
  assert.equal(auth.credential.source, 'yc-profile:robot');
  assert.equal(auth.credential.kind === 'sa-key' && auth.credential.key.id, key.id);
});

test('a broken inline key names the profile and the field, without key material', async () => {
  const { private_key: _pk, ...noPrivate } = testKeyFile();
  const err = await failure({}, { files: { [YC_CONFIG]: config({ robot: { 'service-account-key': noPrivate } }) } });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /yc profile 'robot' service-account-key .*"private_key" is missing/);
  const bad = await failure({}, { files: { [YC_CONFIG]: config({ robot: { 'service-account-key': { ...testKeyFile(), private_key: 'garbage' } } }) } });
  assert.match(bad.message, /"private_key" is not a PEM/);
});

test('an unknown --profile is a usage error naming it and the profiles that exist', async () => {
  const files = { [YC_CONFIG]: config({ prod: { token: IAM }, robot: { token: IAM } }) };
  const err = await failure({ profile: 'nope' }, { files });
  assert.ok(err instanceof UsageError);
  assert.equal(err.exitCode, 2);
  assert.match(err.message, /yc profile 'nope' \(from --profile\) does not exist in .*config\.yaml \(profiles in it: prod, robot\)/);
  const fromEnv = await failure({}, { files, env: { [ENV.profile]: 'gone' } });
  assert.match(fromEnv.message, /yc profile 'gone' \(from YC_PROFILE\) does not exist/);
});

test('an unknown profile is named by where it came from when the caller says so', async () => {
  const err = await failure({ profile: 'nope', profileSource: 'profile in config.json' }, { files: { [YC_CONFIG]: config({ prod: {} }) } });
  assert.match(err.message, /^yc profile 'nope' \(from profile in config\.json\) does not exist/);
});

test('an unknown --profile fails even when a flag supplies the credential', async () => {
  const err = await failure({ iamToken: IAM, profile: 'nope' }, { files: { [YC_CONFIG]: config({ prod: {} }) } });
  assert.ok(err instanceof UsageError);
  const noConfig = await failure({ iamToken: IAM, profile: 'nope' }, {});
  assert.ok(noConfig instanceof UsageError);
  assert.match(noConfig.message, /yc profile 'nope' \(from --profile\): no yc config at/);
});

test('a dangling current profile fails only when the chain needs the profile', async () => {
  const files = { [YC_CONFIG]: config({ prod: { token: IAM } }, 'deleted') };
  const err = await failure({}, { files });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /current yc profile 'deleted' does not exist .*profiles in it: prod/);
  const { auth } = await resolve({}, { files, env: { [ENV.iamToken]: IAM } });
  assert.equal(auth.defaults, undefined);
});

test('a config that is not YAML is a usage error giving the line, not its content', async () => {
  const err = await failure({}, { files: { [YC_CONFIG]: `current: p\nprofiles:\n  p:\n    token: "${OAUTH}\n  bad: [` } });
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /not valid YAML/);
  assert.ok(!err.message.includes(OAUTH));
});

test('instance-service-account: true uses the metadata service, and its folder when the profile has none', async (t) => {
  const metadata = await startLoopbackHttp((req, res) => {
    if (req.url?.endsWith('/token')) return void res.end(JSON.stringify({ access_token: 'vm-token', expires_in: 600, token_type: 'Bearer' }));
    res.end('b1gvmfolder');
  });
  t.after(() => metadata.close());
  const files = { [YC_CONFIG]: config({ vm: { 'instance-service-account': true, endpoint: 'api.example.test:443' } }) };
  const { auth } = await resolve({}, { files, env: { [ENV.metadataAddr]: metadata.addr } });
  assert.equal(auth.credential.source, 'metadata');
  assert.equal(auth.credential.kind === 'iam-token' && auth.credential.token, 'vm-token');
  assert.deepEqual(auth.defaults, { folderId: 'b1gvmfolder', endpoint: 'api.example.test:443', source: 'yc-profile:vm, folder from metadata' });
});

test('instance-service-account with no metadata service is an AuthError naming the profile', async () => {
  const err = await failure({}, { files: { [YC_CONFIG]: config({ vm: { 'instance-service-account': true } }) } });
  assert.ok(err instanceof AuthError);
  assert.equal(err.code, 'no_credential');
  assert.match(err.message, /yc profile 'vm' uses the instance service account, but the metadata service at 127\.0\.0\.1:1 gave no token \(connection refused\)/);
});

test('a federated profile asks `yc iam create-token --profile <name>`, with a timeout', async () => {
  const deps = fakeAuthDeps({
    files: { [YC_CONFIG]: config({ sso: { 'federation-id': 'bpfexample', 'folder-id': 'b1gf' } }) },
    execFile: async () => ({ stdout: `${IAM}\n` }),
  });
  const auth = await resolveCredential({}, deps);
  assert.deepEqual(deps.execCalls, [{ file: 'yc', args: ['iam', 'create-token', '--profile', 'sso'], timeoutMs: YC_CREATE_TOKEN_TIMEOUT_MS }]);
  assert.deepEqual(auth.credential, { kind: 'iam-token', source: 'yc-profile:sso', token: IAM });
  assert.equal(auth.defaults?.folderId, 'b1gf');
});

test('a federated profile without yc on PATH says how to obtain a token', async () => {
  const err = await failure({}, { files: { [YC_CONFIG]: config({ sso: { 'federation-id': 'bpfexample' } }) } });
  assert.ok(err instanceof AuthError);
  assert.equal(err.exitCode, 3);
  assert.match(err.message, /yc profile 'sso' uses federated login, and that needs the yc CLI, which is not on PATH/);
  assert.ok(err.hints.some((h) => h.includes('yc iam create-token --profile sso') && h.includes('--iam-token-file -')));
});

test('a federated profile whose yc fails or hangs is an AuthError that never quotes yc output', async () => {
  const files = { [YC_CONFIG]: config({ sso: { 'federation-id': 'bpfexample' } }) };
  const failed = await failure({}, { files, execFile: async () => { throw Object.assign(new Error(`Command failed: ${IAM}`), { code: 1 }); } });
  assert.ok(failed instanceof AuthError);
  assert.match(failed.message, /`yc iam create-token --profile sso` failed/);
  assert.ok(!failed.message.includes(IAM));
  const hung = await failure({}, { files, execFile: async () => { throw Object.assign(new Error('timeout'), { killed: true, signal: 'SIGTERM' }); } });
  assert.match(hung.message, /did not finish within 60 s/);
});

test('a profile without any credential falls through to the metadata service, with a note', async () => {
  const err = await failure({}, { files: { [YC_CONFIG]: config({ bare: { 'folder-id': 'b1gf' } }) } });
  assert.ok(err instanceof AuthError && err.code === 'no_credential');
  assert.ok(err.hints.some((h) => h.includes("yc profile 'bare' holds no credential")));
});

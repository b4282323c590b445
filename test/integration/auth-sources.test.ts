/**
 * Every credential source of the chain, end to end: resolveCredential (fake deps: in-memory files,
 * scripted env) and then the real gateway against the emulator, which must accept the credential.
 * The HTTP sources (metadata, federation) are in auth-http.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { type DefaultIds, type Emulator } from '../emulator/index.js';
import { resolveCredential } from '../../src/auth/chain.js';
import { connect } from '../../src/cloud/connect.js';
import type { Credential } from '../../src/cloud/types.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, UsageError } from '../../src/errors.js';
import type { AuthFlags } from '../../src/auth/types.js';
import { HOME, fakeAuthDeps, type FakeAuthDepsOptions } from '../helpers/auth-deps.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

const YC_CONFIG = `${HOME}/.config/yandex-cloud/config.yaml`;

describe('credential sources against the emulator', () => {
  let emu: Emulator;
  let ids: DefaultIds;

  before(async () => ({ emu, ids } = await startDefaultEmulator()));
  after(() => emu.stop());

  const resolve = async (flags: AuthFlags, opts: FakeAuthDepsOptions = {}) => (await resolveCredential(flags, fakeAuthDeps(opts))).credential;

  async function connectWith(credential: Credential) {
    return connect({
      endpoint: emu.endpoint,
      caPem: Buffer.from(emu.caPem),
      credential,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => new Date(),
      retries: 0,
    });
  }

  async function assertAccepted(credential: Credential): Promise<void> {
    const { gateway } = await connectWith(credential);
    try {
      assert.equal((await gateway.getFolder(ids.folderId)).id, ids.folderId);
    } finally {
      gateway.close();
    }
  }

  const cases: Array<[string, string, () => [AuthFlags, FakeAuthDepsOptions]]> = [
    ['--iam-token', 'flag:--iam-token', () => [{ iamToken: ids.userIamToken }, {}]],
    ['--iam-token-file - (stdin)', 'flag:--iam-token-file', () => [{ iamTokenFile: '-' }, { stdin: `${ids.userIamToken}\n` }]],
    ['--oauth-token', 'flag:--oauth-token', () => [{ oauthToken: ids.userOauthToken }, {}]],
    ['--sa-key-file (key with the header line)', 'flag:--sa-key-file', () => [{ saKeyFile: '/k/key.json' }, { files: { '/k/key.json': JSON.stringify(ids.authorizedKey) } }]],
    ['YC_IAM_TOKEN', `env:${ENV.iamToken}`, () => [{}, { env: { [ENV.iamToken]: ids.userIamToken } }]],
    ['YC_OAUTH_TOKEN', `env:${ENV.oauthToken}`, () => [{}, { env: { [ENV.oauthToken]: ids.userOauthToken } }]],
    ['YC_TOKEN holding an OAuth token', `env:${ENV.token}`, () => [{}, { env: { [ENV.token]: ids.userOauthToken } }]],
    ['YC_TOKEN holding an IAM token', `env:${ENV.token}`, () => [{}, { env: { [ENV.token]: ids.userIamToken } }]],
    ['YC_SERVICE_ACCOUNT_KEY_FILE as a path', `env:${ENV.serviceAccountKeyFile}`,
      () => [{}, { env: { [ENV.serviceAccountKeyFile]: '/k/key.json' }, files: { '/k/key.json': JSON.stringify(ids.authorizedKey) } }]],
    ['YC_SERVICE_ACCOUNT_KEY_FILE as JSON', `env:${ENV.serviceAccountKeyFile}`, () => [{}, { env: { [ENV.serviceAccountKeyFile]: JSON.stringify(ids.authorizedKey) } }]],
    ['a yc profile token', 'yc-profile:prod', () => [{}, { files: { [YC_CONFIG]: stringify({ current: 'prod', profiles: { prod: { token: ids.userOauthToken } } }) } }]],
    ['a yc profile inline service-account-key', 'yc-profile:robot',
      () => [{ profile: 'robot' }, { files: { [YC_CONFIG]: stringify({ current: 'prod', profiles: { prod: {}, robot: { 'service-account-key': ids.authorizedKey } } }) } }]],
    ['a federated yc profile through `yc iam create-token`', 'yc-profile:sso',
      () => [{}, { files: { [YC_CONFIG]: stringify({ current: 'sso', profiles: { sso: { 'federation-id': 'bpfexample' } } }) }, execFile: async () => ({ stdout: `${ids.userIamToken}\n` }) }]],
  ];

  for (const [name, source, setup] of cases) {
    test(`${name}: found as ${source} and accepted by the cloud`, async () => {
      const [flags, opts] = setup();
      const credential = await resolve(flags, opts);
      assert.equal(credential.source, source);
      await assertAccepted(credential);
    });
  }

  test('a key file whose id the cloud does not know passes validation, then fails the exchange with exit 3', async () => {
    const wrongId = `${ids.authorizedKeyId.slice(0, -4)}zzzz`;
    const key = { ...ids.authorizedKey, id: wrongId, private_key: ids.authorizedKey.private_key.replace(ids.authorizedKeyId, wrongId) };
    const credential = await resolve({ saKeyFile: '/k.json' }, { files: { '/k.json': JSON.stringify(key) } });
    const err = await connectWith(credential).catch((e: unknown) => e);
    assert.ok(err instanceof AuthError, String(err));
    assert.equal(err.exitCode, 3);
  });

  test('a key file whose header names another key ID fails before any call', async () => {
    const key = { ...ids.authorizedKey, id: `${ids.authorizedKeyId.slice(0, -4)}zzzz` };
    const before = emu.journal.length;
    const err = await resolve({ saKeyFile: '/k.json' }, { files: { '/k.json': JSON.stringify(key) } }).catch((e: unknown) => e);
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /header names key ID/);
    assert.equal(emu.journal.length, before);
  });
});

/**
 * Issue #14 item 8: Lockbox secrets that are not ACTIVE. A deactivated secret (INACTIVE: content
 * out of reach; what PayloadService.Get answers is an emulator switch, `lockbox.inactiveAnswer`,
 * tried in every setting) gives a clear exit 2 before anything changes, for `create --to-lockbox`
 * and `ensure`. A secret still CREATING (`lockbox.creatingMs`) is waited for, bounded.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretRequest, DeactivateSecretRequest } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import { GetPayloadRequest } from '@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service';
import { defaultFixture, startEmulator, type Emulator, type LockboxStateOptions } from '../emulator/index.js';
import { rejectsWith, sdkClients, waitDone } from '../emulator/sdk-clients.js';
import { runCli } from '../helpers/run-cli.js';

const running: Array<{ emu: Emulator; close(): void }> = [];
after(async () => {
  for (const r of running) r.close();
  await Promise.all(running.map((r) => r.emu.stop()));
});

async function world(lockbox: LockboxStateOptions) {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, operationDelayMs: 5, lockbox });
  const sdk = sdkClients(emu, ids.userIamToken);
  running.push({ emu, close: () => undefined });
  const base = ['--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId];
  const cli = (argv: string[]) => runCli(argv, { env: { YC_IAM_TOKEN: ids.userIamToken } });
  /** A secret named `name` holding one entry, made outside the CLI. */
  const secret = async (name: string): Promise<string> => {
    await sdk.secrets.create(CreateSecretRequest.fromPartial({ folderId: ids.folderId, name, versionPayloadEntries: [{ key: 'other', textValue: 'kept' }] }));
    const id = emu.state.lockboxSecrets().find((s) => s.name === name)?.id;
    assert.ok(id);
    return id;
  };
  return { emu, ids, sdk, base, cli, secret };
}

const CHANGES = ['ServiceAccountService/Create', 'FolderService/UpdateAccessBindings', 'ApiKeyService/Create', 'SecretService/AddVersion', 'SecretService/Create'];
const changesBy = (emu: Emulator): string[] => emu.journal.filter((e) => CHANGES.includes(e.method)).map((e) => e.method);

for (const inactiveAnswer of ['FAILED_PRECONDITION', 'PERMISSION_DENIED', 'NOT_FOUND'] as const) {
  test(`a deactivated secret (payload answers ${inactiveAnswer}): create --to-lockbox and ensure exit 2 saying how to activate it; nothing changes`, async () => {
    const w = await world({ inactiveAnswer });
    const id = await w.secret('ai-key');
    await waitDone(w.sdk.operations, await w.sdk.secrets.deactivate(DeactivateSecretRequest.fromPartial({ secretId: id })));
    await rejectsWith(w.sdk.payloads.get(GetPayloadRequest.fromPartial({ secretId: id })), inactiveAnswer);
    const before = changesBy(w.emu).length;

    for (const ref of ['ai-key', id]) {
      const create = await w.cli(['create', ...w.base, '--to-lockbox', ref, '--json']);
      assert.equal(create.exitCode, 2, create.stderr);
      assert.match(create.stderr, /--to-lockbox: secret ai-key \(\w+\) is deactivated/);
      assert.match(create.stderr, new RegExp(`yc lockbox secret activate --id ${id}`));
      assert.equal(create.stdout, '');

      const ensure = await w.cli(['ensure', ...w.base, '--service-account', 'ci-bot', '--to-lockbox', ref, '--json']);
      assert.equal(ensure.exitCode, 2, ensure.stderr);
      assert.match(ensure.stderr, /is deactivated/);
      assert.equal(ensure.stdout, '');
    }
    assert.deepEqual(changesBy(w.emu).slice(before), [], 'no call that changes the cloud');
    assert.equal(w.emu.calls('PayloadService/Get').length, 1, 'only the probe above read the content');
  });
}

test('a secret still CREATING: create --to-lockbox waits until it is active, then writes the key into it', async () => {
  const w = await world({ creatingMs: 1200 });
  const id = await w.secret('fresh-key');
  const r = await w.cli(['create', ...w.base, '--to-lockbox', 'fresh-key', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const stored = w.emu.state.lockboxSecrets().find((s) => s.id === id);
  assert.ok(stored?.payload['api-key']);
  assert.equal(stored.payload.other, 'kept');
  assert.ok(w.emu.calls('SecretService/Get').length >= 1, 'it read the secret again while waiting');
});

test('a secret still CREATING: ensure waits, then rotates into it', async () => {
  const w = await world({ creatingMs: 1200 });
  const id = await w.secret('fresh-key');
  const r = await w.cli(['ensure', ...w.base, '--service-account', 'ci-bot', '--to-lockbox', 'fresh-key', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'rotated');
  assert.ok(w.emu.state.lockboxSecrets().find((s) => s.id === id)?.payload['api-key']);
});

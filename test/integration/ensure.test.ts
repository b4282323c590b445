/**
 * `aistudio-key ensure` for real (runCli -> connect -> the emulator): bootstrap from nothing, the
 * no-op when the key is fine (no mutation at all), rotation when it expires within the window,
 * a deleted account, only missing roles added, a Lockbox write failing after the key was issued
 * (nothing half-made remains), concurrent runs (one live key), and no secret ever on stdout or stderr.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/cloud/connect.js';
import type { Connection } from '../../src/cloud/types.js';
import { PRESET_ROLES } from '../../src/core/preset.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { runCli, type RunCliOptions, type RunCliResult } from '../helpers/run-cli.js';

const running: Emulator[] = [];
const connections: Connection[] = [];
after(async () => {
  for (const c of connections) c.gateway.close();
  await Promise.all(running.map((e) => e.stop()));
});

const DAY = 86_400_000;
const SA = 'ci-ai-studio';
const SECRET = 'ai-studio-key';

interface World {
  emu: Emulator;
  ids: DefaultIds;
  ensure(extra?: string[], opts?: RunCliOptions): Promise<RunCliResult>;
  gateway(): Promise<Connection['gateway']>;
  /** The secret's current payload (undefined: no secret). */
  payload(): Record<string, string> | undefined;
  account(): { id: string; labels: Record<string, string> } | undefined;
  /** Keys of the managed account. */
  keys(): Array<{ id: string; expiresAt?: Date }>;
}

async function world(options: EmulatorOptions = {}): Promise<World> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, operationDelayMs: 5, ...options });
  running.push(emu);
  let conn: Connection | undefined;
  const w: World = {
    emu,
    ids,
    ensure: (extra = [], opts = {}) =>
      runCli(
        ['ensure', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--service-account', SA, '--to-lockbox', SECRET, ...extra],
        { ...opts, env: { YC_IAM_TOKEN: ids.userIamToken, ...opts.env }, target: { backoff: { baseMs: 1, maxMs: 4 }, poll: { firstDelayMs: 2, maxDelayMs: 10 } } },
      ),
    async gateway() {
      conn ??= await connect({
        endpoint: emu.endpoint,
        caPem: Buffer.from(emu.caPem),
        credential: { kind: 'iam-token', source: 'test', token: ids.userIamToken },
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        now: () => new Date(),
      });
      connections.push(conn);
      return conn.gateway;
    },
    payload: () => emu.state.lockboxSecrets().find((s) => s.name === SECRET)?.payload,
    account: () => emu.state.serviceAccounts().find((s) => s.name === SA),
    keys: () => emu.state.apiKeys().filter((k) => k.serviceAccountId === w.account()?.id),
  };
  return w;
}

/** No issued secret or token on stdout or stderr. */
function assertNoSecrets(emu: Emulator, r: RunCliResult): void {
  for (const s of emu.secrets()) {
    assert.ok(!r.stdout.includes(s), 'a secret reached stdout');
    assert.ok(!r.stderr.includes(s), 'a secret reached stderr');
  }
}

function json(r: RunCliResult): Record<string, unknown> & { status: string } {
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown> & { status: string };
}

describe('ensure', () => {
  test('from nothing: creates the account (labelled, five roles), a key, and the secret holding it; never prints the secret', async () => {
    const w = await world();
    const r = await w.ensure(['--json', '--debug']);
    const doc = json(r);
    assert.equal(doc.status, 'rotated');
    assert.equal(doc.reason, 'secret-missing');
    const sa = w.account();
    assert.equal(sa?.labels['managed-by'], 'aistudio-key');
    assert.match(sa?.labels['aistudio-key-run'] ?? '', /^[a-z0-9]{10}$/, 'the run label that tells this run\'s account after a lost answer');
    assert.equal(w.keys().length, 1);
    assert.deepEqual(w.payload(), { 'api-key-id': w.keys()[0]?.id, 'api-key': w.payload()?.['api-key'] });
    assert.match(w.payload()?.['api-key'] ?? '', /^AQVN/);
    const mine = w.emu.state.folderBindings(w.ids.folderId).filter((b) => b.subject.id === sa?.id).map((b) => b.roleId).sort();
    assert.deepEqual(mine, [...PRESET_ROLES].sort());
    assert.deepEqual((doc.lockbox as { secret_id: string }).secret_id, w.emu.state.lockboxSecrets()[0]?.id);
    assert.ok(!('secret' in doc));
    assertNoSecrets(w.emu, r);
  });

  test('up to date: exit 0, "Up to date" on stderr, nothing on stdout, and no call that changes anything', async () => {
    const w = await world();
    assert.equal((await w.ensure()).exitCode, 0);
    const before = w.emu.mutations().length;
    const r = await w.ensure(['--debug']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Up to date: Lockbox secret e6q\w+ \(version e6q\w+\) holds API key aje\w+, expiring .*more than 14d away\. Nothing was changed\./);
    assert.equal(w.emu.mutations().length, before, 'no mutation');
    assertNoSecrets(w.emu, r);
  });

  test('a key expiring within --rotate-before is rotated: new version based on the one read, old key revoked, one key left', async () => {
    const w = await world();
    assert.equal((await w.ensure()).exitCode, 0);
    const oldKey = w.keys()[0]?.id;
    const versionBefore = w.emu.state.lockboxSecrets()[0]?.currentVersionId;
    // 80 days on, the 90-day key expires within 14 days.
    const later = new Date(Date.now() + 80 * DAY);
    const before = w.emu.mutations().length;
    const r = await w.ensure(['--json'], { now: () => later });
    const doc = json(r);
    assert.equal(doc.status, 'rotated');
    assert.equal(doc.reason, 'key-expiring');
    assert.deepEqual(doc.previous_key, { id: oldKey, outcome: 'revoked' });
    assert.deepEqual(doc.roles_added, []);
    assert.deepEqual(w.emu.mutations().slice(before).map((m) => m.method), ['ApiKeyService/Create', 'SecretService/AddVersion', 'ApiKeyService/Delete']);
    const add = w.emu.calls('SecretService/AddVersion')[0]?.request as { baseVersionId?: string };
    assert.equal(add.baseVersionId, versionBefore, 'based on the version read at the start');
    assert.equal(w.keys().length, 1);
    assert.notEqual(w.keys()[0]?.id, oldKey);
    assert.equal(w.payload()?.['api-key-id'], w.keys()[0]?.id);
    // A shorter window leaves the new key alone.
    assert.equal(json(await w.ensure(['--json', '--rotate-before', '30d'], { now: () => later })).status, 'up-to-date');
    assertNoSecrets(w.emu, r);
  });

  test('the account was deleted: it is made again and the secret gets a key of it', async () => {
    const w = await world();
    assert.equal((await w.ensure()).exitCode, 0);
    const old = w.account();
    await (await w.gateway()).deleteServiceAccount(old?.id ?? '');
    const doc = json(await w.ensure(['--json']));
    assert.equal(doc.status, 'rotated');
    assert.equal(doc.reason, 'account-missing');
    assert.equal((doc.service_account as { created: boolean }).created, true);
    assert.equal((doc.previous_key as { outcome: string }).outcome, 'already-gone');
    assert.notEqual(w.account()?.id, old?.id);
    assert.equal(w.payload()?.['api-key-id'], w.keys()[0]?.id);
  });

  test('an existing account aistudio-key did not make is refused without --adopt: exit 2 naming --adopt, nothing changed', async () => {
    const w = await world();
    const gateway = await w.gateway();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: SA, description: 'ci admin', labels: {} });
    const before = w.emu.mutations().length;
    const r = await w.ensure(['--json']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /--service-account: ci-ai-studio \(\w+\) was not created by aistudio-key .*pass --adopt/);
    assert.equal(r.stdout, '');
    assert.deepEqual(w.emu.mutations().slice(before), [], 'no call that changes the cloud');
    assert.deepEqual(w.emu.state.apiKeys().filter((k) => k.serviceAccountId === sa.id), []);
    assert.equal(w.payload(), undefined, 'no secret written');
  });

  test('an existing account with --adopt: only the roles it lacks are added, in one ADD-only call', async () => {
    const w = await world();
    const gateway = await w.gateway();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: SA, description: '', labels: {} });
    const subject = { type: 'serviceAccount', id: sa.id };
    await gateway.addFolderAccessBindings(w.ids.folderId, PRESET_ROLES.slice(0, 2).map((roleId) => ({ roleId, subject })));
    const before = w.emu.calls('FolderService/UpdateAccessBindings').length;
    const doc = json(await w.ensure(['--json', '--adopt']));
    assert.deepEqual(doc.roles_added, PRESET_ROLES.slice(2));
    const calls = w.emu.calls('FolderService/UpdateAccessBindings').slice(before);
    assert.equal(calls.length, 1);
    const deltas = (calls[0]?.request as { accessBindingDeltas: Array<{ action: string | number; accessBinding: { roleId: string } }> }).accessBindingDeltas;
    assert.deepEqual(deltas.map((d) => (d.action === 1 ? 'ADD' : d.action)), ['ADD', 'ADD', 'ADD'], 'ADD deltas only (AccessBindingAction.ADD = 1)');
    assert.deepEqual(deltas.map((d) => d.accessBinding.roleId), PRESET_ROLES.slice(2));
    assert.equal((doc.service_account as { created: boolean }).created, false);
  });

  test('ensure --adopt records the roles it added: revoking the key it wrote takes exactly those back', async () => {
    const w = await world();
    const gateway = await w.gateway();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: SA, description: '', labels: {} });
    await gateway.addFolderAccessBindings(w.ids.folderId, [{ roleId: PRESET_ROLES[0] ?? '', subject: { type: 'serviceAccount', id: sa.id } }]);
    const doc = json(await w.ensure(['--json', '--adopt']));
    assert.deepEqual(doc.roles_added, PRESET_ROLES.slice(1));
    const keyId = w.payload()?.['api-key-id'] ?? '';
    const r = await runCli(['revoke', keyId, '--yes', '--endpoint', w.emu.endpoint, '--ca-file', w.emu.caFile], { env: { YC_IAM_TOKEN: w.ids.userIamToken } });
    assert.equal(r.exitCode, 0, r.stderr);
    const held = w.emu.state.folderBindings(w.ids.folderId).filter((b) => b.subject.id === sa.id).map((b) => b.roleId);
    assert.deepEqual(held, PRESET_ROLES.slice(0, 1), 'only the role it held before ensure');
  });

  test('the Lockbox write fails after the key was issued (rotation): the new key is revoked, the old one stays, the secret is unchanged', async () => {
    const w = await world();
    assert.equal((await w.ensure()).exitCode, 0);
    const payload = w.payload();
    const oldKey = w.keys()[0]?.id;
    w.emu.inject('SecretService/AddVersion', { kind: 'error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
    const r = await w.ensure([], { now: () => new Date(Date.now() + 80 * DAY) });
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /Cleaned up what this run created: API key aje\w+/);
    assert.deepEqual(w.keys().map((k) => k.id), [oldKey], 'only the old key is live');
    assert.deepEqual(w.payload(), payload, 'the secret still holds the old key');
    assert.equal(r.stdout, '');
    assertNoSecrets(w.emu, r);
  });

  test('the Lockbox write fails on a first bootstrap: key, roles and the account this run created are all removed', async () => {
    const w = await world();
    const bindings = w.emu.state.folderBindings(w.ids.folderId).length;
    const accounts = w.emu.state.serviceAccounts().length;
    w.emu.inject('SecretService/Create', { kind: 'error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
    const r = await w.ensure();
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /lockbox\.editor/);
    assert.equal(w.emu.state.apiKeys().length, 0);
    assert.equal(w.emu.state.serviceAccounts().length, accounts);
    assert.equal(w.emu.state.folderBindings(w.ids.folderId).length, bindings);
    assert.deepEqual(w.emu.state.lockboxSecrets(), []);
    assertNoSecrets(w.emu, r);
  });

  test('concurrent runs that both decide to rotate leave exactly one live key, the one the secret holds', async () => {
    const w = await world({ latencyMs: 3 });
    assert.equal((await w.ensure()).exitCode, 0);
    const later = new Date(Date.now() + 80 * DAY);
    const results = await Promise.all([w.ensure(['--json'], { now: () => later }), w.ensure(['--json'], { now: () => later }), w.ensure(['--json'], { now: () => later })]);
    const statuses = results.map((r) => json(r).status).sort();
    assert.ok(statuses.includes('rotated'), statuses.join());
    assert.equal(w.keys().length, 1, `one live key (statuses: ${statuses.join()})`);
    assert.equal(w.payload()?.['api-key-id'], w.keys()[0]?.id);
    for (const r of results) assertNoSecrets(w.emu, r);
  });

  test('concurrent bootstraps from nothing: one account, one secret, one live key', async () => {
    const w = await world({ latencyMs: 3 });
    const results = await Promise.all([w.ensure(['--json']), w.ensure(['--json'])]);
    const statuses = results.map((r) => json(r).status).sort();
    assert.equal(w.emu.state.serviceAccounts().filter((s) => s.name === SA).length, 1);
    assert.equal(w.emu.state.lockboxSecrets().length, 1);
    assert.equal(w.keys().length, 1, `one live key (statuses: ${statuses.join()})`);
    assert.equal(w.payload()?.['api-key-id'], w.keys()[0]?.id);
  });

  test('a caller that may not read the secret\'s payload is refused before anything is changed', async () => {
    const w = await world();
    assert.equal((await w.ensure()).exitCode, 0);
    const before = w.emu.mutations().length;
    const r = await w.ensure([], { env: { YC_IAM_TOKEN: w.ids.viewerIamToken } });
    assert.equal(r.exitCode, 3);
    assert.match(r.stderr, /lockbox\.payloadViewer/);
    assert.equal(w.emu.mutations().length, before);
  });

  test('bad input is a usage error before any call', async () => {
    const w = await world();
    const noSecret = await runCli(['ensure', '--folder-id', w.ids.folderId, '--service-account', SA], { env: { YC_IAM_TOKEN: w.ids.userIamToken } });
    assert.equal(noSecret.exitCode, 2);
    assert.match(noSecret.stderr, /--to-lockbox: required/);
    const window = await w.ensure(['--rotate-before', '30d', '--expires-in', '14d']);
    assert.equal(window.exitCode, 2);
    assert.match(window.stderr, /every run would rotate/);
    assert.equal(w.emu.journal.length, 0);
  });
});

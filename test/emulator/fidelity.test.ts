import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AccessBindingAction } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { CURRENT_NAME, LEGACY_NAME, covers, decodeStatus, defaultFixture, startEmulator, type Emulator, type EmulatorOptions, type Fixture } from './index.js';
import { rejectsWith, sdkClients, waitDone } from './sdk-clients.js';
import { RESOURCE_NAME_PATTERN } from '../../src/core/names.js';

const running: Emulator[] = [];
after(() => Promise.all(running.map((e) => e.stop())));

async function world(opts: EmulatorOptions = {}, edit?: (f: Fixture, ids: ReturnType<typeof defaultFixture>['ids']) => void) {
  const d = defaultFixture();
  edit?.(d.fixture, d.ids);
  const emu = await startEmulator({ fixture: d.fixture, ...opts });
  running.push(emu);
  return { emu, ids: d.ids, c: sdkClients(emu, d.ids.userIamToken) };
}

const GRANTER = 'ajegranter0000000001';
/** A user with resource-manager.admin, iam.serviceAccounts.admin and ai.editor on the folder. */
function withGranter(f: Fixture, ids: ReturnType<typeof defaultFixture>['ids']): void {
  f.users.push({ id: GRANTER, type: 'userAccount' });
  const folder = f.folders.find((x) => x.id === ids.folderId);
  for (const roleId of ['resource-manager.admin', 'iam.serviceAccounts.admin', 'ai.editor']) folder?.bindings?.push({ roleId, subject: { type: 'userAccount', id: GRANTER } });
}

describe('fidelity switches', () => {
  it('RoleService knows a realistic catalogue: Get, NOT_FOUND for an unknown role, List, and bindings accept any known role', async () => {
    const { c, ids } = await world();
    assert.equal((await c.roles.get({ roleId: 'ai.datasets.editor' })).id, 'ai.datasets.editor');
    await rejectsWith(c.roles.get({ roleId: 'ai.no-such-role' }), 'NOT_FOUND');
    const listed = await c.roles.list({ pageSize: 1000, pageToken: '', filter: '' });
    assert.ok(listed.roles.length > 80 && listed.roles.some((r) => r.id === 'ai.editor'));
    const op = await c.folders.updateAccessBindings({
      resourceId: ids.folderId,
      accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId: 'ai.datasets.editor', subject: { type: 'serviceAccount', id: ids.serviceAccountId } } }],
    });
    assert.equal((await waitDone(c.operations, op)).error, undefined);
  });

  it('grants only roles the caller holds (default on), and anything when switched off', async () => {
    const token = (emu: Emulator) => emu.issueIamToken(GRANTER);
    const add = (roleId: string, folderId: string, saId: string) => ({
      resourceId: folderId, accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId, subject: { type: 'serviceAccount', id: saId } } }],
    });
    const on = await world({}, withGranter);
    const g = sdkClients(on.emu, token(on.emu));
    await rejectsWith(g.folders.updateAccessBindings(add('serverless.workflows.executor', on.ids.folderId, on.ids.serviceAccountId)), 'PERMISSION_DENIED', /serverless\.workflows\.executor/);
    await waitDone(g.operations, await g.folders.updateAccessBindings(add('ai.editor', on.ids.folderId, on.ids.serviceAccountId)));
    const off = await world({ fidelity: { grantOnlyHeldRoles: false } }, withGranter);
    const g2 = sdkClients(off.emu, token(off.emu));
    await waitDone(g2.operations, await g2.folders.updateAccessBindings(add('serverless.workflows.executor', off.ids.folderId, off.ids.serviceAccountId)));
    assert.ok(covers('admin', 'ai.editor') && covers('ai.admin', 'ai.datasets.editor') && !covers('ai.editor', 'ai.admin') && !covers('viewer', 'ai.editor'));
  });

  for (const code of ['NOT_FOUND', 'INVALID_ARGUMENT'] as const) {
    it(`a new account lags for the first calls (${code}), then works`, async () => {
      const { emu, c, ids } = await world({ fidelity: { newAccountLag: { calls: 2, code } } });
      const op = await waitDone(c.operations, await c.serviceAccounts.create({ folderId: ids.folderId, name: 'lagging', description: '', labels: {} }));
      assert.equal(op.error, undefined);
      const sa = emu.state.serviceAccounts().find((a) => a.name === 'lagging');
      assert.ok(sa);
      const key = () => c.apiKeys.create({ serviceAccountId: sa.id, description: '', scope: '', scopes: ['yc.ai.translate.execute'], expiresAt: undefined });
      await rejectsWith(key(), code, new RegExp(sa.id));
      await rejectsWith(c.folders.updateAccessBindings({
        resourceId: ids.folderId, accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: sa.id } } }],
      }), code, new RegExp(sa.id));
      assert.ok((await key()).secret);
    });
  }

  it('idempotency keys per service: ignored by ServiceAccountService when switched off', async () => {
    const { c, ids } = await world({ fidelity: { idempotency: { ServiceAccountService: false } } });
    const { Metadata } = await import('nice-grpc');
    const md = new Metadata({ 'idempotency-key': '7d3c1a52-2b4e-4a8e-9d61-0c6f1f2e3a4b' });
    const req = { folderId: ids.folderId, name: 'once-only', description: '', labels: {} };
    await c.serviceAccounts.create(req, { metadata: md });
    await rejectsWith(c.serviceAccounts.create(req, { metadata: md }), 'ALREADY_EXISTS');
  });

  it('the bindings operation may answer google.protobuf.Empty', async () => {
    const { c, ids } = await world({ fidelity: { bindingsResponse: 'empty' } });
    const op = await waitDone(c.operations, await c.folders.updateAccessBindings({
      resourceId: ids.folderId, accessBindingDeltas: [{ action: AccessBindingAction.ADD, accessBinding: { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: ids.serviceAccountId } } }],
    }));
    assert.equal(op.response?.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
  });

  for (const style of ['wording', 'quota-failure', 'wording-metric'] as const) {
    it(`reports a used-up quota in the '${style}' style`, async () => {
      const { c, ids } = await world({ quotas: { serviceAccountsPerCloud: 1 }, fidelity: { quotaError: style } });
      let trailer: Uint8Array | undefined;
      const err = await rejectsWith(c.serviceAccounts.create({ folderId: ids.folderId, name: 'one-too-many', description: '', labels: {} }, {
        onTrailer: (t) => { trailer = t.get('grpc-status-details-bin'); },
      }), 'RESOURCE_EXHAUSTED');
      assert.ok(trailer);
      const status = decodeStatus(trailer);
      assert.equal(status.quotaViolations.length > 0, style === 'quota-failure');
      assert.equal(/quota/i.test(err.message), style === 'wording');
    });
  }

  it('name pattern: 1–63 now (a 1-char name is fine), 3–63 under legacy', async () => {
    const now = await world();
    await waitDone(now.c.operations, await now.c.serviceAccounts.create({ folderId: now.ids.folderId, name: 'a', description: '', labels: {} }));
    const old = await world({ fidelity: { namePattern: 'legacy' } });
    await rejectsWith(old.c.serviceAccounts.create({ folderId: old.ids.folderId, name: 'a', description: '', labels: {} }), 'INVALID_ARGUMENT', /Name: invalid resource name/);
  });

  it("the CLI's one name pattern is the current proto pattern", () => {
    assert.equal(RESOURCE_NAME_PATTERN.source, CURRENT_NAME.source);
    for (const n of ['a', 'ab', 'a-b', 'a'.repeat(63)]) assert.ok(RESOURCE_NAME_PATTERN.test(n) && !(n.length < 3 && LEGACY_NAME.test(n)), n);
    for (const n of ['', '1a', 'a-', 'A', 'a'.repeat(64)]) assert.ok(!RESOURCE_NAME_PATTERN.test(n), n);
  });
});

/**
 * core/prune.ts over the in-memory gateway: the plan picks only keyless accounts aistudio-key made;
 * pruning checks each again just before (a key issued meanwhile keeps it), removes only that
 * account's roles, and stops at the next account on Ctrl-C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPrune, pruneAccounts, rolesOf, surveyAccounts } from '../../src/core/prune.js';
import { InterruptedError } from '../../src/errors.js';
import type { ServiceAccount } from '../../src/cloud/types.js';
import { FakeGateway, FOLDER_ID } from '../helpers/fake-gateway.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const MANAGED = { 'managed-by': 'aistudio-key' };

function account(gw: FakeGateway, id: string, name: string, labels: Record<string, string> = MANAGED): ServiceAccount {
  const sa: ServiceAccount = { id, folderId: FOLDER_ID, name, description: '', labels, createdAt: NOW };
  gw.serviceAccounts.set(id, sa);
  return sa;
}

function key(gw: FakeGateway, id: string, saId: string): void {
  gw.apiKeys.set(id, { apiKey: { id, serviceAccountId: saId, description: '', scopes: ['yc.ai.languageModels.execute'], createdAt: NOW, expiresAt: undefined, lastUsedAt: undefined }, secret: `AQVN${id}` });
}

function bind(gw: FakeGateway, roleId: string, id: string): void {
  gw.folders.get(FOLDER_ID)?.bindings.push({ roleId, subject: { type: 'serviceAccount', id } });
}

function world(): FakeGateway {
  const gw = new FakeGateway();
  account(gw, 'ajesa0000000000000a1', 'a-keyless');
  account(gw, 'ajesa0000000000000b1', 'b-keyless');
  account(gw, 'ajesa0000000000000c1', 'c-with-key');
  account(gw, 'ajesa0000000000000d1', 'd-foreign', { 'managed-by': 'terraform' });
  key(gw, 'ajekey00000000000001', 'ajesa0000000000000c1');
  bind(gw, 'ai.editor', 'ajesa0000000000000a1');
  bind(gw, 'viewer', 'ajesa0000000000000a1');
  bind(gw, 'ai.editor', 'ajesa0000000000000d1');
  return gw;
}

test('the plan: keyless accounts aistudio-key made, by name, with their roles; the others counted or left out', async () => {
  const gw = world();
  const plan = await planPrune(gw, FOLDER_ID);
  assert.deepEqual(plan.candidates.map((c) => [c.serviceAccount.name, c.roles]), [
    ['a-keyless', ['ai.editor', 'viewer']],
    ['b-keyless', []],
  ]);
  assert.equal(plan.withKeys, 1);
  assert.deepEqual(gw.mutations(), [], 'read-only');
  const survey = await surveyAccounts(gw, FOLDER_ID, { managedOnly: false });
  assert.deepEqual(survey.accounts.map((a) => [a.serviceAccount.name, a.keyIds.length]), [
    ['a-keyless', 0],
    ['b-keyless', 0],
    ['c-with-key', 1],
    ['d-foreign', 0],
  ]);
  assert.equal((await surveyAccounts(gw, FOLDER_ID, { managedOnly: true })).unmanagedAccounts, 1);
});

test('a key issued on a candidate after the plan keeps it; the other goes with only its own roles', async () => {
  const gw = world();
  const plan = await planPrune(gw, FOLDER_ID);
  key(gw, 'ajekey00000000000002', 'ajesa0000000000000b1');
  const outcomes = await pruneAccounts(gw, plan);
  assert.deepEqual(outcomes.map((o) => o.status), ['deleted', 'kept']);
  assert.ok(!gw.serviceAccounts.has('ajesa0000000000000a1'));
  assert.ok(gw.serviceAccounts.has('ajesa0000000000000b1'));
  const removed = gw.callsOf('removeFolderAccessBindings').map((c) => c.args[1]);
  assert.deepEqual(removed, [[
    { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: 'ajesa0000000000000a1' } },
    { roleId: 'viewer', subject: { type: 'serviceAccount', id: 'ajesa0000000000000a1' } },
  ]]);
  assert.deepEqual(rolesOf(gw.folders.get(FOLDER_ID)?.bindings ?? [], 'ajesa0000000000000d1'), ['ai.editor'], "a foreign account's role stays");
  assert.equal(gw.callsOf('addFolderAccessBindings').length, 0);
});

test('aborted: accounts not yet started fail with the signal\'s reason and are not touched', async () => {
  const gw = world();
  const plan = await planPrune(gw, FOLDER_ID);
  const controller = new AbortController();
  const outcomes = await pruneAccounts(gw, plan, { signal: controller.signal, onEvent: () => controller.abort(new InterruptedError('Interrupted (SIGINT).')) });
  assert.deepEqual(outcomes.map((o) => o.status), ['deleted', 'failed']);
  assert.ok(gw.serviceAccounts.has('ajesa0000000000000b1'));
});

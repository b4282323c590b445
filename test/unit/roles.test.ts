import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../src/errors.js';
import { checkRolesExist, grantDenied, grantWarning, rolesBeyondHeld, rolesHeld } from '../../src/core/roles.js';
import { PRESET_ROLES } from '../../src/core/preset.js';
import { FakeGateway } from '../helpers/fake-gateway.js';

test('rolesBeyondHeld: all-powerful roles cover everything; a service admin its service; otherwise the role itself', () => {
  assert.deepEqual(rolesBeyondHeld(['admin'], PRESET_ROLES), []);
  assert.deepEqual(rolesBeyondHeld(['resource-manager.admin', 'ai.editor'], ['ai.editor', 'search-api.webSearch.user']), ['search-api.webSearch.user']);
  assert.deepEqual(rolesBeyondHeld(['serverless.mcpGateways.admin'], ['serverless.mcpGateways.invoker', 'serverless.workflows.executor']), ['serverless.workflows.executor']);
  assert.match(grantWarning(['x.y'], 'b1gfolder') ?? '', /do not include x\.y/);
  assert.equal(grantWarning([], 'b1gfolder'), undefined);
});

test('rolesHeld: the subject\'s own bindings and those granted to everyone', () => {
  const sa = { type: 'serviceAccount', id: 'ajeme' };
  const held = rolesHeld([
    { roleId: 'ai.editor', subject: sa },
    { roleId: 'viewer', subject: { type: 'system', id: 'allAuthenticatedUsers' } },
    { roleId: 'admin', subject: { type: 'serviceAccount', id: 'ajeother' } },
  ], sa);
  assert.deepEqual(held, ['ai.editor', 'viewer']);
});

test('grantDenied names the role the cloud\'s text names; otherwise the error stays', () => {
  const named = grantDenied(new AuthError('You may not grant roles on folder f', { code: 'permission_denied', hints: ['The cloud said: Permission denied to grant role serverless.workflows.executor.'] }), [...PRESET_ROLES], 'f');
  assert.ok(named instanceof AuthError);
  assert.match(named.message, /^You may not grant role serverless\.workflows\.executor on folder f/);
  const plain = new AuthError('You may not grant roles on folder f', { code: 'permission_denied' });
  assert.equal(grantDenied(plain, [...PRESET_ROLES], 'f'), plain);
});

test('checkRolesExist: the preset costs no call; an unknown role is a usage error naming it', async () => {
  const gw = new FakeGateway();
  await checkRolesExist(gw, PRESET_ROLES);
  assert.equal(gw.callsOf('getRole').length, 0);
  gw.unknownRoles.add('ai.nope');
  await assert.rejects(checkRolesExist(gw, ['ai.editor', 'ai.datasets.editor', 'ai.nope']), /--roles: the cloud knows no role "ai\.nope"/);
  assert.deepEqual(gw.callsOf('getRole').map((c) => c.args[0]).sort(), ['ai.datasets.editor', 'ai.nope']);
});

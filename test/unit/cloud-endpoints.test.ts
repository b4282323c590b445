import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudError } from '../../src/errors.js';
import { DEFAULT_ENDPOINTS, endpointMapFromList, isDefaultEndpoint, normalizeEndpoint, withinEndpointDomain } from '../../src/cloud/endpoints.js';

test('endpoints are normalised to host:port', () => {
  assert.equal(normalizeEndpoint('api.cloud.yandex.net'), 'api.cloud.yandex.net:443');
  assert.equal(normalizeEndpoint('https://api.cloud.yandex.net/'), 'api.cloud.yandex.net:443');
  assert.equal(normalizeEndpoint('localhost:50051'), 'localhost:50051');
  assert.equal(normalizeEndpoint('[::1]'), '[::1]:443');
  assert.equal(normalizeEndpoint('[::1]:8443'), '[::1]:8443');
});

test('the default installation is recognised in its usual spellings', () => {
  assert.ok(isDefaultEndpoint('api.cloud.yandex.net:443'));
  assert.ok(isDefaultEndpoint('api.cloud.yandex.net'));
  assert.ok(!isDefaultEndpoint('127.0.0.1:443'));
  assert.equal(DEFAULT_ENDPOINTS.iam, 'iam.api.cloud.yandex.net:443');
  assert.equal(DEFAULT_ENDPOINTS['resource-manager'], 'resource-manager.api.cloud.yandex.net:443');
  assert.equal(DEFAULT_ENDPOINTS.operation, 'operation.api.cloud.yandex.net:443');
  assert.equal(DEFAULT_ENDPOINTS['lockbox-payload'], 'payload.lockbox.api.cloud.yandex.net:443');
});

test('a discovery answer maps ids to addresses, with the resourcemanager alias', () => {
  const map = endpointMapFromList(
    [
      { id: 'iam', address: 'iam.api.example:443' },
      { id: 'resourcemanager', address: 'rm.api.example:443' },
      { id: 'operation', address: 'api.example:8443' },
      { id: 'lockbox', address: 'LB.Api.Example.:443' },
      { id: 'compute', address: 'compute.elsewhere:443' },
    ],
    'api.example:443',
  );
  assert.deepEqual(map, {
    'endpoint': 'api.example:443',
    'iam': 'iam.api.example:443',
    'resource-manager': 'rm.api.example:443',
    'operation': 'api.example:8443',
    'lockbox': 'LB.Api.Example.:443',
    'lockbox-payload': '',
  });
});

test('a discovery answer without a required service is a CloudError naming it', () => {
  assert.throws(() => endpointMapFromList([{ id: 'iam', address: 'x:1' }], 'api.example:443'), (e: unknown) => {
    assert.ok(e instanceof CloudError);
    assert.match(e.message, /does not list the resource-manager, operation services/);
    return true;
  });
});

test('a discovered address outside the endpoint\'s domain is refused, naming both hosts', () => {
  const others = ['evil.example:443', 'api.example.evil:443', 'xapi.example:443', '127.0.0.2:443', 'iam.api.example.attacker.net:443'];
  for (const address of others) {
    const list = [{ id: 'iam', address: 'iam.api.example:443' }, { id: 'resource-manager', address: 'rm.api.example' }, { id: 'operation', address: 'op.api.example' }, { id: 'lockbox-payload', address }];
    assert.throws(() => endpointMapFromList(list, 'api.example:443'), (e: unknown) => {
      assert.ok(e instanceof CloudError, address);
      const host = address.slice(0, address.lastIndexOf(':'));
      assert.match(e.message, new RegExp(`api\\.example answered discovery with ${host.replace(/\./g, '\\.')} for the lockbox-payload service`));
      return true;
    });
  }
});

test('for an IP endpoint only that IP is within its domain; for a name, the name and what is under it', () => {
  assert.ok(withinEndpointDomain('127.0.0.1:9', '127.0.0.1:8443'));
  assert.ok(!withinEndpointDomain('1.127.0.0.1:9', '127.0.0.1:8443'));
  assert.ok(withinEndpointDomain('[::1]:9', '[::1]:8443'));
  assert.ok(!withinEndpointDomain('localhost:9', '127.0.0.1:8443'));
  assert.ok(withinEndpointDomain('payload.lockbox.api.cloud.yandex.net:443', 'api.cloud.yandex.net:443'));
  assert.ok(!withinEndpointDomain('cloud.yandex.net:443', 'api.cloud.yandex.net:443'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudError } from '../../src/errors.js';
import { DEFAULT_ENDPOINTS, endpointMapFromList, isDefaultEndpoint, normalizeEndpoint } from '../../src/cloud/endpoints.js';

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
      { id: 'iam', address: 'iam.example:443' },
      { id: 'resourcemanager', address: 'rm.example:443' },
      { id: 'operation', address: 'op.example' },
      { id: 'lockbox', address: 'lb.example:443' },
      { id: 'compute', address: 'compute.example:443' },
    ],
    'api.example:443',
  );
  assert.deepEqual(map, {
    'endpoint': 'api.example:443',
    'iam': 'iam.example:443',
    'resource-manager': 'rm.example:443',
    'operation': 'op.example:443',
    'lockbox': 'lb.example:443',
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyFor } from '../../src/config/proxy.js';
import { UsageError } from '../../src/errors.js';

const P = 'http://proxy.corp:3128';

test('HTTPS_PROXY or https_proxy (the lower-case one wins) names the proxy; none: direct', () => {
  assert.equal(proxyFor('iam.api.cloud.yandex.net', 443, {}), undefined);
  assert.deepEqual(proxyFor('iam.api.cloud.yandex.net', 443, { HTTPS_PROXY: P }), { address: 'proxy.corp:3128', credentials: undefined, source: 'HTTPS_PROXY' });
  assert.equal(proxyFor('x', 443, { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' })?.address, 'lower:2');
  assert.equal(proxyFor('x', 443, { HTTPS_PROXY: 'proxy.corp' })?.address, 'proxy.corp:80', 'no scheme: http, port 80');
  assert.equal(proxyFor('x', 443, { HTTPS_PROXY: 'http://a%40b:p%3Aq@proxy.corp:8080' })?.credentials, 'a@b:p:q');
});

test('NO_PROXY as curl reads it: names cover subdomains, dots and *. prefixes, ports, IPs, *', () => {
  const env = (noProxy: string) => ({ HTTPS_PROXY: P, NO_PROXY: noProxy });
  const direct = (host: string, port: number, noProxy: string): boolean => proxyFor(host, port, env(noProxy)) === undefined;
  assert.ok(direct('iam.api.cloud.yandex.net', 443, 'yandex.net'));
  assert.ok(direct('iam.api.cloud.yandex.net', 443, '.cloud.yandex.net'));
  assert.ok(direct('iam.api.cloud.yandex.net', 443, '*.api.cloud.yandex.net'));
  assert.ok(!direct('notyandex.net', 443, 'yandex.net'), 'a suffix match is on a dot boundary');
  assert.ok(direct('anything', 1, 'a, *'));
  assert.ok(direct('10.0.0.1', 8443, '10.0.0.1:8443'));
  assert.ok(!direct('10.0.0.1', 443, '10.0.0.1:8443'), 'the port must match when given');
  assert.ok(direct('::1', 443, '[::1]'));
  assert.ok(direct('::1', 443, '::1'));
  assert.ok(direct('API.Example.', 443, 'api.example'));
  assert.ok(direct('x', 1, 'a  b,x'), 'spaces separate too');
  assert.ok(direct('x', 1, ' ') === false);
  assert.equal(proxyFor('x', 1, { https_proxy: P, no_proxy: 'x' }), undefined);
});

test('a proxy URL that is not plain http:// is a UsageError naming the variable', () => {
  for (const bad of ['https://proxy:3128', 'socks5://proxy:1080', 'http://proxy:3128/path', 'http://']) {
    assert.throws(() => proxyFor('x', 443, { https_proxy: bad }), (e: unknown) => e instanceof UsageError && /^https_proxy: expected a proxy URL/.test(e.message), bad);
  }
});

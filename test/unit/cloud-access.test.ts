/** The run's way to the cloud (src/commands/cloud-access.ts), alone: endpoint precedence, one connection, closed once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, ConnectTarget } from '../../src/cloud/types.js';
import { cloudAccess } from '../../src/commands/cloud-access.js';
import { createRunState } from '../../src/commands/run-state.js';
import type { GlobalOptions } from '../../src/commands/context.js';
import { ENV } from '../../src/config/env.js';
import type { Deps } from '../../src/deps.js';
import { fakeAuthDeps } from '../helpers/auth-deps.js';

const TOKEN = `t1.${'a'.repeat(40)}`;

function setUp(opts: { endpoint?: GlobalOptions['endpoint']; configEndpoint?: string } = {}) {
  const connects: ConnectTarget[] = [];
  let closed = 0;
  const deps = {
    ...fakeAuthDeps({ env: { [ENV.iamToken]: TOKEN } }),
    connect: async (target: ConnectTarget): Promise<Connection> => {
      connects.push(target);
      return { gateway: { close: () => void (closed += 1) }, identity: { kind: 'userAccount', id: 'ajeuser' } } as unknown as Connection;
    },
    sleep: async () => undefined,
  } as unknown as Deps;
  const global: GlobalOptions = { auth: {}, endpoint: opts.endpoint, caFile: undefined, debug: false, timeoutMs: undefined, retries: undefined, noColor: false, quiet: false };
  const settingsReads: number[] = [];
  const access = cloudAccess(deps, {
    global,
    state: createRunState(deps),
    settings: async () => {
      settingsReads.push(1);
      return { path: '/cfg/config.json', ...(opts.configEndpoint ? { endpoint: opts.configEndpoint } : {}) };
    },
    out: { warn: () => undefined, debug: () => undefined },
    signal: new AbortController().signal,
    abandonSignal: new AbortController().signal,
  });
  return { access, connects, closed: () => closed, settingsReads };
}

test('the endpoint: --endpoint/YC_ENDPOINT first, without reading config', async () => {
  const s = setUp({ endpoint: { value: 'localhost:1234', source: 'flag --endpoint' }, configEndpoint: 'config.example:443' });
  assert.deepEqual(await s.access.endpoint(), { value: 'localhost:1234', source: 'flag --endpoint' });
  assert.equal(s.settingsReads.length, 0);
});

test('the endpoint: then config, named as config', async () => {
  const s = setUp({ configEndpoint: 'config.example:443' });
  const ep = await s.access.endpoint();
  assert.equal(ep.value, 'config.example:443');
  assert.match(ep.source, /config.*endpoint.*\/cfg\/config\.json/);
});

test('the endpoint: the default when nothing names one', async () => {
  const s = setUp();
  assert.deepEqual(await s.access.endpoint(), { value: 'api.cloud.yandex.net:443', source: 'default' });
});

test('one connection however often a command asks, with the credential found; close() closes it', async () => {
  const s = setUp({ endpoint: { value: 'localhost:1234', source: 'flag --endpoint' } });
  s.access.close();
  assert.equal(s.closed(), 0, 'nothing to close before a connection');
  const [a, b] = await Promise.all([s.access.cloud(), s.access.cloud()]);
  assert.equal(a, b);
  assert.equal(s.connects.length, 1);
  assert.equal(s.connects[0]?.endpoint, 'localhost:1234');
  assert.equal(s.connects[0]?.credential.kind, 'iam-token');
  s.access.close();
  assert.equal(s.closed(), 1);
});

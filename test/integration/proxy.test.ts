/**
 * HTTPS_PROXY/https_proxy and NO_PROXY/no_proxy, for the gRPC channels and the federation HTTP calls,
 * through a loopback CONNECT proxy that records every tunnel it opens; and the federation URLs'
 * own rules: https only (plain http to loopback for tests), redirects never followed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { TOKEN_EXCHANGE_PATH, type DefaultIds, type Emulator } from '../emulator/index.js';
import { runCli, type RunCliResult } from '../helpers/run-cli.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

interface Recorder {
  url: string;
  /** host:port of every CONNECT, in order. */
  tunnels: string[];
  /** Proxy-Authorization headers seen. */
  auth: Array<string | undefined>;
  close(): Promise<void>;
}

/** A CONNECT proxy on 127.0.0.1 that records the tunnels it opens and pipes them through. */
async function connectProxy(): Promise<Recorder> {
  const tunnels: string[] = [];
  const auth: Array<string | undefined> = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    auth.push(req.headers['proxy-authorization']);
    const colon = (req.url ?? '').lastIndexOf(':');
    const upstream = net.connect(Number((req.url ?? '').slice(colon + 1)), (req.url ?? '').slice(0, colon).replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    auth,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback HTTP server answering every request with `status` and a Location, recording requests. */
async function redirector(status: number, location: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { location }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('proxies and federation URLs', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let proxy: Recorder;
  before(async () => {
    ({ emu, ids } = await startDefaultEmulator());
    proxy = await connectProxy();
  });
  after(async () => {
    await proxy.close();
    await emu.stop();
  });

  const whoami = (env: Record<string, string>): Promise<RunCliResult> =>
    runCli(['whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--json', '--retries', '0'], { env });
  const federationEnv = (): Record<string, string> => ({
    YC_ID_TOKEN: ids.federatedSubjectToken,
    YC_SERVICE_ACCOUNT_ID: ids.serviceAccountId,
    YC_TOKEN_EXCHANGE_URL: `${emu.httpUrl}${TOKEN_EXCHANGE_PATH}`,
  });
  const httpHost = (): string => new URL(emu.httpUrl).host;

  for (const name of ['HTTPS_PROXY', 'https_proxy'] as const) {
    test(`${name}: gRPC goes through the proxy, every tunnel to the real host`, async () => {
      const before = proxy.tunnels.length;
      const r = await whoami({ YC_IAM_TOKEN: ids.userIamToken, [name]: proxy.url });
      assert.equal(r.exitCode, 0, r.stderr);
      const tunnels = proxy.tunnels.slice(before);
      assert.ok(tunnels.length >= 1, 'at least one tunnel');
      assert.deepEqual([...new Set(tunnels)], [emu.endpoint], 'every tunnel goes to the emulator');
    });
  }

  test('federation: the OIDC exchange and then gRPC go through the proxy; proxy credentials are sent', async () => {
    const before = proxy.tunnels.length;
    const withAuth = proxy.url.replace('http://', 'http://ci%40corp:s3cret@');
    const r = await whoami({ ...federationEnv(), HTTPS_PROXY: withAuth });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(ids.serviceAccountId));
    const tunnels = proxy.tunnels.slice(before);
    assert.equal(tunnels[0], httpHost(), 'the token exchange went first, through the proxy');
    assert.ok(tunnels.slice(1).every((t) => t === emu.endpoint) && tunnels.length >= 2, tunnels.join(' '));
    assert.ok(proxy.auth.slice(before).every((a) => a === `Basic ${Buffer.from('ci@corp:s3cret').toString('base64')}`));
  });

  for (const noProxy of ['127.0.0.1', '*', 'example.test, 127.0.0.1']) {
    test(`NO_PROXY=${noProxy}: nothing goes through the proxy`, async () => {
      const before = proxy.tunnels.length;
      const r = await whoami({ ...federationEnv(), HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(proxy.tunnels.slice(before), []);
    });
  }

  test('NO_PROXY with a port bypasses only that port', async () => {
    const before = proxy.tunnels.length;
    const r = await whoami({ ...federationEnv(), HTTPS_PROXY: proxy.url, no_proxy: httpHost() });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual([...new Set(proxy.tunnels.slice(before))], [emu.endpoint], 'gRPC tunnelled, the exchange (that port) direct');
  });

  test('a proxy URL that is not http:// is a usage error before any call', async () => {
    const r = await whoami({ YC_IAM_TOKEN: ids.userIamToken, HTTPS_PROXY: 'socks5://127.0.0.1:1080' });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /HTTPS_PROXY: expected a proxy URL like http:\/\/proxy\.example:3128/);
  });

  for (const [name, value] of [
    ['YC_TOKEN_EXCHANGE_URL', 'http://auth.example.test/oauth/token'],
    ['YC_TOKEN_EXCHANGE_URL', 'http://10.0.0.1/oauth/token'],
    ['ACTIONS_ID_TOKEN_REQUEST_URL', 'http://token.actions.example.test/idtoken?x=1'],
  ] as const) {
    test(`${name}=${value}: refused with exit 2 before any token is sent`, async () => {
      const calls: string[] = [];
      const env: Record<string, string> = name === 'YC_TOKEN_EXCHANGE_URL'
        ? { ...federationEnv(), [name]: value }
        : { ACTIONS_ID_TOKEN_REQUEST_URL: value, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gh-request-token', YC_SERVICE_ACCOUNT_ID: ids.serviceAccountId };
      const r = await runCli(['whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile], {
        env,
        fetch: (url) => {
          calls.push(url.href);
          return Promise.reject(new Error('no request may be sent'));
        },
      });
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${name}: expected an https:// URL \\(plain http only to a loopback test server\\), got http://`));
      assert.deepEqual(calls, []);
    });
  }

  test('a 307 from the token exchange is not followed: the subject token is not re-posted, and both URLs are named', async () => {
    const elsewhere = await redirector(200, '');
    const first = await redirector(307, `${elsewhere.url}/steal?x=1`);
    try {
      const r = await whoami({ ...federationEnv(), YC_TOKEN_EXCHANGE_URL: `${first.url}/oauth/token` });
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${first.url}/oauth/token answered with a redirect \\(HTTP 307\\) to ${elsewhere.url}/steal; redirects are not followed`));
      assert.deepEqual(first.requests, ['POST /oauth/token']);
      assert.deepEqual(elsewhere.requests, [], 'nothing reached the redirect target');
      assert.ok(!r.stderr.includes(ids.federatedSubjectToken));
    } finally {
      await first.close();
      await elsewhere.close();
    }
  });
});

/**
 * Test doubles for the credential chain: fake AuthDeps (in-memory files, recorded fetch and
 * execFile), authorized keys generated at run time, and loopback HTTP/TCP servers for the
 * metadata service. Nothing here sends a packet off loopback: YC_METADATA_ADDR defaults to a
 * closed loopback port, and fetch refuses anything not scripted.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ENV } from '../../src/config/env.js';
import { resolveCredential } from '../../src/auth/chain.js';
import type { AuthDeps, AuthFlags } from '../../src/auth/types.js';

/** A loopback port nothing listens on: connecting is refused at once. */
export const CLOSED_LOOPBACK_ADDR = '127.0.0.1:1';
export const HOME = '/home/tester';
export const FIXED_NOW = new Date('2026-11-20T10:00:00Z');

export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** host:port of the proxy the request was to go through. */
  proxy?: string | undefined;
}

export type FetchHandler = (call: FetchCall) => Response | Promise<Response>;

export interface FakeAuthDepsOptions {
  env?: Record<string, string | undefined>;
  /** Path -> content. Anything else: ENOENT. */
  files?: Record<string, string>;
  stdin?: string;
  fetch?: FetchHandler;
  execFile?: (file: string, args: string[], opts?: { timeoutMs?: number }) => Promise<{ stdout: string }>;
  homedir?: string;
  now?: Date;
}

export interface FakeAuthDeps extends AuthDeps {
  fetchCalls: FetchCall[];
  execCalls: Array<{ file: string; args: string[]; timeoutMs: number | undefined }>;
  reads: string[];
  stdinReads: number;
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

/** Fake AuthDeps. YC_METADATA_ADDR defaults to a closed loopback port; pass it explicitly to override. */
export function fakeAuthDeps(opts: FakeAuthDepsOptions = {}): FakeAuthDeps {
  const files = opts.files ?? {};
  const deps: FakeAuthDeps = {
    env: { [ENV.metadataAddr]: CLOSED_LOOPBACK_ADDR, ...opts.env },
    homedir: opts.homedir ?? HOME,
    fetchCalls: [],
    execCalls: [],
    reads: [],
    stdinReads: 0,
    async readFile(path) {
      deps.reads.push(path);
      const content = files[path];
      if (content === undefined) throw enoent(path);
      return content;
    },
    async readStdin() {
      deps.stdinReads += 1;
      return opts.stdin ?? '';
    },
    fetch: async (input, init) => {
      const url = input.href;
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
      const call: FetchCall = { url, method: init.method, headers, body: init.body, proxy: init.proxy?.address };
      deps.fetchCalls.push(call);
      if (!opts.fetch) throw new Error(`unexpected fetch to ${url}`);
      return opts.fetch(call);
    },
    async execFile(file, args, execOpts) {
      deps.execCalls.push({ file, args, timeoutMs: execOpts?.timeoutMs });
      if (opts.execFile) return opts.execFile(file, args, execOpts);
      throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    },
    now: () => opts.now ?? FIXED_NOW,
  };
  return deps;
}

/** A JSON Response. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped test token (unsigned; the fake endpoints only compare strings). */
export function fakeJwt(claims: Record<string, unknown> = { sub: 'repo:acme/app:ref:refs/heads/main' }): string {
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${Buffer.from('test-signature').toString('base64url')}`;
}

export interface TestKeyFile {
  id: string;
  service_account_id: string;
  created_at: string;
  key_algorithm: string;
  public_key: string;
  private_key: string;
}

let cachedPair: { publicKey: string; privateKey: string } | undefined;
/** One RSA-2048 pair per test process, generated at run time. */
export function testKeyPair(): { publicKey: string; privateKey: string } {
  cachedPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return cachedPair;
}

/** An authorized key file as `yc iam key create` writes it, with the header line unless `header: false`. */
export function testKeyFile(opts: { id?: string; serviceAccountId?: string; header?: boolean; headerId?: string } = {}): TestKeyFile {
  const { publicKey, privateKey } = testKeyPair();
  const id = opts.id ?? 'ajetestkey0000000001';
  const header = opts.header === false ? '' : `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${opts.headerId ?? id}>\n`;
  return {
    id,
    service_account_id: opts.serviceAccountId ?? 'ajetestsa00000000001',
    created_at: '2026-03-10T19:16:05.289441568Z',
    key_algorithm: 'RSA_2048',
    public_key: publicKey,
    private_key: header + privateKey,
  };
}

export interface LoopbackHttp {
  /** host:port, for YC_METADATA_ADDR. */
  addr: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1, port 0. */
export async function startLoopbackHttp(handler: http.RequestListener): Promise<LoopbackHttp> {
  const requests: LoopbackHttp['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A TCP server on loopback that accepts connections and never answers. */
export async function startBlackHole(): Promise<{ addr: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** The error the credential chain throws for `flags` (fails the test when it finds a credential). */
export async function credentialFailure(flags: AuthFlags, opts: FakeAuthDepsOptions = {}): Promise<Error> {
  try {
    await resolveCredential(flags, fakeAuthDeps(opts));
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`resolveCredential threw a non-Error: ${String(err)}`);
  }
  throw new Error('expected resolveCredential to throw');
}

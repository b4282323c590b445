/**
 * The HTTP client of the federation calls (GitHub's OIDC endpoint, the token exchange): node:http
 * and node:https, through an HTTP CONNECT tunnel when a proxy is given, and never following a
 * redirect (the caller sees the 3xx and decides). Global fetch does neither: it follows redirects
 * (a 307 re-POSTs the subject token to wherever it points) and, before Node 24, ignores proxy
 * variables. A CONNECT tunnel is ~40 lines of node:http; no dependency is needed for it.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { Proxy } from '../config/proxy.js';

export interface HttpInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Aborts the connection, the tunnel and the request. */
  signal: AbortSignal;
  /** Tunnel through this proxy (src/config/proxy.ts decides). */
  proxy?: Proxy;
}

/** The seam AuthDeps.fetch has: a URL and what to send, a Response (3xx included) back. */
export type HttpFetch = (url: URL, init: HttpInit) => Promise<Response>;

/** Bodies are cut at this size: the answers expected are a few hundred bytes of JSON. */
const MAX_BODY_BYTES = 1024 * 1024;
const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

const defaultPort = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/** Opens a CONNECT tunnel to `url`'s host and port through `proxy`. */
function tunnel(url: URL, proxy: Proxy, signal: AbortSignal): Promise<Socket> {
  const target = `${url.hostname}:${defaultPort(url)}`;
  const [proxyHost, proxyPort] = [proxy.address.slice(0, proxy.address.lastIndexOf(':')).replace(/^\[|\]$/g, ''), Number(proxy.address.slice(proxy.address.lastIndexOf(':') + 1))];
  const headers: Record<string, string> = { host: target };
  if (proxy.credentials !== undefined) headers['proxy-authorization'] = `Basic ${Buffer.from(proxy.credentials).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxyHost, port: proxyPort, method: 'CONNECT', path: target, headers, agent: false, signal });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`the proxy ${proxy.address} (${proxy.source}) refused the tunnel to ${target} (HTTP ${res.statusCode ?? 0})`));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

/**
 * Sends one request and reads the whole answer.
 * @returns a Response with the status, the headers and the body (empty for 1xx/204/304).
 * @throws the network error (ECONNREFUSED, AbortError/TimeoutError from `signal`, a refused tunnel),
 *   Of a body larger than 1 MB only the first 1 MB is kept.
 */
export const httpFetch: HttpFetch = async (url, init) => {
  const socket = init.proxy ? await tunnel(url, init.proxy, init.signal) : undefined;
  const secure = url.protocol === 'https:';
  const connection = socket && secure ? tls.connect({ socket, servername: hostOf(url) }) : socket;
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  const options: http.RequestOptions = {
    hostname: hostOf(url), port: defaultPort(url), path: `${url.pathname}${url.search}`,
    method: init.method, headers: { host: url.host, ...headers }, agent: false, signal: init.signal,
  };
  if (connection) options.createConnection = () => connection;
  return new Promise<Response>((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      // The answer as read so far: a body cut at MAX_BODY_BYTES still carries the status and the
      // start of the message (an error body of megabytes says what it says in its first bytes).
      const finish = (): void => {
        if (settled) return;
        settled = true;
        try {
          const status = res.statusCode ?? 0;
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
          }
          resolve(new Response(NO_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), { status, headers: out }));
        } catch (error) {
          reject(error);
        }
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_BODY_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (chunk.length >= room) {
          finish();
          res.destroy();
        }
      });
      res.once('error', (error) => {
        if (!settled) reject(error);
      });
      res.once('end', finish);
    };
    // Over a tunnel the TLS socket is ours already; node:http only speaks HTTP on it.
    const req = secure && !connection ? https.request(options, onResponse) : http.request(options, onResponse);
    req.once('error', reject);
    req.end(init.body);
  });
};

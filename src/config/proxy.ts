/**
 * Which proxy a connection goes through, from HTTPS_PROXY/https_proxy and NO_PROXY/no_proxy. One
 * rule for the gRPC channels (src/cloud/transport.ts) and the federation HTTP calls
 * (src/auth/federation.ts), so both reach the same hosts the same way. grpc-js reads only the
 * lower-case names, and from process.env, so it is told not to look and is handed this answer.
 */
import { UsageError } from '../errors.js';
import { ENV } from './env.js';

/** A proxy to tunnel through with HTTP CONNECT. */
export interface Proxy {
  /** host:port of the proxy (IPv6 bracketed). */
  address: string;
  /** `user:password` from the proxy URL, decoded, for Proxy-Authorization: Basic. */
  credentials: string | undefined;
  /** Which variable named it, for messages. */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function pick(env: Env, lower: string, upper: string): { name: string; value: string } | undefined {
  for (const name of [lower, upper]) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * The proxy for a TLS connection to `host`:`port`, or undefined for a direct one.
 * @throws UsageError when the proxy variable is not an `http://host[:port]` URL.
 */
export function proxyFor(host: string, port: number, env: Env): Proxy | undefined {
  const set = pick(env, ENV.httpsProxy, ENV.httpsProxyUpper);
  if (!set) return undefined;
  if (bypassed(host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''), port, pick(env, ENV.noProxy, ENV.noProxyUpper)?.value ?? '')) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(set.value.includes('://') ? set.value : `http://${set.value}`);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'http:' || !url.hostname || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UsageError(`${set.name}: expected a proxy URL like http://proxy.example:3128 (CONNECT over plain HTTP)`);
  }
  const credentials = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  return { address: `${url.hostname}:${url.port || '80'}`, credentials, source: set.name };
}

/** An entry's host and port: `[v6]:port`, `[v6]`, a bare IPv6 address, `name:port` or `name`. */
function splitEntry(entry: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const colons = entry.split(':').length - 1;
  const withPort = colons === 1 ? /^(.*):(\d+)$/.exec(entry) : null;
  return withPort ? { host: withPort[1] ?? '', port: Number(withPort[2]) } : { host: entry, port: undefined };
}

/** NO_PROXY as curl reads it: `*`, names covering their subdomains (a leading `.` or `*.` allowed), IPs, optional `:port`. */
function bypassed(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(/[,\s]+/)) {
    const lowered = raw.trim().toLowerCase();
    if (!lowered) continue;
    if (lowered === '*') return true;
    const entry = splitEntry(lowered);
    if (entry.port !== undefined && entry.port !== port) continue;
    const name = entry.host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name && (host === name || host.endsWith(`.${name}`))) return true;
  }
  return false;
}

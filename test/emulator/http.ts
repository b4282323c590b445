import { hostileErrorMessage, type HostileOptions } from './hostile.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_STATUS, defaultFaultMessage } from './errors.js';
import type { Faults } from './rpc.js';
import { IAM_TOKEN_TTL_MS, type World } from './state.js';
import type { GrpcStatusName, JournalEntry, MethodName } from './types.js';

export const METADATA_TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
export const METADATA_FOLDER_PATH = '/computeMetadata/v1/yandex/folder-id';
export const TOKEN_EXCHANGE_PATH = '/oauth/token';

/** Journal / inject() names of the HTTP routes. */
export const HTTP_METHODS: MethodName[] = [
  `HTTP GET ${METADATA_TOKEN_PATH}`,
  `HTTP GET ${METADATA_FOLDER_PATH}`,
  `HTTP POST ${TOKEN_EXCHANGE_PATH}`,
];

/** RFC 8693 / reference §4.4 constants. */
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE_ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
export const TOKEN_TYPE_ID = 'urn:ietf:params:oauth:token-type:id_token';

interface Reply {
  status: number;
  journalStatus: 'OK' | GrpcStatusName;
  body: string;
  contentType: string;
}

const json = (status: number, journalStatus: 'OK' | GrpcStatusName, body: unknown): Reply =>
  ({ status, journalStatus, body: JSON.stringify(body), contentType: 'application/json' });
const oauthError = (error: string, description: string, journalStatus: GrpcStatusName = 'INVALID_ARGUMENT'): Reply =>
  json(400, journalStatus, { error, error_description: description });
const text = (status: number, journalStatus: 'OK' | GrpcStatusName, body: string): Reply =>
  ({ status, journalStatus, body, contentType: 'text/plain; charset=utf-8' });

/** An error reply as a hostile server words it: the description (JSON) or the body (text). */
function hostileReply(reply: Reply, hostile: HostileOptions): Reply {
  if (reply.contentType !== 'application/json') return { ...reply, body: hostileErrorMessage(reply.body, hostile) };
  const body = JSON.parse(reply.body) as { error_description?: string };
  return { ...reply, body: JSON.stringify({ ...body, error_description: hostileErrorMessage(body.error_description ?? '', hostile) }) };
}

export interface HttpRuntime {
  world: World;
  faults: Faults;
  journal: JournalEntry[];
  /** Hostile mode (hostile.ts): error bodies carry escapes, workflow commands and megabytes. */
  hostile?: HostileOptions;
}

/**
 * The HTTP side channel on loopback (plain HTTP): a GCE-style metadata service and a workload-identity
 * token exchange (reference §4.1, §4.4). Every request is journaled as `HTTP <METHOD> <path>`, and
 * faults injected under those names apply (`error` answers the code's HTTP twin; `lost-answer` does
 * the work and answers 503).
 */
export async function startHttpServer(rt: HttpRuntime, host: string, port: number): Promise<{ server: Server; url: string }> {
  let metadataToken: { token: string; subject: string; expiresAt: number } | undefined;

  const metadataTokenReply = (req: IncomingMessage): Reply => {
    if (req.headers['metadata-flavor'] !== 'Google') return text(403, 'PERMISSION_DENIED', 'Missing required header: Metadata-Flavor: Google\n');
    const sa = rt.world.metadataServiceAccountId;
    if (sa === undefined || !rt.world.serviceAccounts.has(sa)) return text(404, 'NOT_FOUND', 'No service account is attached to this instance\n');
    const now = rt.world.now();
    // Like the real service: hand back the same token while it has more than an hour left.
    if (metadataToken === undefined || metadataToken.subject !== sa || metadataToken.expiresAt - now < 3600_000) {
      const issued = rt.world.issueIamToken(sa, IAM_TOKEN_TTL_MS);
      metadataToken = { token: issued.token, subject: sa, expiresAt: issued.expiresAt.getTime() };
    }
    return json(200, 'OK', {
      access_token: metadataToken.token,
      expires_in: Math.floor((metadataToken.expiresAt - now) / 1000),
      token_type: 'Bearer',
    });
  };

  const folderReply = (req: IncomingMessage): Reply => {
    if (req.headers['metadata-flavor'] !== 'Google') return text(403, 'PERMISSION_DENIED', 'Missing required header: Metadata-Flavor: Google\n');
    const folder = rt.world.metadataFolderId;
    return folder === undefined ? text(404, 'NOT_FOUND', 'Not found\n') : text(200, 'OK', folder);
  };

  const exchangeReply = (req: IncomingMessage, form: URLSearchParams): Reply => {
    const type = req.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return oauthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const field = (name: string): string => form.get(name) ?? '';
    for (const name of ['grant_type', 'requested_token_type', 'audience', 'subject_token', 'subject_token_type']) {
      if (field(name) === '') return oauthError('invalid_request', `missing required parameter ${name}`);
    }
    if (field('grant_type') !== GRANT_TYPE_TOKEN_EXCHANGE) return oauthError('unsupported_grant_type', `unsupported grant_type ${field('grant_type')}`);
    if (field('requested_token_type') !== TOKEN_TYPE_ACCESS) return oauthError('invalid_request', `unsupported requested_token_type ${field('requested_token_type')}`);
    if (field('subject_token_type') !== TOKEN_TYPE_ID) return oauthError('invalid_request', `unsupported subject_token_type ${field('subject_token_type')}`);
    const linked = rt.world.federatedTokens.get(field('subject_token'));
    if (linked === undefined) return oauthError('invalid_grant', 'subject token is not accepted by any federation', 'UNAUTHENTICATED');
    if (linked !== field('audience') || !rt.world.serviceAccounts.has(linked)) {
      return oauthError('invalid_grant', `no federated credential links this subject to service account ${field('audience')}`, 'PERMISSION_DENIED');
    }
    const { token } = rt.world.issueIamToken(linked, IAM_TOKEN_TTL_MS);
    return json(200, 'OK', { access_token: token, token_type: 'Bearer', expires_in: 43200 });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = new Date();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    const form = new URLSearchParams(body);
    const method: MethodName = `HTTP ${req.method ?? 'GET'} ${url.pathname}`;
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) metadata[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;

    let reply: Reply;
    const route = HTTP_METHODS.includes(method) ? method : undefined;
    const fault = route === undefined ? undefined : rt.faults.take(route);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'error') {
      reply = json(HTTP_STATUS[fault.code], fault.code, { error: fault.code.toLowerCase(), error_description: fault.message ?? defaultFaultMessage(fault.code) });
    } else if (route === HTTP_METHODS[0]) reply = metadataTokenReply(req);
    else if (route === HTTP_METHODS[1]) reply = folderReply(req);
    else if (route === HTTP_METHODS[2]) reply = exchangeReply(req, form);
    else if ([METADATA_TOKEN_PATH, METADATA_FOLDER_PATH, TOKEN_EXCHANGE_PATH].includes(url.pathname)) reply = text(405, 'UNIMPLEMENTED', 'Method not allowed\n');
    else reply = text(404, 'NOT_FOUND', 'Not found\n');
    if (fault?.kind === 'lost-answer') reply = text(503, 'UNAVAILABLE', 'upstream connect error\n');

    const request = req.method === 'POST' ? Object.fromEntries(form) : Object.fromEntries(url.searchParams);
    rt.journal.push({ method, path: method, request, metadata, status: reply.journalStatus, at, httpStatus: reply.status });
    if (reply.status >= 400 && rt.hostile && (rt.hostile.errorText || rt.hostile.errorBytes !== undefined)) reply = hostileReply(reply, rt.hostile);
    res.writeHead(reply.status, { 'content-type': reply.contentType, 'metadata-flavor': 'Google' });
    res.end(reply.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator bug: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { server, url: `http://${hostPart}:${addr.port}` };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

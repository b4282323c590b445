import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveCredential } from '../../src/auth/chain.js';
import { METADATA_TIMEOUT_MS, lookupMetadata, metadataBaseUrl } from '../../src/auth/metadata.js';
import { ENV } from '../../src/config/env.js';
import { AuthError, UsageError } from '../../src/errors.js';
import { FIXED_NOW, fakeAuthDeps, startBlackHole, startLoopbackHttp } from '../helpers/auth-deps.js';

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
const FOLDER_PATH = '/computeMetadata/v1/yandex/folder-id';

/** A metadata service that, like the real one, answers only requests carrying Metadata-Flavor: Google. */
function metadataLike(folder: 'answer' | 'hang' = 'answer') {
  return startLoopbackHttp((req, res) => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403).end('Metadata-Flavor header required');
    } else if (req.url === TOKEN_PATH) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'vm-iam-token', expires_in: 39944, token_type: 'Bearer' }));
    } else if (req.url === FOLDER_PATH) {
      if (folder === 'answer') res.end('b1gvmfolder\n');
    } else {
      res.writeHead(404).end();
    }
  });
}

test('reads the token with Metadata-Flavor: Google, and the folder as the default', async (t) => {
  const server = await metadataLike();
  t.after(() => server.close());
  const auth = await resolveCredential({}, fakeAuthDeps({ env: { [ENV.metadataAddr]: server.addr } }));
  assert.deepEqual(auth.credential, {
    kind: 'iam-token',
    source: 'metadata',
    token: 'vm-iam-token',
    expiresAt: new Date(FIXED_NOW.getTime() + 39944 * 1000),
  });
  assert.deepEqual(auth.defaults, { folderId: 'b1gvmfolder', source: 'metadata' });
  assert.equal(auth.tried.at(-1), `metadata service (${server.addr})`);
  assert.ok(server.requests.length >= 2);
  for (const r of server.requests) {
    assert.equal(r.method, 'GET');
    assert.equal(r.headers['metadata-flavor'], 'Google');
  }
  assert.deepEqual(server.requests.map((r) => r.url).sort(), [TOKEN_PATH, FOLDER_PATH].sort());
});

test('a service without our header gets a 403 from the fake, proving the fake enforces it', async (t) => {
  const server = await metadataLike();
  t.after(() => server.close());
  const res = await fetch(`http://${server.addr}${TOKEN_PATH}`);
  assert.equal(res.status, 403);
});

test('a closed port counts as absent: refused, not waited for', async () => {
  const lookup = await lookupMetadata(fakeAuthDeps());
  assert.deepEqual(lookup, { found: false, reason: 'connection refused', answered: false });
});

test('a server that accepts and never answers is given up within about 1 s', async (t) => {
  const hole = await startBlackHole();
  t.after(() => hole.close());
  const started = Date.now();
  const lookup = await lookupMetadata(fakeAuthDeps({ env: { [ENV.metadataAddr]: hole.addr } }));
  const elapsed = Date.now() - started;
  assert.deepEqual(lookup, { found: false, reason: 'no answer within 1 s', answered: false });
  assert.ok(elapsed >= METADATA_TIMEOUT_MS - 50 && elapsed < 1200, `took ${elapsed} ms`);
});

test('a folder lookup that hangs does not stretch the 1 s budget or lose the token', async (t) => {
  const server = await metadataLike('hang');
  t.after(() => server.close());
  const started = Date.now();
  const lookup = await lookupMetadata(fakeAuthDeps({ env: { [ENV.metadataAddr]: server.addr } }));
  assert.ok(Date.now() - started < 1200);
  assert.equal(lookup.found && lookup.folderId, undefined);
  assert.equal(lookup.found && lookup.credential.kind === 'iam-token' && lookup.credential.token, 'vm-iam-token');
});

test('no service account attached (404) is absent, with a note', async (t) => {
  const server = await startLoopbackHttp((_req, res) => void res.writeHead(404).end('not found'));
  t.after(() => server.close());
  const err = await resolveCredential({}, fakeAuthDeps({ env: { [ENV.metadataAddr]: server.addr } })).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError && err.code === 'no_credential');
  assert.ok(err.hints.some((h) => h.includes('no service account is attached')));
});

test('an answer without access_token is absent', async (t) => {
  const server = await startLoopbackHttp((_req, res) => void res.end('{"token_type":"Bearer"}'));
  t.after(() => server.close());
  const lookup = await lookupMetadata(fakeAuthDeps({ env: { [ENV.metadataAddr]: server.addr } }));
  assert.deepEqual(lookup, { found: false, reason: 'answered without an access_token', answered: true });
});

test('YC_METADATA_ADDR takes host[:port] or an http:// origin; anything else is a usage error', () => {
  const base = (addr: string | undefined) => metadataBaseUrl(fakeAuthDeps({ env: { [ENV.metadataAddr]: addr } })).href;
  assert.equal(base(undefined), 'http://169.254.169.254/');
  assert.equal(base('127.0.0.1:8080'), 'http://127.0.0.1:8080/');
  assert.equal(base('http://[::1]:8080'), 'http://[::1]:8080/');
  assert.throws(() => base('https://example.test'), UsageError);
  assert.throws(() => base('host:notaport'), UsageError);
  assert.throws(() => base('127.0.0.1/some/path'), UsageError);
});

test('a process that found nothing exits promptly: the metadata probe leaves no handle behind', async (t) => {
  const hole = await startBlackHole();
  t.after(() => hole.close());
  const metadataModule = fileURLToPath(new URL('../../src/auth/metadata.ts', import.meta.url));
  const script = `
    const { lookupMetadata } = await import(${JSON.stringify(metadataModule)});
    const r = await lookupMetadata({ env: { ${JSON.stringify(ENV.metadataAddr)}: ${JSON.stringify(hole.addr)} }, now: () => new Date() });
    console.log(JSON.stringify(r));`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const elapsed = Date.now() - started;
  assert.equal(code, 0);
  assert.match(out, /no answer within 1 s/);
  // Startup of node + tsx is included; 10 s would mean a socket kept the process alive.
  assert.ok(elapsed < 6000, `child lived ${elapsed} ms`);
});

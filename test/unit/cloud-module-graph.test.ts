/**
 * What loading the cloud layer pulls in (checked on the module graph, not the clock): connect.ts
 * loads only narrow SDK subpaths, never the SDK root, its Session, or the log4js/axios/jsonwebtoken
 * it drags along; the pure modules core may import load no gRPC at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

function loadedAfterImporting(...relative: string[]): string[] {
  const hrefs = relative.map((r) => new URL(r, import.meta.url).href);
  const code = `
    import { createRequire } from 'node:module';
    for (const href of ${JSON.stringify(hrefs)}) await import(href);
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(JSON.stringify(Object.keys(cache)));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

test('connect.ts loads narrow SDK subpaths only: no Session, SDK root, log4js, axios or jsonwebtoken', () => {
  const files = loadedAfterImporting('../../src/cloud/connect.ts');
  assert.ok(files.some((f) => f.includes('@grpc/grpc-js')), 'sanity: gRPC is loaded');
  assert.ok(files.some((f) => f.endsWith('nodejs-sdk/dist/utils/client-factory.js')), 'sanity: the SDK client factory is loaded');
  const forbidden = [
    /nodejs-sdk\/dist\/index\.js$/,
    /nodejs-sdk\/dist\/session\.js$/,
    /nodejs-sdk\/dist\/token-service\//,
    /nodejs-sdk\/dist\/service-endpoints/,
    /nodejs-sdk\/dist\/clients\//,
    /node_modules\/log4js\//,
    /node_modules\/axios\//,
    /node_modules\/jsonwebtoken\//,
    /node_modules\/luxon\//,
  ];
  for (const f of files) for (const re of forbidden) assert.ok(!re.test(f), `loaded ${f}`);
});

test('the pure cloud modules (errors, redact, poller, retry, endpoints, jwt) load no gRPC and no SDK', () => {
  const files = loadedAfterImporting(...['errors', 'redact', 'poller', 'retry', 'endpoints', 'jwt'].map((m) => `../../src/cloud/${m}.ts`));
  const heavy = files.filter((f) => /@grpc|nice-grpc|@yandex-cloud|protobufjs/.test(f));
  assert.deepEqual(heavy, []);
});

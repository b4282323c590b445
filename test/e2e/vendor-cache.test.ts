/**
 * The V8 code cache of dist/vendor/grpc.cjs (src/cloud/vendor.ts), through the built bin against the
 * emulator: on Node 20 the first cloud run writes it to the user's private cache directory, later
 * runs use it without rewriting it, a damaged or foreign cache is replaced and costs nothing but the
 * compile, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. On Node >= 22.1, Node's own compile cache
 * does this job and the CLI writes no cache of its own.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Module from 'node:module';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { ensureBuilt } from '../helpers/build.js';

const BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));
/** Node 22.1+ caches compiled code itself (the bin turns it on); our own cache is for older Node. */
const NODE_CACHES = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

let emu: Emulator;
let ids: DefaultIds;
const homes: string[] = [];

before(async () => {
  await ensureBuilt();
  const seeded = defaultFixture();
  ids = seeded.ids;
  emu = await startEmulator({ fixture: seeded.fixture });
});
after(async () => {
  await emu.stop();
  for (const h of homes) await rm(h, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-cache-home-'));
  homes.push(home);
  return home;
}

/** `whoami`: read-only, and it opens the cloud, so it loads the vendor bundle. */
function whoami(home: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--json'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, AISTUDIO_KEY_CONFIG_DIR: join(home, 'config'), YC_METADATA_ADDR: '127.0.0.1:1', YC_IAM_TOKEN: ids.userIamToken, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

const cacheDir = (home: string): string => join(home, '.cache', 'aistudio-key');
const cacheFiles = (home: string): string[] => {
  try {
    return readdirSync(cacheDir(home)).filter((f) => f.endsWith('.v8cache'));
  } catch {
    return [];
  }
};

test('the first cloud run writes a private code cache; the next run uses it as is', { skip: NODE_CACHES && 'Node caches compiled code itself here' }, async () => {
  const home = newHome();
  assert.equal((await whoami(home)).code, 0);
  const files = cacheFiles(home);
  assert.equal(files.length, 1, `one cache file: ${files.join(', ')}`);
  const file = join(cacheDir(home), files[0] ?? '');
  assert.match(files[0] ?? '', new RegExp(`^grpc-[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8cache$`));
  assert.equal(statSync(cacheDir(home)).mode & 0o777, 0o700, 'the directory is private');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the file is private');
  assert.ok(statSync(file).size > 100_000, 'it holds compiled code');
  const written = statSync(file).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await whoami(home)).code, 0);
  // V8 accepted it: a rejected or missing cache is rewritten at exit.
  assert.equal(statSync(file).mtimeMs, written, 'the second run did not rewrite the cache');
  assert.deepEqual(cacheFiles(home), files);
});

test('a damaged cache is rejected by V8 and replaced; a stale one of another build is removed', { skip: NODE_CACHES && 'Node caches compiled code itself here' }, async () => {
  const home = newHome();
  assert.equal((await whoami(home)).code, 0);
  const [name] = cacheFiles(home);
  assert.ok(name);
  const file = join(cacheDir(home), name);
  writeFileSync(file, Buffer.alloc(4096, 7));
  writeFileSync(join(cacheDir(home), `grpc-0000000000000000-${process.version}-${process.arch}.v8cache`), 'old build');
  const r = await whoami(home);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cacheFiles(home), [name], 'the stale cache is gone');
  assert.ok(statSync(file).size > 100_000, 'the damaged cache was rewritten');
});

test('NODE_DISABLE_COMPILE_CACHE=1 writes no cache; an unwritable cache directory costs nothing', async () => {
  const home = newHome();
  assert.equal((await whoami(home, { NODE_DISABLE_COMPILE_CACHE: '1' })).code, 0);
  assert.deepEqual(cacheFiles(home), []);
  const blocked = newHome();
  writeFileSync(join(blocked, '.cache'), 'a file where the directory would go');
  const r = await whoami(blocked);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('on Node with its own compile cache, the CLI writes none of its own', { skip: !NODE_CACHES && 'this Node has no compile cache of its own' }, async () => {
  const home = newHome();
  assert.equal((await whoami(home)).code, 0);
  assert.deepEqual(cacheFiles(home), []);
});

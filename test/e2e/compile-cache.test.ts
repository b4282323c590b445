/**
 * Node's compile cache through the built bin (Node >= 22.1; older Node has none and the bin skips
 * it): it goes to the user's private directory, never to Node's shared default under $TMPDIR, and a
 * planted directory anyone could have written is left alone while the run still works.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../helpers/build.js';

const BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));
const NODE_CACHES = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const skip = !NODE_CACHES && `Node ${process.version} has no compile cache`;

const roots: string[] = [];
before(async () => {
  if (NODE_CACHES) await ensureBuilt();
});
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** `--help` through the bin with a fresh HOME and TMPDIR (help.cjs is compiled after the cache is on). */
function run(setUp: (home: string) => void = () => undefined): { home: string; tmp: string } {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-cc-home-'));
  const tmp = mkdtempSync(join(tmpdir(), 'aistudio-cc-tmp-'));
  roots.push(home, tmp);
  setUp(home);
  const r = spawnSync(process.execPath, [BIN, '--help'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: aistudio-key/);
  assert.deepEqual(readdirSync(tmp), [], 'nothing in $TMPDIR');
  return { home, tmp };
}

const cacheDir = (home: string): string => join(home, '.cache', 'aistudio-key', 'compile-cache');

test('the compile cache is written to ~/.cache/aistudio-key/compile-cache, 0700, not under $TMPDIR', { skip }, () => {
  const { home } = run();
  assert.equal(lstatSync(cacheDir(home)).mode & 0o777, 0o700);
  assert.ok(readdirSync(cacheDir(home)).length > 0, 'Node wrote its cache there');
});

test('a planted world-writable cache directory is not used, and the run still works', { skip }, () => {
  const { home } = run((h) => {
    mkdirSync(cacheDir(h), { recursive: true });
    chmodSync(cacheDir(h), 0o777);
  });
  assert.deepEqual(readdirSync(cacheDir(home)), []);
});

test('a symlinked cache directory is not used', { skip }, () => {
  let target = '';
  run((h) => {
    target = join(h, 'elsewhere');
    mkdirSync(target);
    mkdirSync(join(h, '.cache'), { recursive: true });
    symlinkSync(target, join(h, '.cache', 'aistudio-key'));
  });
  assert.deepEqual(readdirSync(target), []);
});

test('NODE_DISABLE_COMPILE_CACHE=1 writes no cache', { skip }, () => {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-cc-home-'));
  roots.push(home);
  const r = spawnSync(process.execPath, [BIN, '--help'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.throws(() => readdirSync(join(home, '.cache')), /ENOENT/);
});

/**
 * bin/compile-cache.js: the directory Node's compile cache may use. Compiled code in it is run as is,
 * so a directory anyone else could have written (another user's, group/world-writable, a symlink to
 * somewhere else) is never used, and nothing is created through it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { privateCompileCacheDir } = createRequire(import.meta.url)('../../bin/compile-cache.js') as {
  privateCompileCacheDir(o: { env: Record<string, string | undefined>; homedir: string; uid: number | undefined }): string | undefined;
};

const UID = process.getuid?.() ?? 0;
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'aistudio-compile-cache-'));
  roots.push(h);
  return h;
}

const mode = (p: string): number => lstatSync(p).mode & 0o7777;

test('a fresh home: ~/.cache/aistudio-key/compile-cache is created 0700 (and its parent) and used', () => {
  const h = home();
  const dir = privateCompileCacheDir({ env: {}, homedir: h, uid: UID });
  assert.equal(dir, join(h, '.cache', 'aistudio-key', 'compile-cache'));
  assert.equal(mode(join(h, '.cache', 'aistudio-key')), 0o700);
  assert.equal(mode(dir), 0o700);
  assert.equal(privateCompileCacheDir({ env: {}, homedir: h, uid: UID }), dir, 'used again as it is');
});

test('an absolute XDG_CACHE_HOME is the base; a relative one is ignored', () => {
  const h = home();
  const xdg = join(h, 'xdg');
  assert.equal(privateCompileCacheDir({ env: { XDG_CACHE_HOME: xdg }, homedir: h, uid: UID }), join(xdg, 'aistudio-key', 'compile-cache'));
  assert.equal(privateCompileCacheDir({ env: { XDG_CACHE_HOME: 'rel' }, homedir: h, uid: UID }), join(h, '.cache', 'aistudio-key', 'compile-cache'));
});

for (const where of ['aistudio-key', 'aistudio-key/compile-cache'] as const) {
  test(`a planted ${where} of mode 0777 is not used`, () => {
    const h = home();
    const planted = join(h, '.cache', where);
    mkdirSync(planted, { recursive: true, mode: 0o700 });
    chmodSync(planted, 0o777);
    assert.equal(privateCompileCacheDir({ env: {}, homedir: h, uid: UID }), undefined);
    assert.equal(mode(planted), 0o777, 'left as it was');
    if (where === 'aistudio-key') assert.ok(!existsSync(join(planted, 'compile-cache')), 'nothing created inside it');
  });

  test(`a planted ${where} owned by another user is not used`, () => {
    const h = home();
    const planted = join(h, '.cache', where);
    mkdirSync(planted, { recursive: true, mode: 0o700 });
    // The directory is this process's; the check is asked for another uid, as another user would be.
    assert.equal(privateCompileCacheDir({ env: {}, homedir: h, uid: UID + 1 }), undefined);
  });

  test(`a symlinked ${where} is not used and nothing is created through it`, () => {
    const h = home();
    const target = join(h, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    const link = join(h, '.cache', where);
    mkdirSync(join(link, '..'), { recursive: true, mode: 0o700 });
    symlinkSync(target, link);
    assert.equal(privateCompileCacheDir({ env: {}, homedir: h, uid: UID }), undefined);
    assert.deepEqual(readdirSync(target), []);
  });
}

test('a cache base others can write (not sticky) is not used; a sticky one (like /tmp) is', () => {
  const h = home();
  const shared = join(h, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  assert.equal(privateCompileCacheDir({ env: { XDG_CACHE_HOME: shared }, homedir: h, uid: UID }), undefined);
  assert.ok(!existsSync(join(shared, 'aistudio-key')));
  chmodSync(shared, 0o1777);
  assert.equal(privateCompileCacheDir({ env: { XDG_CACHE_HOME: shared }, homedir: h, uid: UID }), join(shared, 'aistudio-key', 'compile-cache'));
});

test('NODE_DISABLE_COMPILE_CACHE, or no uid to check against, means no cache and nothing created', () => {
  const h = home();
  assert.equal(privateCompileCacheDir({ env: { NODE_DISABLE_COMPILE_CACHE: '1' }, homedir: h, uid: UID }), undefined);
  assert.equal(privateCompileCacheDir({ env: {}, homedir: h, uid: undefined }), undefined);
  assert.ok(!existsSync(join(h, '.cache')));
});

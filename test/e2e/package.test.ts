/**
 * What `npm pack` ships and `npm install <tarball> --omit=dev` installs (issue #12): the package alone
 * (the bundle holds every library, so nothing is declared as a runtime dependency), at most 4 MB,
 * with its LICENSE and the licences of what it bundles, and no file naming the machine that built it.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackage, type InstalledPackage } from '../helpers/installed-package.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

let pkg: InstalledPackage;
before(async () => {
  pkg = await installedPackage();
});

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

test('the package declares no runtime dependencies', () => {
  const manifest = JSON.parse(readFileSync(join(pkg.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']) {
    assert.deepEqual(Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}), [], field);
  }
});

test('the package runs nothing at install time (npm would list it as a package with install scripts)', () => {
  const manifest = JSON.parse(readFileSync(join(pkg.packageDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => manifest.scripts?.[s] !== undefined);
  assert.deepEqual(installScripts, []);
});

test('npm install --omit=dev installs this package alone, at most 4 MB', () => {
  const installed = readdirSync(join(pkg.prefix, 'node_modules')).filter((n) => !n.startsWith('.'));
  assert.deepEqual(installed, ['aistudio-key']);
  const bytes = sizeOf(join(pkg.prefix, 'node_modules'));
  assert.ok(bytes <= 4 * 1024 * 1024, `${(bytes / 1024 / 1024).toFixed(2)} MB installed`);
});

test('every file of the installed bundle loads where no node_modules holds anything but this package', () => {
  const dist = join(pkg.packageDir, 'dist');
  const files = [...readdirSync(join(dist, 'chunks')).map((f) => join(dist, 'chunks', f)), join(dist, 'cli.js'), join(dist, 'help.cjs'), ...readdirSync(join(dist, 'vendor')).map((f) => join(dist, 'vendor', f))]
    .filter((f) => /\.(c?js)$/.test(f));
  assert.ok(files.length > 10, `${files.length} files`);
  // One process imports them all (ES modules by import(), CommonJS by require) and reports each failure.
  const script = `
    const { createRequire } = require('node:module');
    const { pathToFileURL } = require('node:url');
    const req = createRequire(process.cwd() + '/');
    (async () => {
      const failed = [];
      for (const f of JSON.parse(process.argv[1])) {
        try { f.endsWith('.cjs') ? req(f) : await import(pathToFileURL(f).href); } catch (e) { failed.push(f + ': ' + e.message); }
      }
      process.stdout.write(JSON.stringify(failed));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(files)], { cwd: pkg.prefix, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: pkg.prefix } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('the tarball holds LICENSE (MIT) and the licences of the bundled packages; no source maps or metafile', () => {
  const listing = spawnSync('tar', ['-tzf', pkg.tarball], { encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const files = listing.stdout.trim().split('\n');
  assert.ok(files.includes('package/LICENSE'));
  assert.ok(files.includes('package/dist/THIRD-PARTY-LICENSES.txt'));
  assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.endsWith('meta.json')), []);
  const licence = readFileSync(join(pkg.packageDir, 'LICENSE'), 'utf8');
  assert.match(licence, /^MIT License/);
  assert.match(licence, /Copyright \(c\) \d{4} aistudio-key contributors/);
  const notices = readFileSync(join(pkg.packageDir, 'dist', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
  for (const bundled of ['@grpc/grpc-js', '@yandex-cloud/nodejs-sdk', 'commander', 'yaml', 'zod', 'ora', 'chalk']) assert.match(notices, new RegExp(`^${bundled}@\\d`, 'm'), bundled);
});

test('no file in the tarball names a path of the build machine', () => {
  const contents = spawnSync('tar', ['-xzOf', pkg.tarball], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(contents.status, 0, String(contents.stderr));
  assert.ok(contents.stdout.length > 100_000, 'the tarball was read');
  assert.equal(contents.stdout.indexOf(ROOT), -1, `the tarball holds ${ROOT}`);
});

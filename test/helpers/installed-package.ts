/**
 * The package as a user installs it: `npm pack`, then `npm install <tarball> --omit=dev` into a
 * temporary prefix. installedPackage() does that once per build and hands every test file the same
 * install: the directory is named by a hash of what gets packed (package.json, bin/, dist/), so the
 * test files of one `npm test` (separate processes, run side by side) share it, the first one to
 * get there installs while the others wait on a lock directory, and a rebuilt dist/ gets a fresh one.
 *
 * `npm pack --ignore-scripts`: packing would otherwise run `prepack` (the build), rewriting dist/
 * under the feet of tests running at the same time; `npm test` has built it already (pretest).
 * npm runs without the npm_* variables of the `npm test` that started us, so nothing of that
 * run's configuration reaches the install.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build.js';
import { nodePath } from './run-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = 'aistudio-key-installed-';

export interface InstalledPackage {
  /** The installed bin: <prefix>/node_modules/.bin/aistudio-key, a symlink as npm makes it. */
  bin: string;
  /** The install prefix (`npm install --prefix`). */
  prefix: string;
  /** The package's own directory: <prefix>/node_modules/aistudio-key. */
  packageDir: string;
  /** The tarball `npm pack` made. */
  tarball: string;
  /** The hash the install is cached under. */
  hash: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

function packedContentHash(): string {
  const hash = createHash('sha256');
  for (const file of [join(ROOT, 'package.json'), join(ROOT, 'LICENSE'), ...filesUnder(join(ROOT, 'bin')), ...filesUnder(join(ROOT, 'dist'))].sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** npm with a clean environment: no npm_* settings inherited from the `npm test` around us. */
function npm(args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  env.PATH = nodePath();
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}

function describe(dir: string, hash: string, tarball: string): InstalledPackage {
  const prefix = join(dir, 'prefix');
  return { bin: join(prefix, 'node_modules', '.bin', 'aistudio-key'), prefix, packageDir: join(prefix, 'node_modules', 'aistudio-key'), tarball, hash };
}

async function packAndInstall(dir: string, hash: string): Promise<InstalledPackage> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string }>;
  const filename = packed[0]?.filename;
  if (!filename) throw new Error('npm pack reported no tarball');
  const tarball = join(dir, filename);
  await npm(['install', tarball, '--omit=dev', '--prefix', join(dir, 'prefix'), '--no-audit', '--no-fund', '--loglevel=error'], dir);
  const installed = describe(dir, hash, tarball);
  if (!existsSync(installed.bin)) throw new Error(`npm install made no ${installed.bin}`);
  writeFileSync(join(dir, 'ready.json'), JSON.stringify({ tarball }));
  return installed;
}

/** Installs of other builds that no run has used for 6 hours are removed (each use touches its directory). */
function removeOldInstalls(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || path === keep || path === `${keep}.lock`) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 6 * 3600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run is removing it, or it is not ours to remove.
    }
  }
}

let installing: Promise<InstalledPackage> | undefined;

/** The packed and installed package for the current build (built first when stale). */
export function installedPackage(): Promise<InstalledPackage> {
  installing ??= (async () => {
    await ensureBuilt();
    const hash = packedContentHash();
    const dir = join(tmpdir(), `${PREFIX}${hash}`);
    const ready = (): InstalledPackage | undefined => {
      const file = join(dir, 'ready.json');
      return existsSync(file) ? describe(dir, hash, (JSON.parse(readFileSync(file, 'utf8')) as { tarball: string }).tarball) : undefined;
    };
    const lock = `${dir}.lock`;
    for (const deadline = Date.now() + 300_000; ; ) {
      const done = ready();
      if (done) {
        // In use: another checkout's run on this machine must not remove it as left over.
        utimesSync(dir, new Date(), new Date());
        return done;
      }
      try {
        mkdirSync(lock);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
        // A lock older than the longest install is left over from a killed run.
        const held = statSync(lock, { throwIfNoEntry: false });
        if (held && Date.now() - held.mtimeMs > 240_000) rmSync(lock, { recursive: true, force: true });
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      try {
        return ready() ?? (await packAndInstall(dir, hash));
      } finally {
        rmSync(lock, { recursive: true, force: true });
        removeOldInstalls(dir);
      }
    }
  })();
  return installing;
}

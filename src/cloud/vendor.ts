/**
 * Loads dist/vendor/grpc.cjs, the bundle of gRPC and the SDK's files we use (test/tools/build.mjs
 * routes src/cloud/sdk.ts's and lockbox.ts's package imports here; unbundled, under tsx, this
 * module is never reached). It is CommonJS so that it can go through a V8 code cache.
 *
 * Why a code cache (issue #8): compiling ~540 KB of gRPC and generated protobuf code is ~30 ms of
 * every cloud command's start-up on this machine. Node >= 22.1 caches compiled code itself
 * (module.enableCompileCache(), which the bin turns on): there the bundle is simply required.
 * Node 20 has no such switch, so this does what it does, for this one file: compile through
 * vm.Script with the cached data of an earlier run, and after a run that compiled afresh, write
 * the new cache (at exit, when the functions that ran are compiled too). Measured here: loading
 * the bundle 87 -> 63 ms (medians of 15).
 *
 * The cache is V8's own format, checked by V8 against the source and its version and flags, and
 * rejected (then rebuilt) when they differ; its file name carries a hash of the bundle. It lives in the user's private cache directory
 * ($XDG_CACHE_HOME or ~/.cache, then aistudio-key/, mode 0700; files 0600, written atomically),
 * never in a shared temporary directory: compiled code is trusted as is. Any failure to read or
 * write it only costs the compile. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's.
 *
 * The module is entered into require's cache under its file name, as Node would, so tools that
 * inspect the CommonJS cache (test/bench/record-modules.mjs) see it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** The bundle's exports: one lazy getter per package subpath (see test/tools/build.mjs). */
export type VendorModules = Readonly<Record<string, unknown>>;

let loaded: VendorModules | undefined;

const CACHE_PREFIX = 'grpc-';

function bundlePath(): string {
  // This module sits in dist/chunks/ once bundled; dist/vendor/ is its sibling.
  return fileURLToPath(new URL('../vendor/grpc.cjs', import.meta.url));
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'aistudio-key');
}

/** The vendor bundle's exports, loaded once. */
export function vendorModules(): VendorModules {
  if (loaded) return loaded;
  const file = bundlePath();
  const requireFromBundle = createRequire(file);
  // Process-level machinery like deps.ts's guards: the environment is read here, not through Deps.
  // eslint-disable-next-line no-restricted-properties
  const env = process.env;
  const nodeCaches = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  if (nodeCaches || env.NODE_DISABLE_COMPILE_CACHE) return (loaded = requireFromBundle(file) as VendorModules);

  const source = readFileSync(file, 'utf8');
  // V8 checks a cache against the source's length, not its content: the name carries a hash of the
  // content (~1 ms), so a cache never outlives the bundle it was made from.
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = cacheDir(env);
  const cacheFile = join(dir, `${CACHE_PREFIX}${hash}-${process.version}-${process.arch}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, requireFromBundle, mod, file, dirname(file));
  mod.loaded = true;
  requireFromBundle.cache[file] = mod;
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At exit the functions that ran are compiled as well, so the next start finds them cached.
    process.once('exit', () => writeCache(dir, cacheFile, () => script.createCachedData()));
  }
  return (loaded = mod.exports as VendorModules);
}

/** Writes the cache atomically and removes the caches of other builds or Node versions. */
function writeCache(dir: string, cacheFile: string, data: () => Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      if (name.startsWith(CACHE_PREFIX) && name.endsWith('.v8cache') && join(dir, name) !== cacheFile) rmSync(join(dir, name), { force: true });
    }
    const temp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, data(), { mode: 0o600 });
      renameSync(temp, cacheFile);
    } finally {
      rmSync(temp, { force: true });
    }
  } catch {
    // A read-only or missing home only costs the compile next time.
  }
}

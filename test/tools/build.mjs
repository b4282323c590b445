/**
 * `npm run build`: bundles src/ into dist/ with esbuild (issue #8, start-up time).
 *
 *   node test/tools/build.mjs [--outdir dist]
 *   BUILD_NO_MINIFY=1 node test/tools/build.mjs --outdir /tmp/x   # readable names, for CPU profiles
 *
 * Why a bundle: unbundled, `create` loaded ~340 files (zod 95, grpc-js 65, nice-grpc 37, …), and
 * resolving, reading and compiling them one by one was most of its start-up. Bundled it loads a few
 * chunks. Type-checking stays with tsc (`npm run typecheck`); esbuild only strips types.
 *
 * - dist/cli.js, the program (src/cli.ts): ESM with code splitting, so every `await import()` in
 *   src/ becomes a chunk loaded on use: the gRPC/SDK chunk loads only when a command opens the
 *   cloud, and `create --dry-run` never loads it.
 * - dist/help.cjs, the help fast path (src/help.ts): one CommonJS file, so that the bin (CommonJS
 *   too) answers `--help` without starting Node's ES module loader (~8 ms here).
 * - dist/meta.json is esbuild's metafile: which source files each output holds.
 *   test/unit/startup-graph.test.ts maps the files a run loaded back to sources through it.
 * - `require` is defined in the chunks (createRequire) for the CommonJS packages inside them that
 *   call it at run time (protobufjs looks up optional modules that way).
 * - keepNames: classes keep their names (commander and our errors compare `error.name`).
 * - Two path rewrites, both only inside the bundle:
 *   - src/help.ts imports `Help` from commander; the bundle takes commander's lib/help.js alone
 *     (the package's exports map hides it from Node, not from the bundler), so help does not
 *     load the rest of commander.
 *   - zod's `locales` namespace (40 languages, ~500 KB) is reduced to English, the only one zod
 *     itself uses by default and the only one we use.
 * - dist/vendor/grpc.cjs: gRPC and the SDK, CommonJS, loaded by src/cloud/vendor.ts (see below).
 * - @grpc/proto-loader stays external (see below): only grpc-js's server-side code requires it.
 * - The version is inlined from package.json (src/deps.ts reads the file when run unbundled).
 */
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = join(ROOT, values.outdir ?? 'dist');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const require = createRequire(join(ROOT, 'package.json'));

/** commander's Help class alone, for src/help.ts. */
const commanderHelpOnly = {
  name: 'commander-help-only',
  setup(b) {
    const helpFile = join(require.resolve('commander'), '..', 'lib', 'help.js');
    b.onResolve({ filter: /^commander$/ }, (args) => (args.importer.endsWith(join('src', 'help.ts')) ? { path: helpFile } : undefined));
  },
};

/** zod's locales namespace with English only. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(args.resolveDir, args.path), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(args.path, '..', 'en.js'))};\n`,
      resolveDir: join(args.path, '..'),
    }));
  },
};

/**
 * gRPC and the SDK go into their own CommonJS bundle, dist/vendor/grpc.cjs, which src/cloud/vendor.ts
 * loads. The packages src/cloud/sdk.ts
 * and lockbox.ts import are read from their import lines; in the program bundle each becomes a
 * module that takes its exports from the vendor bundle, where every package is a lazy getter (a
 * package is initialised on first use: Lockbox's files only when Lockbox is used).
 */
const VENDOR_IMPORTERS = ['src/cloud/sdk.ts', 'src/cloud/lockbox.ts'];
const vendorSpecs = [
  ...new Set(
    VENDOR_IMPORTERS.flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/^import (?!type )[^;]*? from '([^.'][^']*)';$/gm)].map((m) => m[1])),
  ),
].sort();
const vendorEntry = vendorSpecs
  .map((spec) => `Object.defineProperty(exports, ${JSON.stringify(spec)}, { enumerable: true, get: () => require(${JSON.stringify(spec)}) });`)
  .join('\n');
const vendorLoader = join(ROOT, 'src', 'cloud', 'vendor.ts');
const fromVendor = {
  name: 'from-vendor-bundle',
  setup(b) {
    b.onResolve({ filter: /^[^.]/ }, (args) =>
      vendorSpecs.includes(args.path) && VENDOR_IMPORTERS.some((f) => args.importer === join(ROOT, f)) ? { path: args.path, namespace: 'vendor' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(vendorLoader)}).vendorModules()[${JSON.stringify(args.path)}];\n`,
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: !process.env.BUILD_NO_MINIFY,
  keepNames: true,
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'linked',
  define: { __AISTUDIO_KEY_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

rmSync(outdir, { recursive: true, force: true });
const [program, help, vendor] = await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir,
    splitting: true,
    format: 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: "import { createRequire as __aistudioKeyCreateRequire } from 'node:module'; const require = __aistudioKeyCreateRequire(import.meta.url);" },
    plugins: [zodEnglishOnly, fromVendor],
  }),
  build({ ...common, entryPoints: ['src/help.ts'], outfile: join(outdir, 'help.cjs'), format: 'cjs', plugins: [commanderHelpOnly] }),
  build({
    ...common,
    stdin: { contents: vendorEntry, resolveDir: ROOT, sourcefile: 'vendor-entry.cjs', loader: 'js' },
    outfile: join(outdir, 'vendor', 'grpc.cjs'),
    format: 'cjs',
    // grpc-js requires @grpc/proto-loader (and with it all of protobufjs, ~130 KB) only inside the
    // functions that serve channelz and ORCA, server-side features a client never calls. Left
    // external, it is not parsed on every start; if it ever were called, Node would load it from
    // node_modules (it is a dependency of @grpc/grpc-js).
    external: ['@grpc/proto-loader'],
  }),
]);
const parts = [program, help, vendor].map((r) => r.metafile);
const meta = { inputs: Object.assign({}, ...parts.map((m) => m.inputs)), outputs: Object.assign({}, ...parts.map((m) => m.outputs)) };
writeFileSync(join(outdir, 'meta.json'), `${JSON.stringify(meta)}\n`);

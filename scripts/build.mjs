/**
 * `npm run build`: bundles src/ into dist/ with esbuild.
 *
 *   node scripts/build.mjs [--outdir dist]                          # --outdir is relative to the current directory
 *   BUILD_NO_MINIFY=1 node scripts/build.mjs --outdir /tmp/x        # readable names, for CPU profiles
 *
 * Why a bundle: unbundled, `create` loaded ~340 files (zod 95, grpc-js 65, nice-grpc 37, …), and
 * resolving, reading and compiling them one by one was most of its start-up. Bundled it loads a few
 * chunks. Type-checking stays with tsc (`npm run typecheck`); esbuild only strips types.
 *
 * - dist/cli.js, the program (src/cli.ts): ESM with code splitting, so every `await import()` in
 *   src/ becomes a chunk loaded on use: the gRPC/SDK chunk loads only when a command opens the
 *   cloud, and `create --dry-run` never loads it.
 * - dist/help.cjs, the help fast path (src/help.ts): one CommonJS file, so that the bin (CommonJS
 *   too) answers `--help` without starting Node's ES module loader.
 * - dist/meta.json is esbuild's metafile: which source files each output holds.
 *   test/unit/startup-graph.test.ts maps the files a run loaded back to sources through it.
 * - `require` is defined in the chunks (createRequire) for the CommonJS packages inside them that
 *   call it at run time (protobufjs looks up optional modules that way).
 * - keepNames: classes keep their names (commander and our errors compare `error.name`).
 * - Two modules are computed here, not read from src/ (scripts/generated-modules.ts): nothing
 *   generated is committed, and the bundle still registers commands and prints help without
 *   loading any command module:
 *   - src/commands/command-specs.ts becomes each command's spec as data, with a dynamic import of
 *     its module (a chunk loaded only when the command runs);
 *   - src/help-pages.ts becomes the help pages as data, so dist/help.cjs holds no program.
 * - Two path rewrites, both only inside the bundle:
 *   - src/help.ts imports `Help` from commander; the bundle takes commander's lib/help.js alone
 *     (the package's exports map hides it from Node, not from the bundler), so help does not
 *     load the rest of commander.
 *   - zod's `locales` namespace (40 languages, ~500 KB) is reduced to English, the only one zod
 *     itself uses by default and the only one we use.
 * - dist/vendor/grpc.cjs: gRPC and the SDK, CommonJS, loaded by src/cloud/vendor.ts (see below).
 * - @grpc/proto-loader is replaced by a stub (see below): only grpc-js's server-side code requires it.
 * - A dynamic import of a CommonJS package goes through an ES module facade with the names Node
 *   gives (see `cjsDynamicImports`); without it the chunk exports only `default` (esbuild #3245).
 * - The version is inlined from package.json (src/deps.ts reads the file when run unbundled).
 * - What ships (package.json `files`) is the code and dist/THIRD-PARTY-LICENSES.txt, written here
 *   from the packages the bundle holds (their licences ask that the notices travel with the code):
 *   the package has no runtime dependencies. Source maps and dist/meta.json stay in the build tree
 *   for the tests and the bench; every path in them is relative to the repository, so no file
 *   names the machine that built it (test/e2e/installed.test.ts checks the tarball).
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir === undefined ? join(ROOT, 'dist') : resolve(values.outdir);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const require = createRequire(join(ROOT, 'package.json'));

/** A path as the repository names it ('node_modules/x/y.js'), never the build machine's. */
function repoPath(absolute) {
  return relative(ROOT, absolute).split(sep).join('/');
}

/**
 * The modules computed at build time, by their path in src/: the generator runs the TypeScript
 * sources (through tsx, a dev dependency like esbuild) and returns each module's text.
 */
const { tsImport } = await import('tsx/esm/api');
const generator = await tsImport('./generated-modules.ts', import.meta.url);
const GENERATED = {
  [join(ROOT, 'src', 'commands', 'command-specs.ts')]: await generator.commandSpecsModule(),
  [join(ROOT, 'src', 'help-pages.ts')]: generator.helpPagesModule(),
};
const generatedModules = {
  name: 'generated-modules',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => (Object.hasOwn(GENERATED, args.path) ? { contents: GENERATED[args.path], loader: 'ts' } : undefined));
  },
};

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
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: repoPath(join(args.resolveDir, args.path)), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from './en.js';\n`,
      resolveDir: join(ROOT, args.path, '..'),
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
const vendorLoader = './src/cloud/vendor.ts';
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

/**
 * `await import('pkg')` of a CommonJS package, the way Node does it. With code splitting, esbuild
 * makes the package a chunk that exports only `default` (module.exports), so `const { parse } =
 * await import('yaml')` gets undefined (https://github.com/evanw/esbuild/issues/3245) — while the
 * same code works unbundled. Every such import is sent instead to a small ES module that requires
 * the package and exports, besides `default`, each name Node's own `import()` of it gives: the build
 * imports the package itself to learn them. ES module packages are left as they are (esbuild gets
 * those right). The rule is esbuild's, so it is fixed here once for every package, present and
 * future; test/unit/bundle.test.ts checks that no dynamic import in the bundle lands on CommonJS.
 */
const cjsDynamicImports = {
  name: 'cjs-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.path.startsWith('node:')) return undefined;
      const resolved = await b.resolve(args.path, { kind: 'dynamic-import', resolveDir: args.resolveDir, importer: args.importer });
      if (resolved.errors.length > 0 || resolved.external || !isCommonJs(resolved.path)) return undefined;
      return { path: repoPath(resolved.path), namespace: 'cjs-facade', pluginData: { file: resolved.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'cjs-facade' }, async (args) => {
      const names = Object.keys(await import(pathToFileURL(args.pluginData.file).href)).filter(
        (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
      );
      const lines = [`const m = require(${JSON.stringify(`./${args.path}`)});`, 'export default m;'];
      if (names.length > 0) lines.push(`export const { ${names.join(', ')} } = m;`);
      return { contents: `${lines.join('\n')}\n`, resolveDir: ROOT, loader: 'js' };
    });
  },
};

/** Node's rule: .cjs is CommonJS, .mjs is not, a .js file follows the nearest package.json `type`. */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * grpc-js requires @grpc/proto-loader (and with it all of protobufjs, ~130 KB) only inside the
 * functions that serve channelz and ORCA, server-side features a client never calls. It is not
 * bundled, and nothing is installed beside the bundle: this stub stands in, so the bundle has no
 * import that Node would look up in node_modules, and says why if it were ever reached.
 */
const noProtoLoader = {
  name: 'no-proto-loader',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: 'proto-loader', namespace: 'not-bundled' }));
    b.onLoad({ filter: /.*/, namespace: 'not-bundled' }, () => ({
      contents:
        "exports.loadSync = () => { throw new Error('@grpc/proto-loader is not bundled: aistudio-key is a gRPC client and serves no channelz or ORCA'); };\n",
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
    plugins: [generatedModules, zodEnglishOnly, fromVendor, cjsDynamicImports, noProtoLoader],
  }),
  build({ ...common, entryPoints: ['src/help.ts'], outfile: join(outdir, 'help.cjs'), format: 'cjs', plugins: [generatedModules, commanderHelpOnly] }),
  build({
    ...common,
    stdin: { contents: vendorEntry, resolveDir: ROOT, sourcefile: 'vendor-entry.cjs', loader: 'js' },
    outfile: join(outdir, 'vendor', 'grpc.cjs'),
    format: 'cjs',
    plugins: [noProtoLoader],
  }),
]);
const parts = [program, help, vendor].map((r) => r.metafile);
const meta = { inputs: Object.assign({}, ...parts.map((m) => m.inputs)), outputs: Object.assign({}, ...parts.map((m) => m.outputs)) };
writeFileSync(join(outdir, 'meta.json'), `${JSON.stringify(meta)}\n`);

/**
 * dist/THIRD-PARTY-LICENSES.txt: for each package the bundle holds code of (from the metafile), its
 * name, version, licence and licence text. Their licences (MIT, ISC, Apache-2.0, BSD) ask that the
 * notice goes with every copy, and the bundle is a copy.
 */
const packages = new Map();
for (const input of Object.keys(meta.inputs)) {
  const match = /(?:^|:)((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.set(match[1].replace(/^[^:]*:/, ''), undefined);
}
const notices = [...packages.keys()]
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile ? readFileSync(join(ROOT, dir, licenceFile), 'utf8').trim() : `(no licence file; package.json says ${manifest.license})`;
    return { id: `${manifest.name}@${manifest.version}`, text: `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n` };
  })
  .sort((a, b) => a.id.localeCompare(b.id))
  .filter((n, i, all) => i === 0 || all[i - 1].id !== n.id);
writeFileSync(
  join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `aistudio-key bundles code of the packages below; their licences follow.\n\n${notices.map((n) => n.text).join(`\n${'-'.repeat(72)}\n\n`)}`,
);

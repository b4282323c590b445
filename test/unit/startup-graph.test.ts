/**
 * `--version` and `--help` must not load the SDK or gRPC (issue #8), checked on the module graph, not
 * the clock: the CLI runs in a child process under test/bench/record-modules.mjs, which records every
 * module the ESM loader loads (module.register hooks) and every CommonJS module in the require cache.
 * dist/ is a bundle (scripts/build.mjs): each file of dist/ a run loaded is mapped back to the
 * source files it holds through esbuild's metafile (dist/meta.json), so the checks below speak of
 * src/ and node_modules/ files either way. The built bin/ (what users run; `npm test` builds first)
 * and src/ through tsx (catches a new static import even when dist/ is stale) are both checked, and
 * the checker is shown to catch an SDK or gRPC load through `import` and through `require`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECORDER = fileURLToPath(new URL('../bench/record-modules.mjs', import.meta.url));

/** Packages that must not load for --version / --help. */
const FORBIDDEN = /\/node_modules\/(@yandex-cloud\/nodejs-sdk|@grpc\/grpc-js|nice-grpc(?:-[a-z-]+)?|protobufjs|@protobufjs\/[^/]+)\//;

/** src/ entry equivalent to bin/aistudio-key.js, for running under tsx (arguments after `--`). */
const SRC_ENTRY = `
  import { main } from './src/main.ts';
  import { createDeps } from './src/deps.ts';
  process.exitCode = await main(['node', 'aistudio-key', ...process.argv.slice(1)], createDeps());`;

/**
 * Runs `node [pre…] --import recorder <args…>` in the repo root; returns the file URLs it loaded.
 * `mustSucceed: false` for runs expected to fail (the graph is recorded either way).
 */
async function loadedModules(args: string[], opts: { pre?: string[]; env?: Record<string, string>; mustSucceed?: boolean; cwd?: string } = {}): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aistudio-key-graph-'));
  try {
    const file = join(dir, 'modules.txt');
    const env = { PATH: process.env.PATH, HOME: dir, AISTUDIO_KEY_CONFIG_DIR: join(dir, 'config'), RECORD_MODULES_FILE: file, ...opts.env };
    const failure = await new Promise<Error | null>((resolve) => {
      execFile(process.execPath, [...(opts.pre ?? []), '--import', RECORDER, ...args], { cwd: opts.cwd ?? ROOT, env, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve(error ? new Error(`node ${args.join(' ')} failed: ${error.message} ${stderr}`) : null),
      );
    });
    if (failure && opts.mustSucceed !== false) throw failure;
    const urls = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('esm file:') || l.startsWith('cjs file:'))
      .map((l) => l.slice(4));
    return [...new Set(urls)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/**
 * The source files behind loaded URLs: a file of dist/ stands for the inputs esbuild put into it
 * (from `root`/dist/meta.json), as absolute file URLs; anything else stands for itself.
 */
async function sourcesOf(urls: string[], root = ROOT): Promise<string[]> {
  const meta = JSON.parse(await readFile(join(root, 'dist', 'meta.json'), 'utf8')) as Metafile;
  const rootUrl = pathToFileURL(root).href.replace(/\/?$/, '/');
  const out: string[] = [];
  for (const u of urls) {
    const rel = u.startsWith(rootUrl) ? u.slice(rootUrl.length) : undefined;
    const output = rel?.startsWith('dist/') ? meta.outputs[rel] : undefined;
    if (output) for (const input of Object.keys(output.inputs)) out.push(`${rootUrl}${input.replace(/^[a-z-]+:/, '')}`);
    else out.push(u);
  }
  return [...new Set(out)];
}

/** 'commander 8, chalk 4' */
function packageSummary(urls: string[]): string {
  const counts = new Map<string, number>();
  for (const u of urls) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    if (m?.[1]) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  const list = [...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
  return list.length === 0 ? 'no packages' : list.join(', ');
}

function forbiddenIn(urls: string[]): string[] {
  return urls.filter((u) => FORBIDDEN.test(u));
}

/** Packages help must not load either: the runner's zod, the settings writer's conf (and ajv), yc's yaml. */
const HELP_FORBIDDEN = /\/node_modules\/(zod|conf|ajv|yaml)\//;
/** Of src/commands/, help loads only the root's pieces and the generated specs and pages, never a command's definition. */
const HELP_COMMANDS = /\/src\/commands\/(global|options|flag-rules|run-state|command-specs|spec)\.ts$/;

/** What a help run loaded that it should not have: heavy packages, command definitions, the runner. */
function helpExtras(sources: string[]): string[] {
  return sources.filter((u) => HELP_FORBIDDEN.test(u) || (/\/src\/commands\//.test(u) && !HELP_COMMANDS.test(u)));
}

/** All the help fast path may load: src/help.ts, the generated pages, commander's Help class (and the two small files it requires). */
const FAST_HELP = /\/(src\/help\.ts|src\/help-pages\.ts|node_modules\/commander\/lib\/(help|argument|error)\.js)$/;

// Each case is a child process of ~0.1-0.3 s; run them side by side.
describe('start-up module graph', { concurrency: 4 }, () => {
  for (const args of [['--version'], ['--help'], ['create', '--help'], ['help', 'list'], ['create', '-h'], ['help', 'environment'], ['help', 'exit-codes']]) {
    const label = args.join(' ');
    test(`bin: aistudio-key ${label} loads no SDK, gRPC or protobuf`, async (t) => {
      assert.ok(existsSync(join(ROOT, 'dist/meta.json')), 'dist/ is missing: run `npm run build`');
      const urls = await loadedModules(['bin/aistudio-key.js', ...args]);
      assert.ok(urls.some((u) => u.endsWith('/bin/aistudio-key.js')), 'sanity: the recorder saw the bin');
      const sources = await sourcesOf(urls);
      t.diagnostic(`${label}: ${urls.length} files (${sources.length} sources); ${packageSummary(sources)}`);
      assert.deepEqual(forbiddenIn(sources), []);
      if (label === '--version') {
        // The bin's fast path: no module of dist/ and no package at all, not even commander.
        assert.deepEqual(urls.filter((u) => u.includes('/dist/')), []);
        assert.deepEqual(urls.filter((u) => u.includes('/node_modules/')), []);
      } else {
        // The help fast path: dist/help.cjs alone, which holds the pages and commander's Help class only.
        assert.deepEqual(urls.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/'))), ['/dist/help.cjs']);
        assert.ok(sources.some((u) => u.endsWith('/src/help.ts')), 'sanity: the sources of dist/help.cjs are known');
        // bin/compile-cache.js is the shim's own (Node >= 22.1 only): where the compile cache may live.
        const BIN = /\/bin\/(aistudio-key|compile-cache)\.js$/;
        assert.deepEqual(sources.filter((u) => !BIN.test(u) && !u.endsWith('/package.json') && !FAST_HELP.test(u)), []);
      }
    });
  }

  test('bin: help through commander (`--debug create --help`, not the fast path) loads no SDK, zod, conf, yaml or command definition', async (t) => {
    const urls = await loadedModules(['bin/aistudio-key.js', '--debug', 'create', '--help']);
    const sources = await sourcesOf(urls);
    t.diagnostic(`${urls.length} files (${sources.length} sources); ${packageSummary(sources)}`);
    assert.ok(sources.some((u) => u.endsWith('/src/program.ts')), 'sanity: commander built the program');
    assert.deepEqual(forbiddenIn(sources), []);
    assert.deepEqual(helpExtras(sources), []);
  });

  // src/ through tsx: catches a new static import of the SDK even when dist/ is stale. (Unbundled,
  // the command specs are derived from the definitions, so every command loads; what help loads
  // besides is checked on the bundle above, where the specs are data.)
  for (const args of [['--version'], ['create', '--help']]) {
    test(`src (tsx): aistudio-key ${args.join(' ')} loads no SDK, gRPC or protobuf`, async () => {
      const urls = await loadedModules(['--input-type=module', '-e', SRC_ENTRY, '--', ...args], { pre: ['--import', 'tsx'] });
      assert.ok(urls.some((u) => u.endsWith('/src/main.ts')), 'sanity: the recorder saw src/main.ts');
      assert.deepEqual(forbiddenIn(urls), []);
    });
  }

  test('the check catches the SDK loaded through import (and the gRPC it pulls in)', async () => {
    const urls = await loadedModules(['--input-type=module', '-e', `import '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';`]);
    assert.ok(forbiddenIn(urls).some((u) => u.includes('/@yandex-cloud/nodejs-sdk/')), 'an imported SDK module is flagged');
    assert.ok(forbiddenIn(urls).some((u) => u.includes('/@grpc/grpc-js/')), 'its gRPC dependency is flagged');
  });

  test('the check catches nice-grpc loaded through require (the way src/cloud/sdk.ts loads it)', async () => {
    const code = `import { createRequire } from 'node:module'; createRequire(process.cwd() + '/x.js')('nice-grpc');`;
    const urls = await loadedModules(['--input-type=module', '-e', code]);
    assert.ok(forbiddenIn(urls).some((u) => u.includes('/nice-grpc/')), 'a required nice-grpc is flagged');
    assert.ok(forbiddenIn(urls).some((u) => u.includes('/@grpc/grpc-js/')), 'and the gRPC it requires');
  });

  test('the check flags a CLI whose --version path imports the cloud layer (a deliberately broken copy of bin/ and dist/)', async () => {
    assert.ok(existsSync(join(ROOT, 'dist/meta.json')), 'dist/ is missing: run `npm run build`');
    const copy = await mkdtemp(join(tmpdir(), 'aistudio-key-broken-'));
    try {
      for (const part of ['bin', 'dist', 'package.json']) await cp(join(ROOT, part), join(copy, part), { recursive: true });
      await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
      // The chunk holding src/cloud/connect.ts, imported by the bin's --version fast path.
      const meta = JSON.parse(await readFile(join(ROOT, 'dist', 'meta.json'), 'utf8')) as Metafile;
      const chunk = Object.keys(meta.outputs).find((o) => o.endsWith('.js') && 'src/cloud/connect.ts' in (meta.outputs[o]?.inputs ?? {}));
      assert.ok(chunk, 'sanity: some chunk holds src/cloud/connect.ts');
      const bin = join(copy, 'bin/aistudio-key.js');
      const text = await readFile(bin, 'utf8');
      const shebang = text.startsWith('#!') ? text.slice(0, text.indexOf('\n') + 1) : '';
      await writeFile(bin, `${shebang}import('../${chunk}');\n${text.slice(shebang.length)}`);
      const urls = await loadedModules(['bin/aistudio-key.js', '--version'], { cwd: copy });
      const sources = await sourcesOf(urls, copy);
      assert.ok(sources.some((u) => u.endsWith('/src/cloud/connect.ts')), 'sanity: the broken copy ran');
      assert.ok(forbiddenIn(sources).some((u) => u.includes('/@yandex-cloud/nodejs-sdk/')), 'the SDK is flagged');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  test('the help check flags a command definition and zod (create --dry-run loads both)', async () => {
    const urls = await loadedModules(['bin/aistudio-key.js', 'create', '--dry-run', '--folder-id', 'b1g0123456789abcdefg', '--endpoint', '127.0.0.1:1', '--retries', '0'], {
      env: { YC_IAM_TOKEN: `t1.${'a'.repeat(40)}`, YC_METADATA_ADDR: '127.0.0.1:1' },
      mustSucceed: false,
    });
    const extras = helpExtras(await sourcesOf(urls));
    assert.ok(extras.some((u) => u.endsWith('/src/commands/create.ts')), 'the create definition is flagged');
    assert.ok(extras.some((u) => u.includes('/node_modules/zod/')), 'zod is flagged');
    assert.ok(!extras.some((u) => u.includes('/node_modules/yaml/')), 'no yc config here, so yaml is not loaded');
  });

  test('age-encryption (--encrypt-to) loads only when asked for: not for a plain create, and it is in the bundle when it is', async () => {
    const AGE = /\/node_modules\/(age-encryption|@noble\/[^/]+|@scure\/base)\//;
    const run = async (extra: string[]): Promise<string[]> =>
      sourcesOf(
        await loadedModules(['bin/aistudio-key.js', 'create', '--dry-run', '--folder-id', 'b1g0123456789abcdefg', '--endpoint', '127.0.0.1:1', '--retries', '0', ...extra], {
          env: { YC_IAM_TOKEN: `t1.${'a'.repeat(40)}`, YC_METADATA_ADDR: '127.0.0.1:1' },
          mustSucceed: false,
        }),
      );
    const plain = await run([]);
    assert.ok(plain.some((u) => u.endsWith('/src/commands/create.ts')), 'sanity: create ran');
    assert.deepEqual(plain.filter((u) => AGE.test(u)), [], 'src/core/seal.ts may load (its shape check); the package may not');
    const sealed = await run(['--encrypt-to', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p']);
    assert.ok(sealed.some((u) => u.includes('/node_modules/age-encryption/')), 'age-encryption loaded, from the bundle');
  });

  test('the check sees the cloud layer when the CLI does load it (create connecting to a closed port)', async () => {
    const urls = await loadedModules(
      ['bin/aistudio-key.js', 'create', '--folder-id', 'b1g0123456789abcdefg', '--endpoint', '127.0.0.1:1', '--retries', '0', '--json'],
      { env: { YC_IAM_TOKEN: `t1.${'a'.repeat(40)}`, YC_METADATA_ADDR: '127.0.0.1:1' }, mustSucceed: false },
    );
    const sources = await sourcesOf(urls);
    assert.ok(forbiddenIn(sources).length > 0, 'create loads the SDK, and the check sees it');
    // What the bundle took of the SDK: narrow subpaths, never its root, Session, or what they drag along.
    // (Lockbox's generated files are in dist/vendor/grpc.cjs, initialised only on first use.)
    const unwanted = [
      /nodejs-sdk\/dist\/index\.js$/,
      /nodejs-sdk\/dist\/session\.js$/,
      /nodejs-sdk\/dist\/token-service\//,
      /nodejs-sdk\/dist\/clients\//,
      /\/node_modules\/(log4js|axios|jsonwebtoken|luxon)\//,
    ];
    assert.deepEqual(sources.filter((u) => unwanted.some((re) => re.test(u))), []);
    assert.ok(sources.some((u) => u.endsWith('nodejs-sdk/dist/utils/client-factory.js')), 'sanity: the SDK client factory is in');
  });
});

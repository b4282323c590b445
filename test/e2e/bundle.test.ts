/**
 * The bundle is a different program from the sources (issue #12): these checks read what esbuild
 * built (dist/meta.json, its metafile) and load the built chunks themselves.
 *
 * - A dynamic `import()` of a package gives, in the bundle, the same names as Node's own import of
 *   that package (esbuild #3245: a CommonJS package split into a chunk exported only `default`, so
 *   `const { parse } = await import('yaml')` was undefined in the shipped CLI). Checked for every
 *   package the sources import lazily, present or future.
 * - Nothing the bundle imports is left for Node to find in node_modules: the package has no runtime
 *   dependencies, so every import the bundle keeps is a Node built-in.
 * - The metafile names no path of the build machine.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt } from '../helpers/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Metafile {
  inputs: Record<string, { format?: 'cjs' | 'esm'; imports: Array<{ path: string; kind: string; original?: string; external?: boolean }> }>;
  outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string; external?: boolean }> }>;
}

let meta: Metafile;
let metaText: string;

before(async () => {
  await ensureBuilt();
  metaText = await readFile(join(ROOT, 'dist', 'meta.json'), 'utf8');
  meta = JSON.parse(metaText) as Metafile;
});

/** Every `import('<package>')` in the bundled sources: the specifier and the input it resolved to. */
function lazyPackageImports(): Array<{ importer: string; specifier: string; target: string }> {
  const found = [];
  for (const [importer, input] of Object.entries(meta.inputs)) {
    for (const imp of input.imports) {
      const specifier = imp.original ?? imp.path;
      if (imp.kind === 'dynamic-import' && !imp.external && !specifier.startsWith('.') && !specifier.startsWith('node:')) found.push({ importer, specifier, target: imp.path });
    }
  }
  return found;
}

test('the sources import packages lazily (the checks below have something to check)', () => {
  const specifiers = new Set(lazyPackageImports().map((i) => i.specifier));
  assert.ok(specifiers.has('yaml'), `lazy package imports: ${[...specifiers].join(', ')}`);
  assert.ok(specifiers.has('ora'));
});

test('no dynamic import in the bundle lands on a CommonJS module', () => {
  const onCommonJs = lazyPackageImports().filter((i) => meta.inputs[i.target]?.format === 'cjs');
  assert.deepEqual(onCommonJs, [], 'each of these would export only `default` in its chunk (esbuild #3245)');
});

test('each lazily imported package gives the bundle the names Node gives the sources', async () => {
  const bySpecifier = new Map(lazyPackageImports().map((i) => [i.specifier, i.target]));
  for (const [specifier, target] of bySpecifier) {
    const chunk = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === target)?.[0];
    assert.ok(chunk, `no chunk is the entry of ${target}`);
    const bundled = (await import(pathToFileURL(join(ROOT, chunk)).href)) as Record<string, unknown>;
    const node = (await import(specifier)) as Record<string, unknown>;
    const names = (ns: Record<string, unknown>) => Object.keys(ns).filter((n) => n !== 'module.exports').sort();
    assert.deepEqual(names(bundled), names(node), `import('${specifier}') through ${chunk}`);
    for (const name of names(node)) if (name !== 'default') assert.equal(typeof bundled[name], typeof node[name], `${specifier}.${name}`);
  }
});

test('every import the bundle keeps is a Node built-in: nothing is looked up in node_modules', () => {
  const external = new Set<string>();
  for (const output of Object.values(meta.outputs)) for (const imp of output.imports) if (imp.external) external.add(imp.path);
  assert.ok(external.has('node:fs'), 'the metafile lists external imports');
  assert.deepEqual([...external].filter((name) => !isBuiltin(name)), []);
});

test('the metafile names no path of the build machine', () => {
  assert.ok(!metaText.includes(ROOT), `dist/meta.json holds ${ROOT}`);
  assert.ok(!metaText.includes(ROOT.replace(/\/$/, '')), 'dist/meta.json holds the repository path');
});

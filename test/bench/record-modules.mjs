/**
 * Records every module a Node process loads, for the module-graph checks (test/unit/startup-graph.test.ts)
 * and `npm run bench`'s notes:
 *
 *   RECORD_MODULES_FILE=/tmp/mods.txt node --import ./test/bench/record-modules.mjs bin/aistudio-key.js --version
 *
 * Writes one line per module: `esm <url>` for everything the ESM loader loads (a `load` hook
 * registered with module.register, Node 20.6+: ES modules, and CommonJS reached through `import`,
 * including their own `require`s on Node 20.19+/22), then, at exit, `cjs <url>` for every entry of
 * the CommonJS cache (modules loaded with `require`/`createRequire`, which the hooks do not see).
 * Without RECORD_MODULES_FILE it does nothing.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.RECORD_MODULES_FILE;

// The hooks run on the loader thread; a data: URL keeps them in this one file.
const HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  appendFileSync(file, 'esm ' + url + '\\n');
  return result;
}`;

if (file) {
  writeFileSync(file, '');
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { file } });
  process.on('exit', () => {
    const cache = createRequire(import.meta.url).cache;
    const lines = Object.keys(cache).map((path) => `cjs ${path.startsWith('/') ? pathToFileURL(path).href : path}\n`);
    appendFileSync(file, lines.join(''));
  });
}

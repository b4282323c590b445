/**
 * Spawned-CLI tests run bin/aistudio-key.js, which loads dist/. `npm test` builds first (pretest)
 * (`npm run demo` and `npm pack` too); a test file run on its own may find dist/ missing or older than src/.
 * ensureBuilt() rebuilds in that case only (`npm run build`: scripts/build.mjs, esbuild), once per process.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/cli.js is missing or older than some file under src/. */
export function distIsStale(): boolean {
  const main = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(main)) return true;
  return newestMtime(join(ROOT, 'src')) > statSync(main).mtimeMs;
}

let building: Promise<void> | undefined;

/** Builds dist/ when it is stale; rejects with tsc's output when the build fails. */
export function ensureBuilt(): Promise<void> {
  building ??= distIsStale()
    ? new Promise<void>((resolve, reject) => {
        execFile(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`dist/ is stale and \`npm run build\` failed:\n${stdout}${stderr}`)) : resolve(),
        );
      })
    : Promise.resolve();
  return building;
}

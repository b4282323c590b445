/**
 * The program as the bin runs it: real Deps, the process guards, main. Bundled as dist/cli.js
 * (scripts/build.mjs); bin/aistudio-key.js loads it for everything but `--version` and plain
 * help requests, which it answers without it.
 */
import { createDeps, installProcessGuards } from './deps.js';
import { main } from './main.js';

export async function run(argv: readonly string[]): Promise<number> {
  // Node's DEP0123 warning off (and only it), quiet EPIPE events, redacted crash lines: see deps.ts.
  installProcessGuards();
  return main(argv, createDeps());
}

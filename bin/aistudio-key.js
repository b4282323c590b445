#!/usr/bin/env node
// The shim (STYLE.md §1): build the real Deps, run, set the exit code. Never process.exit() here,
// so stdout and stderr drain before the process ends.
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Fast path: the version alone loads nothing of dist/ (issue #8).
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${typeof pkg.version === 'string' ? pkg.version : '0.0.0'}\n`);
} else {
  // Node >= 22.1 caches compiled code on disk, which speeds up later starts; older Node skips it.
  module.enableCompileCache?.();
  const { main } = await import('../dist/main.js');
  const { createDeps, installProcessGuards } = await import('../dist/deps.js');
  // Node's DEP0123 warning off (and only it), quiet EPIPE events, redacted crash lines: see deps.ts.
  installProcessGuards();
  process.exitCode = await main(process.argv, createDeps());
}

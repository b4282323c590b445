#!/usr/bin/env node
// The shim (STYLE.md §1): answer the cheapest requests itself, else run the bundled program and set
// the exit code. Never process.exit() here, so stdout and stderr drain before the process ends.
// CommonJS on purpose (bin/package.json): `--version` and help never start Node's ES module
// loader, a measurable share of a bare start.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Fast path: the version alone loads nothing of dist/.
  const { version } = require('../package.json');
  process.stdout.write(`${typeof version === 'string' ? version : '0.0.0'}\n`);
} else {
  // Node >= 22.1 caches compiled code on disk, which speeds up later starts; older Node skips it.
  // Only in a directory private to this user (bin/compile-cache.js), never Node's shared default.
  const { enableCompileCache } = require('node:module');
  if (typeof enableCompileCache === 'function') {
    const dir = require('./compile-cache.js').privateCompileCacheDir({ env: process.env, homedir: require('node:os').homedir(), uid: process.getuid?.() });
    if (dir !== undefined) enableCompileCache(dir);
  }
  // Plain help requests (`--help`, `help create`, `create -h`…) are printed from pre-computed pages
  // without building the program (src/help.ts); anything else, or a page it does not know, runs it.
  const asksHelp = args.includes('--help') || args.includes('-h') || args[0] === 'help';
  const text = asksHelp ? require('../dist/help.cjs').fastHelp(args, process.stdout.isTTY ? process.stdout.columns : undefined) : undefined;
  if (text !== undefined) process.stdout.write(text);
  else {
    import('../dist/cli.js')
      .then(({ run }) => run(process.argv))
      .then((code) => {
        process.exitCode = code;
      });
  }
}

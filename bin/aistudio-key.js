#!/usr/bin/env node
// The shim (STYLE.md §1): build the real Deps, run, set the exit code. Never process.exit() here,
// so stdout and stderr drain before the process ends.
import { main } from '../dist/main.js';
import { createDeps, installProcessGuards } from '../dist/deps.js';

// Node's DEP0123 warning off (and only it), quiet EPIPE events, redacted crash lines: see deps.ts.
installProcessGuards();
process.exitCode = await main(process.argv, createDeps());

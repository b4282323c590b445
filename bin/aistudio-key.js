#!/usr/bin/env node
// The shim (STYLE.md §1): build the real Deps, run, set the exit code. Never process.exit() here,
// so stdout and stderr drain before the process ends.
import { main } from '../dist/main.js';
import { createDeps } from '../dist/deps.js';

process.exitCode = await main(process.argv, createDeps());

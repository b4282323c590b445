/**
 * src/commands/manifest.ts (what src/program.ts registers, so that help loads no command module) must
 * match the definitions: regenerate it with `npm run manifest` when this fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMMANDS } from '../../src/commands/index.js';
import { COMMAND_SPECS } from '../../src/commands/manifest.js';
import { specData } from '../../src/commands/spec.js';
import { HELP_PAGES_PATH, MANIFEST_PATH, helpPagesText, manifestText } from '../tools/command-manifest.js';

test('src/commands/manifest.ts is up to date with the command definitions (else: npm run manifest)', async () => {
  assert.equal(readFileSync(MANIFEST_PATH, 'utf8'), await manifestText(), 'src/commands/manifest.ts is stale: run `npm run manifest`');
});

test('src/commands/help-pages.ts is up to date with the program (else: npm run manifest)', () => {
  assert.equal(readFileSync(HELP_PAGES_PATH, 'utf8'), helpPagesText(), 'src/commands/help-pages.ts is stale: run `npm run manifest`');
});

test('each spec loads its own definition, in the order of COMMANDS', async () => {
  assert.deepEqual(COMMAND_SPECS.map((s) => s.name), COMMANDS.map((d) => d.name));
  for (const [i, spec] of COMMAND_SPECS.entries()) {
    const def = await spec.load();
    assert.equal(def, COMMANDS[i], spec.name);
    const { load: _load, ...data } = spec;
    assert.deepEqual(data, specData(def), spec.name);
  }
});

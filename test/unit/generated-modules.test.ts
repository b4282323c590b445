/**
 * The modules the build computes (scripts/generated-modules.ts) hold what the unbundled ones derive
 * at run time: each command's spec, loading its own definition, and every help page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/commands/index.js';
import { specData } from '../../src/commands/spec.js';
import { HELP_PAGES } from '../../src/help-pages.js';
import { commandSpecsModule, helpPagesModule } from '../../scripts/generated-modules.js';

test("the bundle's command specs: each command's spec data, in the order of COMMANDS, loading its own definition", async () => {
  const lines = (await commandSpecsModule()).split('\n').filter((l) => l.startsWith('  {'));
  assert.equal(lines.length, COMMANDS.length);
  for (const [i, line] of lines.entries()) {
    const m = /^ {2}(\{.*), load: async \(\) => \(await import\('\.\/([\w-]+\.js)'\)\)\.(\w+) \},$/.exec(line);
    assert.ok(m, line.slice(0, 80));
    const [, data, file, exportName] = m as unknown as [string, string, string, string];
    assert.deepEqual(JSON.parse(`${data}}`), JSON.parse(JSON.stringify(specData(COMMANDS[i] as never))), file);
    const mod = (await import(`../../src/commands/${file.replace(/\.js$/, '.ts')}`)) as Record<string, unknown>;
    assert.equal(mod[exportName], COMMANDS[i], `${file} ${exportName}`);
  }
});

test("the bundle's help pages are the pages computed from the program", async () => {
  const url = `data:text/javascript;base64,${Buffer.from(helpPagesModule()).toString('base64')}`;
  const mod = (await import(url)) as { HELP_PAGES: unknown };
  assert.deepEqual(mod.HELP_PAGES, HELP_PAGES);
});

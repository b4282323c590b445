/**
 * The two modules scripts/build.mjs computes instead of reading them from src/ (so nothing
 * generated is committed, and the bundle registers commands and prints help without loading any
 * command module):
 * - src/commands/command-specs.ts: each command's spec as data, with a dynamic import of the
 *   module that defines it (the definition, with its core and output imports, loads on use);
 * - src/help-pages.ts: the help pages as data (what src/help-pages.ts computes from the real program).
 * Both are computed from the same definitions the unbundled modules read at run time, so they cannot
 * disagree with them.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/commands/index.js';
import { specData } from '../src/commands/spec.js';
import { HELP_PAGES, HELP_TOPICS, type HelpPage } from '../src/help-pages.js';

const COMMANDS_DIR = fileURLToPath(new URL('../src/commands/', import.meta.url));

/** Where each definition of COMMANDS is exported from: `create.js` / `createCommand`. */
async function origins(): Promise<Map<unknown, { file: string; exportName: string }>> {
  const found = new Map<unknown, { file: string; exportName: string }>();
  for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'command-specs.ts').sort()) {
    const mod = (await import(pathToFileURL(`${COMMANDS_DIR}${file}`).href)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      if (COMMANDS.includes(value as never) && !found.has(value)) found.set(value, { file: file.replace(/\.ts$/, '.js'), exportName });
    }
  }
  return found;
}

/** The bundle's src/commands/command-specs.ts. */
export async function commandSpecsModule(): Promise<string> {
  const where = await origins();
  const entries = COMMANDS.map((def) => {
    const origin = where.get(def);
    if (!origin) throw new Error(`command '${def.name}' is in COMMANDS but exported by no module of src/commands/`);
    const json = JSON.stringify(specData(def)).replace(/}$/, '');
    return `${json}, load: async () => (await import('./${origin.file}')).${origin.exportName} }`;
  });
  return `export const COMMAND_SPECS = [\n${entries.map((e) => `  ${e},`).join('\n')}\n];\n`;
}

/**
 * The bundle's src/help-pages.ts: the pages as one JSON text (V8 parses JSON faster than the same
 * object literal), the global options every command lists written once and shared; then the help
 * topics' pages.
 */
export function helpPagesModule(): string {
  const shared = Object.values(HELP_PAGES).find((p) => p.globalOptions.length > 0)?.globalOptions ?? [];
  const same = (page: HelpPage): boolean => JSON.stringify(page.globalOptions) === JSON.stringify(shared);
  const pages = Object.fromEntries(Object.entries(HELP_PAGES).map(([name, page]) => [name, same(page) ? { ...page, globalOptions: null } : page]));
  return [
    `const globalOptions = JSON.parse(${JSON.stringify(JSON.stringify(shared))});`,
    `const pages = JSON.parse(${JSON.stringify(JSON.stringify(pages))});`,
    'for (const page of Object.values(pages)) page.globalOptions ??= globalOptions;',
    'export const HELP_PAGES = pages;',
    `export const HELP_TOPICS = JSON.parse(${JSON.stringify(JSON.stringify(HELP_TOPICS))});`,
    '',
  ].join('\n');
}

/** Serialisers for the machine formats. */
import { sanitize } from './sanitize.js';

/** One JSON document, two-space indented, newline-terminated. */
export function formatJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * One YAML document. yaml is loaded only when asked for. No block scalars: a value with a newline
 * is written double-quoted with `\n`, so no line of it can start with text of the value's choosing
 * (a GitHub runner reads a line starting `::` in the log as a workflow command).
 */
export async function formatYaml(doc: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(doc, { lineWidth: 0, blockQuote: false });
}

/**
 * POSIX single quoting: 'it'\''s'. Safe to `source` in sh/bash/zsh (nothing inside single quotes is
 * expanded) and read back exactly by dotenv loaders that understand single quotes.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `# text` comment lines for env and dotenv output: each line of text one comment line, whatever it
 * holds. A newline (or CR, or any control character) in quoted data would otherwise end the comment
 * and make the rest a command for `source`; sanitize() turns every one of them into visible notation.
 */
export function formatComments(lines: readonly string[]): string {
  return lines.map((l) => `# ${sanitize(l)}\n`).join('');
}

/** NAME='value' lines. Names must be shell identifiers. */
export function formatEnv(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
      // No shell can hold a NUL in a variable; quoting cannot carry it.
      if (value.includes('\0')) throw new Error(`the value of ${name} holds a NUL byte`);
      return `${name}=${shellQuote(value)}\n`;
    })
    .join('');
}

/**
 * Characters a dotenv value may hold bare. Every reader we target takes such a value verbatim:
 * bash `source` (no expansion, globbing or word splitting can happen), the `dotenv` npm parser and
 * Node's `util.parseEnv` (an unquoted value runs to `#` or the line end, trimmed), and GitLab's
 * dotenv report and `docker --env-file`, which do NOT strip quotes — so quoting, the usual cure,
 * would corrupt the value there. API key secrets, key and folder IDs fit.
 */
const DOTENV_BARE = /^[A-Za-z0-9_.,:/+=@%-]*$/;

/**
 * NAME=value lines for dotenv loaders and GitLab's dotenv report (`--format dotenv`).
 * @throws Error for a value that no single spelling reads back the same everywhere (quotes,
 *   spaces, `$`, `#`, newlines): a bug guard, since our values never hold them.
 */
export function formatDotenv(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
      if (!DOTENV_BARE.test(value)) throw new Error(`the value of ${name} holds characters a dotenv file cannot carry unquoted`);
      return `${name}=${value}\n`;
    })
    .join('');
}

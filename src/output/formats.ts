/** Serialisers for the machine formats. */

/** One JSON document, two-space indented, newline-terminated. */
export function formatJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One YAML document. yaml is loaded only when asked for. */
export async function formatYaml(doc: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(doc, { lineWidth: 0 });
}

/**
 * POSIX single quoting: 'it'\''s'. Safe to `source` in sh/bash/zsh (nothing inside single quotes is
 * expanded) and read back exactly by dotenv loaders that understand single quotes.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** NAME='value' lines. Names must be shell identifiers. */
export function formatEnv(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
      return `${name}=${shellQuote(value)}\n`;
    })
    .join('');
}

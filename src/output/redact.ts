/**
 * Keeps secrets off stderr. Every token the run holds and the new key's secret are registered here;
 * everything the program writes to stderr (notes, spinner frames, debug lines, errors) passes through.
 */

const MASK = '***';

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a value to mask. Values shorter than 8 characters are ignored: masking them would mangle ordinary text. */
  add(secret: string | undefined): void {
    const s = secret?.trim();
    if (s && s.length >= 8) this.#secrets.add(s);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
}

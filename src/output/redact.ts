/**
 * Keeps secrets off stderr. Every token the run holds and the new key's secret are registered here;
 * everything the program writes to stderr (notes, spinner frames, debug lines, errors) passes through.
 * Registered values are masked exactly; then every credential shape Yandex Cloud documents (IAM and
 * OAuth tokens, JWTs, API key secrets, PEM private keys, `Bearer …`) is masked too, so a token the run
 * never registered (one echoed back by a server, say) cannot slip through either.
 */
import { redact as redactAll } from '../cloud/redact.js';

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a value to mask. Values shorter than 8 characters are ignored: masking them would mangle ordinary text. */
  add(secret: string | undefined): void {
    const s = secret?.trim();
    if (s && s.length >= 8) this.#secrets.add(s);
  }

  /** Linear in the text's length; registered values are masked in their encodings too (src/cloud/redact.ts). */
  redact(text: string): string {
    return redactAll(text, this.#secrets);
  }
}

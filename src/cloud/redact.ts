/**
 * Redaction for everything the cloud layer writes to debug output or puts into an error message.
 * Two layers: shape rules for every credential format Yandex Cloud documents (reference §2.1),
 * and exact strings the gateway registers (the IAM token in use, a key secret it just received),
 * so a token in an unexpected shape is still caught.
 */

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys, terminated or not (a truncated key is still a secret).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '<private key>'],
  // Authorization header values, in metadata dumps or messages.
  [/\b(Bearer|Api-Key)\s+[^\s"',;]+/gi, '$1 ***'],
  // JWTs (our signed assertion, CI OIDC tokens).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '<jwt>'],
  // IAM tokens: t1.<payload>.<signature>; also cover other t<n>. generations.
  [/\bt\d\.[A-Za-z0-9_.=-]{16,}/g, 't1.***'],
  // API key secrets.
  [/\bAQVN[A-Za-z0-9_-]{20,}/g, 'AQVN***'],
  // OAuth tokens (y0_…, y3_…), refresh tokens, cookies.
  [/\by\d_[A-Za-z0-9_-]{20,}/g, 'y*_***'],
  [/\brt1\.[A-Za-z0-9_.=-]{16,}/g, 'rt1.***'],
  [/\bc1\.[A-Za-z0-9_.=-]{16,}/g, 'c1.***'],
  // Static access key secrets.
  [/\bYC[A-Za-z0-9_-]{38}\b/g, 'YC***'],
];

/** Replaces every known credential shape in `text`, plus each of `secrets` verbatim. */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real tokens and secrets are long.
    if (secret.length >= 8) out = out.split(secret).join('***');
  }
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Holds the exact secrets of one connection; `redact` applies them and the shape rules. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a secret (token, API key secret) so it is blanked wherever it appears. */
  add(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }
}

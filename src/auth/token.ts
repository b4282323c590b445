/**
 * Small helpers shared by the credential sources: telling token kinds apart, reading a token
 * from text, and keeping secrets out of messages.
 */
import { UsageError } from '../errors.js';
import type { Credential } from '../cloud/types.js';

const OAUTH_PREFIX = /^y\d_/;

/**
 * Tells an OAuth token (`y0_…`) from an IAM token by prefix, as yc and Terraform do for YC_TOKEN.
 * @returns an `oauth-token` credential for `y<digit>_…`, an `iam-token` credential otherwise.
 */
export function tokenCredential(token: string, source: string): Credential {
  return OAUTH_PREFIX.test(token) ? { kind: 'oauth-token', source, token } : { kind: 'iam-token', source, token };
}

/**
 * Turns the text of a token file (or stdin) into a token: trimmed, one line.
 * @returns the token.
 * @throws UsageError when the text is empty or holds more than one word; the message never quotes the text.
 */
export function tokenFromText(text: string, origin: string): string {
  const token = text.trim();
  if (!token) throw new UsageError(`${origin} is empty: expected one token.`);
  if (/\s/.test(token)) throw new UsageError(`${origin} holds more than one line or word: expected exactly one token.`);
  return token;
}

const SECRET_SHAPES: RegExp[] = [
  /\bt1\.[A-Za-z0-9_.-]{8,}/g, // IAM token
  /\by\d_[A-Za-z0-9_-]{8,}/g, // OAuth token
  /\bAQVN[A-Za-z0-9_-]{8,}/g, // API key secret
  // JWT. A start only where no segment character precedes it (not `\b`, which '-' satisfies), so
  // no attempt rescans a run another attempt scanned: linear, where `\beyJ` is quadratic on
  // 'eyJ-eyJ-…'.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
];

/**
 * Masks anything shaped like a token, API key, JWT or private key, for text we did not write
 * ourselves (server error descriptions, user-supplied paths) before it goes into an error.
 * @returns the text with secrets replaced by `<redacted>`, cut to `max` characters.
 */
export function redact(text: string, max = 200): string {
  let out = text;
  for (const shape of SECRET_SHAPES) out = out.replace(shape, '<redacted>');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** `err.code` of a Node system error ('ENOENT'…), when there is one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Redaction for everything the cloud layer writes to debug output or puts into an error message.
 * Two layers: shape rules for every credential format Yandex Cloud documents (reference §2.1),
 * and exact strings the gateway registers (the IAM token in use, a key secret it just received),
 * so a token in an unexpected shape is still caught.
 *
 * Linear time, whatever the text: a server's error message can be megabytes, a flag value anything.
 * The token shapes are found by one scan (`maskTokens`) that looks at each candidate start once, with
 * the length of every character run precomputed, instead of regular expressions that rescan the
 * rest of the text from each start (the old JWT pattern took 15 s on a 120 KB value). The regular
 * expressions that remain are anchored on a literal and bounded, so each start costs O(1) or
 * consumes what it scans.
 *
 * A registered secret is also masked in the encodings a server may echo it in: URL-encoded,
 * JSON-escaped, and base64 (at each of the three byte alignments it can have inside a longer
 * base64 text).
 */

const MASK = '***';

/** PEM private keys, terminated or not (a truncated key is still a secret). */
const PEM = /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g;
/**
 * Authorization header values. `Bearer` in any case (gRPC metadata is lowercase), with a value of
 * token length; `Api-Key` only as the header is written and only with a key-shaped value, so that
 * prose such as `yc iam api-key delete aje…` keeps its words.
 */
const BEARER = /\b([Bb][Ee][Aa][Rr][Ee][Rr])[ \t]{1,8}[^\s"',;]{8,}/g;
const API_KEY_HEADER = /\bApi-Key[ \t]{1,8}[A-Za-z0-9_.~+/=-]{20,}/g;

/** Code-unit tests for the character classes the token shapes are made of. */
function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
/** `[A-Za-z0-9_-]`: JWT segments, API key secrets, OAuth tokens. */
function isSeg(c: number): boolean {
  return isWord(c) || c === 45;
}
/** `[A-Za-z0-9_.=%-]`: IAM tokens and their kin, `%` included so a URL-encoded `=` does not end one. */
function isDotted(c: number): boolean {
  return isSeg(c) || c === 46 || c === 61 || c === 37;
}

/** For each i, where the run of `test` characters starting at i ends (i itself when text[i] fails). */
function runEnds(text: string, test: (c: number) => boolean): Int32Array {
  const ends = new Int32Array(text.length + 1);
  ends[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--) ends[i] = test(text.charCodeAt(i)) ? (ends[i + 1] ?? text.length) : i;
  return ends;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** How many characters of the run starting at i (0 past the end). */
function runLength(ends: Int32Array, i: number): number {
  return i < ends.length ? (ends[i] ?? i) - i : 0;
}

/**
 * The token at `s` (a word boundary): [end, replacement], or undefined. O(1) given the run ends.
 * Shapes (reference §2.1): JWT `eyJ<seg>.<seg>.<seg>`, IAM `t<d>.…`, refresh `rt1.…`, cookie `c1.…`,
 * API key secret `AQVN…`, OAuth `y<d>_…`, static access key secret `YC` + 38.
 */
function tokenAt(text: string, s: number, seg: Int32Array, dotted: Int32Array): [number, string] | undefined {
  // (No closures in here: it runs once per word start, and a bundler's keep-names helper makes
  // each closure creation costly.)
  if (text.startsWith('eyJ', s)) {
    const a = seg[s + 3] ?? s;
    if (a - (s + 3) >= 4 && text.charCodeAt(a) === 46) {
      const b = seg[a + 1] ?? a;
      if (b - (a + 1) >= 4 && text.charCodeAt(b) === 46) return [seg[b + 1] ?? b, '<jwt>'];
    }
  }
  const c0 = text.charCodeAt(s);
  const c1 = text.charCodeAt(s + 1);
  const c2 = text.charCodeAt(s + 2);
  if (c0 === 116 && isDigit(c1) && c2 === 46 && runLength(dotted, s + 3) >= 16) return [dotted[s + 3] ?? s, 't1.***'];
  if (text.startsWith('rt1.', s) && runLength(dotted, s + 4) >= 16) return [dotted[s + 4] ?? s, 'rt1.***'];
  if (text.startsWith('c1.', s) && runLength(dotted, s + 3) >= 16) return [dotted[s + 3] ?? s, 'c1.***'];
  if (text.startsWith('AQVN', s) && runLength(seg, s + 4) >= 20) return [seg[s + 4] ?? s, 'AQVN***'];
  if (c0 === 121 && isDigit(c1) && c2 === 95 && runLength(seg, s + 3) >= 20) return [seg[s + 3] ?? s, 'y*_***'];
  // `YC` + exactly 38, then a word boundary.
  if (text.startsWith('YC', s) && runLength(seg, s + 2) >= 38 && isWord(text.charCodeAt(s + 39)) !== isWord(text.charCodeAt(s + 40))) return [s + 40, 'YC***'];
  return undefined;
}

/** Replaces every token shape, each starting at a word boundary, in one left-to-right scan. */
function maskTokens(text: string): string {
  const seg = runEnds(text, isSeg);
  const dotted = runEnds(text, isDotted);
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    // A token starts with a word character after a non-word one (or at the start): `\b`.
    if (isWord(text.charCodeAt(i)) && (i === 0 || !isWord(text.charCodeAt(i - 1)))) {
      const hit = tokenAt(text, i, seg, dotted);
      if (hit) {
        out += text.slice(copied, i) + hit[1];
        copied = i = hit[0];
        continue;
      }
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The spellings of `secret` a server may echo back: as is, URL-encoded, JSON-escaped, base64. */
export function encodings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  const bytes = Buffer.from(secret, 'utf8');
  // Inside a longer base64 text the secret starts at one of three byte alignments; the whole
  // 3-byte groups after that point encode the same way whatever came before.
  for (let skip = 0; skip < 3; skip++) {
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    if (whole.length < 12) continue;
    forms.add(whole.toString('base64'));
    forms.add(whole.toString('base64url'));
  }
  return [...forms].filter((f) => f.length >= 8);
}

/** Replaces every known credential shape in `text`, plus each of `secrets` verbatim and in its encodings. */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real tokens and secrets are long.
    if (secret.length < 8) continue;
    for (const form of encodings(secret)) if (out.includes(form)) out = out.split(form).join(MASK);
  }
  out = out.replace(PEM, '<private key>');
  out = out.replace(BEARER, `$1 ${MASK}`);
  out = out.replace(API_KEY_HEADER, `Api-Key ${MASK}`);
  return maskTokens(out);
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

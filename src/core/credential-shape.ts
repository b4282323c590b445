/**
 * Recognises credentials by their shape, so that they are neither stored (config) nor echoed in an
 * error message when typed in the wrong place (a secret passed where a key ID belongs). Pure.
 */

/** Credential shapes, checked anywhere in a value (at the start, or after a space, quote or separator). */
const CREDENTIAL_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|[\s"'=:,;])t1\.[A-Za-z0-9_-]/, 'an IAM token (t1.…)'],
  [/(^|[\s"'=:,;])y[0-6]_[A-Za-z0-9_-]/, 'an OAuth token (y0_…)'],
  [/AQVN[A-Za-z0-9_-]{6,}/, 'an API key secret (AQVN…)'],
  [/-----BEGIN [A-Z0-9 ]+-----|PRIVATE KEY/, 'a PEM key or certificate'],
  [/(^|[\s"'=:,;])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/, 'a JWT'],
  [/private_key|PLEASE DO NOT REMOVE THIS LINE/, 'an authorized key file'],
];

/** What credential a value looks like (a phrase for the message), or undefined. */
export function credentialShape(value: string): string | undefined {
  return CREDENTIAL_SHAPES.find(([re]) => re.test(value))?.[1];
}

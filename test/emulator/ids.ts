import { randomBytes, randomInt } from 'node:crypto';
import { craftedId, craftedSecret, type IdKind } from './hostile.js';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** `n` random characters of `alphabet`. */
export function randomChars(n: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * Id prefixes seen in real ids (reference §2.1): clouds and folders `b1g`, IAM resources
 * (users, service accounts, keys, IAM operations) `aje`, Lockbox `e6q`, organizations `bpf`.
 */
export type IdPrefix = 'b1g' | 'aje' | 'e6q' | 'bpf';

/**
 * A resource id shaped like a real one: 20 chars of [a-z0-9] with a service prefix. `kind` names
 * what it is for, so hostile mode (hostile.ts) can craft it instead.
 */
export function newId(prefix: IdPrefix, kind?: IdKind): string {
  return craftedId(prefix, kind) ?? prefix + randomChars(17, LOWER_ALNUM);
}

// Credential-shaped strings are assembled from parts at run time, so no literal in the repo looks
// like a real credential to a secret scanner.

/** IAM token `t1.<body>.<86 chars>` (reference §2.1). */
export function newIamToken(): string {
  return ['t' + '1', randomChars(140, URL_SAFE), randomChars(86, URL_SAFE)].join('.');
}

/** OAuth token `y0_` + 55 chars. */
export function newOauthToken(): string {
  return ['y' + '0', randomChars(55, URL_SAFE)].join('_');
}

/** API key secret `AQVN` + 36 chars of [A-Za-z0-9_-] (40 in all, as in both doc examples). */
export function newApiKeySecret(): string {
  return craftedSecret('AQ' + 'VN' + randomChars(36, URL_SAFE));
}

/** An opaque external OIDC token for workload identity tests (not a verifiable JWT). */
export function newSubjectToken(): string {
  const part = (n: number): string => randomChars(n, URL_SAFE);
  return ['ey' + part(34), 'ey' + part(120), part(86)].join('.');
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function newPassword(length: number): string {
  return randomChars(length, URL_SAFE);
}

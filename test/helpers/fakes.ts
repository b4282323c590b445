/**
 * Credential-shaped fakes minted at run time, so the repository never holds a string that looks
 * like a real token, key secret or private key (secret scanners, and people, would flag it).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

function chars(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** An IAM token's shape: `t1.<segment>.<86 chars>`. */
export const fakeIamToken = (): string => `t1.${chars(60)}.${chars(86)}`;
/** An OAuth token's shape: `y0_` + 55 chars. */
export const fakeOauthToken = (): string => `y0_${chars(55)}`;
/** An API key secret's shape: `AQVN` + 36 chars. */
export const fakeApiKeySecret = (): string => `AQVN${chars(36)}`;
/** The PEM label of a private key, spelled so that the source holds no PEM header. */
export const PRIVATE_KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');

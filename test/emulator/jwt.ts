import { constants, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { EmulatorError } from './errors.js';

/** The only audience IamTokenService accepts (reference §3.1). */
export const IAM_AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';
export const MAX_JWT_LIFETIME_S = 3600;
/** How far in the future `iat` may be (clock skew). The real allowance is UNCONFIRMED. */
export const IAT_SKEW_S = 300;

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

const malformed = (reason: string): EmulatorError => new EmulatorError('INVALID_ARGUMENT', `Invalid JWT: malformed token: ${reason}`);
const rejected = (reason: string): EmulatorError => new EmulatorError('UNAUTHENTICATED', `Invalid JWT: ${reason}`);

function parsePart(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw malformed(`${what} is not base64url`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`${what} is not JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

export interface KeyLookup {
  (keyId: string): { serviceAccountId: string; publicKey: KeyObject } | undefined;
}

/**
 * Checks a service-account JWT the way IamTokenService does (reference §3.1): PS256 only; `kid` is a
 * known authorized key that belongs to `iss`; `aud` is the IAM token URL (a string or a one-element
 * array); `exp − iat ≤ 3600`; not expired; `iat` not ahead of now by more than the skew; RSASSA-PSS
 * SHA-256 signature with a 32-byte salt. Returns the service account id.
 * Throws INVALID_ARGUMENT for a structurally broken token, UNAUTHENTICATED for a rejected one.
 */
export function verifyServiceAccountJwt(jwt: string, lookup: KeyLookup, nowMs: number): string {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw malformed('expected three dot-separated parts');
  const [h = '', p = '', s = ''] = parts;
  const header = parsePart(h, 'header');
  const claims = parsePart(p, 'payload');
  if (typeof header.alg !== 'string') throw malformed('header has no alg');
  if (header.alg !== 'PS256') throw rejected(`unsupported algorithm ${JSON.stringify(header.alg)}, only PS256 is accepted`);
  if (header.typ !== undefined && header.typ !== 'JWT') throw rejected(`unsupported typ ${JSON.stringify(header.typ)}`);
  if (typeof header.kid !== 'string' || header.kid === '') throw malformed('header has no kid');
  const { iss, aud, iat, exp } = claims;
  if (typeof iss !== 'string' || iss === '') throw malformed('claim iss is missing');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw malformed('claims iat and exp must be numbers');

  const key = lookup(header.kid);
  if (key === undefined) throw rejected(`unknown key id ${header.kid}`);
  if (key.serviceAccountId !== iss) throw rejected(`key ${header.kid} does not belong to service account ${iss}`);
  const audOk = aud === IAM_AUDIENCE || (Array.isArray(aud) && aud.length === 1 && aud[0] === IAM_AUDIENCE);
  if (!audOk) throw rejected(`invalid audience ${JSON.stringify(aud)}, expected ${IAM_AUDIENCE}`);
  if (exp - iat > MAX_JWT_LIFETIME_S) throw rejected(`token lifetime exp - iat is ${exp - iat} s, at most ${MAX_JWT_LIFETIME_S} s allowed`);
  if (exp <= iat) throw rejected('exp must be after iat');
  const nowS = nowMs / 1000;
  if (exp <= nowS) throw rejected('token has expired');
  if (iat > nowS + IAT_SKEW_S) throw rejected('iat is in the future');

  let signature: Buffer;
  try {
    signature = Buffer.from(s, 'base64url');
  } catch {
    throw malformed('signature is not base64url');
  }
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: key.publicKey, ...PSS }, signature);
  if (!ok) throw rejected('signature verification failed');
  return iss;
}

export interface JwtOptions {
  /** Default: now. Unix seconds. */
  iat?: number;
  /** Default: iat + 3600. */
  exp?: number;
  /** Default: the IAM audience. */
  aud?: string | string[];
  /** Default: PS256 (only the header changes; the signature is always PSS). */
  alg?: string;
  /** Override the header kid. */
  kid?: string;
  /** Override the iss claim. */
  iss?: string;
}

/**
 * Signs a PS256 JWT for an authorized key, as the Yandex SDKs do. `privateKey` may keep the
 * "PLEASE DO NOT REMOVE THIS LINE!" first line. For tests and the demo.
 */
export function signServiceAccountJwt(
  key: { id: string; serviceAccountId: string; privateKey: string },
  opts: JwtOptions = {},
): string {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: opts.alg ?? 'PS256', kid: opts.kid ?? key.id };
  const claims = { iss: opts.iss ?? key.serviceAccountId, aud: opts.aud ?? IAM_AUDIENCE, iat, exp: opts.exp ?? iat + 3600 };
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc(header)}.${enc(claims)}`;
  const pem = key.privateKey.slice(key.privateKey.indexOf('-----BEGIN'));
  const signature = sign('sha256', Buffer.from(data), { key: createPrivateKey(pem), ...PSS });
  return `${data}.${signature.toString('base64url')}`;
}

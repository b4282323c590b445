/**
 * The JWT an authorized key is exchanged with (reference §3.1): PS256 (RSASSA-PSS, SHA-256,
 * salt 32), header `{typ, alg, kid}`, claims `iss` = service account id, exact `aud`, `iat`,
 * `exp` = iat + at most one hour. Signed with node:crypto: no jsonwebtoken, no SDK.
 */
import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { AuthorizedKey } from './types.js';

/** The only audience IamTokenService accepts. */
export const IAM_TOKEN_AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';
/** The longest life the service accepts (`exp - iat`). */
export const MAX_JWT_LIFETIME_SECONDS = 3600;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Parses the PEM of an authorized key. Key files start with a
 * "PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID …" line; everything before the
 * BEGIN line is dropped so no OpenSSL version can trip on it.
 * @throws UsageError naming `private_key` when it is not an RSA private key.
 */
export function loadPrivateKey(pem: string, keyId: string): KeyObject {
  const begin = pem.indexOf('-----BEGIN');
  let key: KeyObject;
  try {
    key = createPrivateKey(begin > 0 ? pem.slice(begin) : pem);
  } catch {
    throw new UsageError(`The private_key of authorized key ${keyId} is not a valid PEM private key.`, {
      hints: ['Create a new key file with `yc iam key create --service-account-id <id> -o key.json`.'],
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new UsageError(`The private_key of authorized key ${keyId} is not an RSA key (got ${key.asymmetricKeyType ?? 'unknown'}).`);
  }
  return key;
}

/**
 * Signs the assertion for `IamTokenService.Create{jwt}`.
 * @param nowMs current time (injected clock), milliseconds
 * @throws UsageError when the key is incomplete or its private key unusable
 */
export function signServiceAccountJwt(key: AuthorizedKey, nowMs: number, lifetimeSeconds = MAX_JWT_LIFETIME_SECONDS): string {
  if (!key.id) throw new UsageError('The authorized key has no `id` (the key ID used as the JWT kid).');
  if (!key.serviceAccountId) throw new UsageError(`Authorized key ${key.id} has no \`service_account_id\`.`);
  if (!key.privateKey) throw new UsageError(`Authorized key ${key.id} has no \`private_key\`.`);
  const privateKey = loadPrivateKey(key.privateKey, key.id);
  const iat = Math.floor(nowMs / 1000);
  const header = { typ: 'JWT', alg: 'PS256', kid: key.id };
  const claims = {
    iss: key.serviceAccountId,
    aud: IAM_TOKEN_AUDIENCE,
    iat,
    exp: iat + Math.min(lifetimeSeconds, MAX_JWT_LIFETIME_SECONDS),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return `${signingInput}.${base64url(signature)}`;
}

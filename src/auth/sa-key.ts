/**
 * Authorized key files (`yc iam key create -o key.json`, reference §3.2): read and validated here,
 * before any call, so a broken file fails with exit 2 and a message naming the field. The JWT
 * signing and exchange happen in the gateway. Messages never contain key material.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { AuthorizedKey } from '../cloud/types.js';
import type { AuthDeps } from './types.js';
import { errorCode, redact } from './token.js';

const HEADER_PREFIX = 'PLEASE DO NOT REMOVE THIS LINE!';
const HEADER = /^PLEASE DO NOT REMOVE THIS LINE! Yandex\.Cloud SA Key ID <?([^\s<>]+)>?\s*$/;
const CREATE_HINT = 'Create a key file with `yc iam key create --service-account-name <name> -o key.json`.';

function broken(origin: string, problem: string): UsageError {
  return new UsageError(`${origin} is not a usable authorized key: ${problem}.`, { hints: [CREATE_HINT] });
}

function requiredString(obj: Record<string, unknown>, field: string, origin: string): string {
  const value = obj[field];
  if (value === undefined || value === null || value === '') throw broken(origin, `field "${field}" is missing`);
  if (typeof value !== 'string') throw broken(origin, `field "${field}" is not a string`);
  return value;
}

/**
 * Validates an authorized key, given as the file's JSON text or as an already parsed object
 * (the yc profile's inline `service-account-key`). `origin` names the source in messages
 * ("--sa-key-file key.json").
 *
 * Accepts private keys preceded by the "PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <id>"
 * line; the returned `privateKey` is the bare PKCS#8 PEM.
 * @returns the key, ready for the gateway's JWT exchange.
 * @throws UsageError (exit 2) naming the broken or missing field: not JSON, not an object, missing
 *   `id` / `service_account_id` / `private_key`, a user-account key, a private key that is not a PEM,
 *   does not parse or is not RSA, a header line for another key ID, a public key that does not match.
 */
export function parseAuthorizedKey(input: string | unknown, origin: string): AuthorizedKey {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch {
      // The parser's message can quote the input, which may be key material: say only what failed.
      throw broken(origin, 'not valid JSON');
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw broken(origin, 'not a JSON object');
  const obj = data as Record<string, unknown>;

  if (obj['service_account_id'] === undefined && typeof obj['user_account_id'] === 'string') {
    throw broken(origin, 'it belongs to a user account (user_account_id); a service account key is needed');
  }
  const id = requiredString(obj, 'id', origin);
  const serviceAccountId = requiredString(obj, 'service_account_id', origin);
  const rawPrivateKey = requiredString(obj, 'private_key', origin);

  let pem = rawPrivateKey.replace(/\r\n?/g, '\n').trim();
  const firstLine = pem.split('\n', 1)[0] ?? '';
  if (firstLine.startsWith(HEADER_PREFIX)) {
    const headerId = HEADER.exec(firstLine)?.[1];
    if (headerId !== undefined && headerId !== id) {
      throw broken(origin, `the private_key header names key ID ${headerId} but "id" is ${id}`);
    }
    pem = pem.slice(firstLine.length).trim();
  }
  if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z ]*PRIVATE KEY-----$/.test(pem)) {
    throw broken(origin, 'field "private_key" is not a PEM private key');
  }
  if (pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw broken(origin, 'field "private_key" is encrypted; authorized keys are stored unencrypted');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw broken(origin, 'field "private_key" does not parse as a private key');
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') throw broken(origin, `field "private_key" is not an RSA key (${key.asymmetricKeyType ?? 'unknown'}); PS256 needs RSA`);

  const publicKey = obj['public_key'];
  if (typeof publicKey === 'string' && publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
    let matches = true;
    try {
      const derived = createPublicKey(key).export({ type: 'spki', format: 'der' });
      const given = createPublicKey(publicKey).export({ type: 'spki', format: 'der' });
      matches = derived.equals(given);
    } catch {
      // An unreadable public_key is not needed for signing: ignore it.
    }
    if (!matches) throw broken(origin, 'field "public_key" does not match "private_key"');
  }
  return { id, serviceAccountId, privateKey: `${pem}\n` };
}

/** Expands a leading `~/` (env values are not shell-expanded). */
export function expandHome(path: string, homedir: string): string {
  return path === '~' ? homedir : path.startsWith('~/') ? join(homedir, path.slice(2)) : path;
}

/**
 * Reads and validates an authorized key file.
 * @returns the key.
 * @throws UsageError when the file cannot be read (naming the path and the system error code) or
 *   is not a valid key (see parseAuthorizedKey).
 */
export async function readAuthorizedKeyFile(path: string, originName: string, deps: AuthDeps): Promise<AuthorizedKey> {
  const shownPath = redact(path, 300);
  let text: string;
  try {
    text = await deps.readFile(expandHome(path, deps.homedir));
  } catch (err) {
    throw new UsageError(`${originName}: cannot read ${shownPath} (${errorCode(err) ?? 'read error'}).`, {
      hints: ['Pass the path of the authorized key JSON written by `yc iam key create -o key.json`.'],
    });
  }
  return parseAuthorizedKey(text, `${originName} ${shownPath}`);
}

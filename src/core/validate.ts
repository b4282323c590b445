/**
 * Input rules from the API (reference §5–§7), checked before anything changes in the cloud. Each
 * check returns undefined when the value is fine, or a short phrase saying what would be right; the
 * caller prefixes the flag name, so every usage error is one line naming the flag.
 */
import { RESOURCE_ID } from '../cloud/shapes.js';
import { credentialShape } from './credential-shape.js';
import { RESOURCE_NAME_PATTERN as RESOURCE_NAME, RESOURCE_NAME_RULE } from './names.js';
import { KNOWN_SCOPES } from './preset.js';

/** Dotted role ids such as `ai.editor`, `search-api.webSearch.user`; primitive roles (`viewer`) have no dot. */
const ROLE_ID = /^[a-z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)*$/;
const ENDPOINT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][-A-Za-z0-9.]*):(\d{1,5})$/;

export const DESCRIPTION_MAX = 256;
export const ROLE_MAX = 64;

/**
 * A text's length as the API's `<=N` rules count it: UTF-16 code units, so a character outside the
 * Basic Multilingual Plane (an emoji) counts 2 (issue #14: 200 emoji, 200 code points, are refused
 * as over 256). Never less than the count of code points, so a text that passes here passes a
 * service that counts code points too. The one definition: CLI checks, the key description's cut
 * and the emulator's validation all use it.
 */
export function apiLength(value: string): number {
  return value.length;
}

/**
 * The longest start of `value` within `max` units (apiLength), never ending inside a surrogate
 * pair (half an emoji would reach the cloud as U+FFFD).
 */
export function cutToApiLength(value: string, max: number): string {
  if (apiLength(value) <= max) return value;
  const end = Math.max(0, max);
  const code = value.charCodeAt(end - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

export function checkFolderId(value: string): string | undefined {
  if (RESOURCE_ID.test(value)) return undefined;
  const hint = RESOURCE_NAME.test(value) ? ` (for a folder name use --folder-name ${value})` : '';
  return `expected a folder ID, 20 lowercase letters and digits like b1g0123456789abcdefg, got "${value}"${hint}`;
}

export function checkCloudId(value: string): string | undefined {
  return RESOURCE_ID.test(value) ? undefined : `expected a cloud ID, 20 lowercase letters and digits like b1g0123456789abcdefg, got "${value}"`;
}

export function checkFolderName(value: string): string | undefined {
  return RESOURCE_NAME.test(value)
    ? undefined
    : `expected a folder name: ${RESOURCE_NAME_RULE}, got "${value}"`;
}

export function checkServiceAccountName(value: string): string | undefined {
  return RESOURCE_NAME.test(value)
    ? undefined
    : `expected ${RESOURCE_NAME_RULE} (like aistudio-bot), got "${value}"`;
}

export function checkDescription(value: string): string | undefined {
  const n = apiLength(value);
  if (n <= DESCRIPTION_MAX) return undefined;
  const points = [...value].length;
  const counted = points === n ? `${n}` : `${n} (the API counts UTF-16 units: each emoji or other character beyond U+FFFF counts 2)`;
  return `at most ${DESCRIPTION_MAX} characters, got ${counted}`;
}

export function checkRole(value: string): string | undefined {
  if (apiLength(value) > ROLE_MAX) return `role "${value}" is longer than ${ROLE_MAX} characters`;
  return ROLE_ID.test(value) ? undefined : `"${value}" is not a role ID; expected dotted names like ai.editor or search-api.webSearch.user`;
}

export function checkScope(value: string): string | undefined {
  if (KNOWN_SCOPES.has(value)) return undefined;
  const near = closest(value, [...KNOWN_SCOPES]);
  return `unknown scope "${value}"${near ? ` (did you mean ${near}?)` : ''}; known scopes: ${[...KNOWN_SCOPES].join(', ')}`;
}

/**
 * An API key ID (`revoke`, `rotate`). A secret pasted where its ID belongs is named by its shape,
 * never echoed back.
 * @param expected how the message names what was expected ('an API key ID', 'API key IDs').
 */
export function checkApiKeyId(value: string, expected = 'an API key ID'): string | undefined {
  if (RESOURCE_ID.test(value)) return undefined;
  const shape = credentialShape(value);
  const got = shape ? `got ${shape}: a key is named by its ID, never by its secret` : `got "${value}"`;
  return `expected ${expected}, 20 lowercase letters and digits like ajeabcdefghij0123456 (see \`aistudio-key list\`), ${got}`;
}

export function checkEndpoint(value: string): string | undefined {
  const m = ENDPOINT.exec(value);
  const port = m ? Number(m[2]) : 0;
  return m && port > 0 && port < 65536 ? undefined : `expected host:port like api.cloud.yandex.net:443, got "${value}"`;
}

/** Splits a comma list, trims, drops empty items and duplicates (order kept). */
export function parseList(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** The candidate within edit distance 3 of value, if exactly one is closest. */
function closest(value: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

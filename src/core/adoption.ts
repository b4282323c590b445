/**
 * What aistudio-key granted an account it did not make (`--adopt`), recorded where it survives
 * between runs: in the description of the API key it issued there, as `[aistudio-key roles a,b]`
 * before the run marker. The key is ours to write (the account is not, and label values cannot hold
 * role IDs). A later key on the account carries the union forward, so the last key aistudio-key
 * issued there always holds everything it granted; revoking that key takes exactly those roles back.
 *
 * A description is data anyone with rights on the key can edit: a record is read back as hostile
 * (only role-ID-shaped entries count) and only ever narrows what is removed (roles recorded AND
 * still bound to that account), never widens it to other subjects.
 */
import type { ApiKey } from '../cloud/types.js';
import { checkRole } from './validate.js';

const HEAD = '[aistudio-key roles ';
const RECORD = /\s*\[aistudio-key roles ([^\]]*)\]/g;
/** A key aistudio-key issued carries its run marker at the end (create-key.ts runMarker). */
const ISSUED_BY_US = /\[aistudio-key run [a-z0-9]+\]$/;

/** The record for `roles` (none for an empty list). */
export function rolesRecord(roles: readonly string[]): string {
  return roles.length === 0 ? '' : `${HEAD}${roles.join(',')}]`;
}

/** The description without any record in it (a user's text must not plant one). */
export function withoutRolesRecord(description: string): string {
  return description.replace(RECORD, '').trim();
}

/** The roles recorded in a description: role-ID-shaped entries only, deduplicated. */
export function recordedRoles(description: string): string[] {
  const roles = new Set<string>();
  for (const m of description.matchAll(RECORD)) {
    for (const role of (m[1] ?? '').split(',')) if (role && checkRole(role) === undefined) roles.add(role);
  }
  return [...roles];
}

/** True for a key aistudio-key issued (its description ends with a run marker). */
export function issuedByAistudioKey(key: Pick<ApiKey, 'description'>): boolean {
  return ISSUED_BY_US.test(key.description);
}

/** The union of what the account's aistudio-key keys record, in first-seen order. */
export function inheritedRoles(keys: ReadonlyArray<Pick<ApiKey, 'description'>>): string[] {
  return [...new Set(keys.filter(issuedByAistudioKey).flatMap((k) => recordedRoles(k.description)))];
}

/**
 * Roles as the cloud knows them: `--roles` values are looked up with RoleService before
 * anything changes, and what "you can only grant roles you hold" means for a caller whose own roles
 * on the folder are visible.
 */
import { AppError, AuthError, UsageError } from '../errors.js';
import type { AccessBinding, CallOptions, CloudGateway, Subject } from '../cloud/types.js';
import { PRESET_ROLES } from './preset.js';

/** Roles that hold every permission, so whoever has one can grant any role. */
export const ALL_POWERFUL_ROLES: ReadonlySet<string> = new Set(['admin', 'resource-manager.clouds.owner', 'organization-manager.organizations.owner']);

/** `system` subjects that every caller is part of. */
const EVERYONE: ReadonlySet<string> = new Set(['allUsers', 'allAuthenticatedUsers']);

/**
 * Checks that the cloud knows every role in `roles` (RoleService.Get, in parallel). The preset's
 * five are known and not looked up, so a default run makes no extra call.
 * @throws UsageError (exit 2) naming the first unknown role; a RoleService that is denied or not
 *   offered only skips the check (the bindings call would still refuse an unknown role, and the
 *   run would clean up); other gateway errors as they come.
 */
export async function checkRolesExist(gateway: CloudGateway, roles: readonly string[], opts: CallOptions & { note?: (text: string) => void } = {}): Promise<void> {
  const asked = [...new Set(roles)].filter((r) => !PRESET_ROLES.includes(r));
  if (asked.length === 0) return;
  let found: Array<boolean>;
  try {
    found = await Promise.all(asked.map(async (r) => (await gateway.getRole(r, { signal: opts.signal })) !== undefined));
  } catch (error) {
    if (error instanceof AuthError && error.code === 'permission_denied') return opts.note?.(`RoleService refused to look up roles (${error.message}); the cloud will check them when they are granted`);
    if (error instanceof AppError && 'status' in error && (error as { status?: string }).status === 'UNIMPLEMENTED') return opts.note?.('RoleService is not offered at this endpoint; the cloud will check the roles when they are granted');
    throw error;
  }
  const unknown = asked.filter((_, i) => !found[i]);
  if (unknown.length > 0) {
    throw new UsageError(`--roles: the cloud knows no role ${unknown.map((r) => `"${r}"`).join(', ')}; see \`yc iam role list\` for the role IDs`);
  }
}

/** The roles a subject holds through a folder's access list (its own bindings and those granted to everyone). */
export function rolesHeld(bindings: readonly AccessBinding[], subject: Subject): string[] {
  return [
    ...new Set(
      bindings
        .filter((b) => (b.subject.type === subject.type && b.subject.id === subject.id) || (b.subject.type === 'system' && EVERYONE.has(b.subject.id)))
        .map((b) => b.roleId),
    ),
  ];
}

/**
 * The roles of `wanted` that `held` does not visibly let its holder grant: the cloud lets a caller
 * grant only permissions it holds. Counted as covered: the role itself, an all-powerful role, or
 * `<service>.admin` for a `<service>.…` role. Roles held on the cloud or organization are not in a
 * folder's list, so a non-empty answer is a warning, not a verdict.
 */
export function rolesBeyondHeld(held: readonly string[], wanted: readonly string[]): string[] {
  if (held.some((r) => ALL_POWERFUL_ROLES.has(r))) return [];
  const covers = (h: string, r: string): boolean => h === r || (h.endsWith('.admin') && r.startsWith(h.slice(0, -'admin'.length)));
  return wanted.filter((r) => !held.some((h) => covers(h, r)));
}

/** The warning for rolesBeyondHeld's answer (undefined when empty). */
export function grantWarning(beyond: readonly string[], folderId: string): string | undefined {
  if (beyond.length === 0) return undefined;
  return `Your roles on folder ${folderId} do not include ${beyond.join(', ')}: the cloud lets you grant only roles you hold yourself, so granting ${beyond.length === 1 ? 'it' : 'them'} may be refused (roles you hold on the cloud or organization are not visible here and may cover ${beyond.length === 1 ? 'it' : 'them'}).`;
}

/**
 * A PERMISSION_DENIED from the bindings call, reworded to name the role(s) the cloud's text names.
 * When it names none, the error stays as it is. Other errors pass through.
 */
export function grantDenied(error: unknown, roles: readonly string[], folderId: string): unknown {
  if (!(error instanceof AuthError) || error.code !== 'permission_denied') return error;
  const said = [error.message, ...error.hints].join('\n');
  // The role as a whole word: not part of a longer role id (a sentence's full stop may follow).
  const which = roles.filter((r) => new RegExp(`(?<![\\w.-])${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\w)`).test(said));
  // Naming none, the gateway's own message already says that only roles one holds can be granted.
  if (which.length === 0) return error;
  const what = which.length === 1 ? `role ${which[0] ?? ''}` : `roles ${which.join(', ')}`;
  return new AuthError(`You may not grant ${what} on folder ${folderId}: that needs \`admin\` or \`resource-manager.admin\` on it, and you can grant only roles you hold yourself.`, {
    code: 'permission_denied',
    cause: error,
    hints: [
      ...error.hints,
      `Ask someone who holds ${which.length === 1 ? 'it' : 'them'} (or \`admin\`) to grant ${which.length === 1 ? 'it' : 'them'} to you, or leave ${which.length === 1 ? 'it' : 'them'} out of --roles.`,
    ],
  });
}

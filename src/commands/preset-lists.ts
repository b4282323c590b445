/**
 * --add-roles and --add-scopes (create, ensure): items on top of the preset, or of --roles/--scopes,
 * so one extra scope does not mean retyping the nine. A role or scope given twice (within a list, or
 * added when the base already holds it) is a usage error (exit 2): the lists say exactly what is asked.
 */
import { PRESET_ROLES, PRESET_SCOPES } from '../core/preset.js';
import { checkRole, checkScope } from '../core/validate.js';
import type { FlagSpec, Zod } from './define.js';
import { checkedString, listCheck } from './folder.js';

export const ADD_LIST_FLAGS = {
  addRoles: { flags: '--add-roles <list>', description: 'comma list of roles to bind on top of the preset (or of --roles)' },
  addScopes: { flags: '--add-scopes <list>', description: 'comma list of key scopes on top of the preset (or of --scopes)' },
} as const satisfies Record<string, FlagSpec>;

interface ListRule {
  base: 'roles' | 'scopes';
  add: 'addRoles' | 'addScopes';
  what: string;
  preset: readonly string[];
}

const RULES: readonly ListRule[] = [
  { base: 'roles', add: 'addRoles', what: 'role', preset: PRESET_ROLES },
  { base: 'scopes', add: 'addScopes', what: 'scope', preset: PRESET_SCOPES },
];

type RawLists = Partial<Record<'roles' | 'scopes' | 'addRoles' | 'addScopes', string>>;

/** zod fields for ADD_LIST_FLAGS (each item checked as --roles/--scopes items are). */
export function addListFields(z: Zod) {
  return {
    addRoles: checkedString(z, listCheck(checkRole, 'role')),
    addScopes: checkedString(z, listCheck(checkScope, 'scope')),
  };
}

/** The items of a comma list as given, duplicates kept (so they can be reported). */
function items(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function duplicate(list: readonly string[]): string | undefined {
  return list.find((item, i) => list.indexOf(item) !== i);
}

/** Reports a role or scope given twice, on the flag that repeats it. */
export function refineAddLists(raw: RawLists, ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void }): void {
  for (const rule of RULES) {
    const base = items(raw[rule.base]);
    const added = items(raw[rule.add]);
    const twiceInBase = duplicate(base);
    if (twiceInBase !== undefined) ctx.addIssue({ code: 'custom', path: [rule.base], message: `the ${rule.what} "${twiceInBase}" is given twice; give each once` });
    const twiceInAdded = duplicate(added);
    if (twiceInAdded !== undefined) ctx.addIssue({ code: 'custom', path: [rule.add], message: `the ${rule.what} "${twiceInAdded}" is given twice; give each once` });
    const inBase = raw[rule.base] === undefined ? rule.preset : base;
    const already = added.find((a) => inBase.includes(a));
    if (already !== undefined) {
      const where = raw[rule.base] === undefined ? `the preset ${rule.what}s` : `--${rule.base}`;
      ctx.addIssue({ code: 'custom', path: [rule.add], message: `the ${rule.what} "${already}" is already in ${where}; leave it out` });
    }
  }
}

/** The roles and scopes a run asks for: the preset (or --roles/--scopes), then the additions. */
export function resolveLists(raw: RawLists): { roles: string[]; scopes: string[] } {
  const list = (rule: ListRule): string[] => [...(raw[rule.base] === undefined ? rule.preset : items(raw[rule.base])), ...items(raw[rule.add])];
  const [roles, scopes] = RULES.map(list);
  return { roles: roles ?? [], scopes: scopes ?? [] };
}

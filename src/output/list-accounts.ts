/**
 * How `list --accounts` looks: the service accounts (those aistudio-key made, or --all), each with
 * its API key count and its roles on the folder. JSON: an array of {id, name, folder_id, managed,
 * key_count, key_ids, roles, created_at}.
 */
import { isManagedAccount } from '../core/accounts.js';
import { rfc3339 } from '../core/expiry.js';
import { PRESET_ROLES } from '../core/preset.js';
import type { AccountSurvey } from '../core/prune.js';
import { table, type Cell } from './table.js';
import type { TextSink } from './text.js';

/** The survey, and whether it covers every account (--all) or only those aistudio-key made. */
export interface AccountsOutcome extends AccountSurvey {
  view: 'accounts';
  all: boolean;
}

export interface ListedAccountDocument {
  id: string;
  name: string;
  folder_id: string;
  managed: boolean;
  key_count: number;
  key_ids: string[];
  roles: string[];
  created_at: string | null;
}

export function accountsDocument(o: AccountsOutcome): ListedAccountDocument[] {
  return o.accounts.map(({ serviceAccount: sa, keyIds, roles }) => ({
    id: sa.id,
    name: sa.name,
    folder_id: sa.folderId,
    managed: isManagedAccount(sa),
    key_count: keyIds.length,
    key_ids: [...keyIds],
    roles: [...roles],
    created_at: sa.createdAt ? rfc3339(sa.createdAt) : null,
  }));
}

/** "preset" for the five preset roles, "preset+x" for more, else the list ("-" for none). */
export function rolesSummary(roles: readonly string[]): string {
  const preset = PRESET_ROLES.every((r) => roles.includes(r));
  if (!preset) return roles.join(',') || '-';
  const extra = roles.filter((r) => !PRESET_ROLES.includes(r));
  return extra.length === 0 ? 'preset' : `preset+${extra.join(',')}`;
}

export function accountsText(o: AccountsOutcome, out: TextSink): void {
  const s = out.style;
  if (o.accounts.length > 0) {
    const rows = o.accounts.map(({ serviceAccount: sa, keyIds, roles }): Cell[] => [
      { text: sa.name },
      { text: sa.id },
      { text: String(keyIds.length), paint: keyIds.length === 0 ? s.yellow : undefined },
      { text: rolesSummary(roles) },
      { text: sa.createdAt ? rfc3339(sa.createdAt).slice(0, 10) : '-' },
    ]);
    for (const line of table(['SERVICE ACCOUNT', 'ID', 'KEYS', 'ROLES', 'CREATED'], rows, s)) out.line(line);
  }
  const n = o.accounts.length;
  out.note(`${n} service account${n === 1 ? '' : 's'}${o.all ? '' : ' made by aistudio-key'} in folder ${o.folderId}.`);
  const keyless = o.accounts.filter((a) => a.keyIds.length === 0 && isManagedAccount(a.serviceAccount)).length;
  if (keyless > 0) out.note(`${keyless} of them made by aistudio-key hold${keyless === 1 ? 's' : ''} no API key; \`aistudio-key prune\` deletes ${keyless === 1 ? 'it' : 'them'} (--dry-run to see first).`);
  if (!o.all && o.unmanagedAccounts > 0) out.note(`${o.unmanagedAccounts} other service account${o.unmanagedAccounts === 1 ? '' : 's'} in the folder; --all lists every one.`);
}

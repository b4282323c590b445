/**
 * How `list` looks. JSON is a contract for scripts: an array of
 * {id, service_account_id, service_account_name, description, scopes, created_at, expires_at, last_used_at}
 * (times RFC 3339 UTC or null). No secret is ever in it: the API returns none after creation.
 */
import { rfc3339 } from '../core/expiry.js';
import type { ListedKey, ListKeysResult } from '../core/list-keys.js';
import { PRESET_SCOPES } from '../core/preset.js';
import { table, truncate, type Cell } from './table.js';
import type { TextSink } from './text.js';

/** The result plus how the user wrote --expiring-within, for messages. */
export interface ListOutcome extends ListKeysResult {
  expiringText: string | undefined;
}

export interface ListedKeyDocument {
  id: string;
  service_account_id: string;
  service_account_name: string;
  description: string;
  scopes: string[];
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}

const time = (d: Date | undefined): string | null => (d ? rfc3339(d) : null);

export function keyDocument(k: ListedKey): ListedKeyDocument {
  return {
    id: k.id,
    service_account_id: k.serviceAccountId,
    service_account_name: k.serviceAccountName,
    description: k.description,
    scopes: [...k.scopes],
    created_at: time(k.createdAt),
    expires_at: time(k.expiresAt),
    last_used_at: time(k.lastUsedAt),
  };
}

/** json and yaml: the array. */
export function listDocument(r: ListOutcome): ListedKeyDocument[] {
  return r.keys.map(keyDocument);
}

const DAY = 86_400_000;

/** RFC 3339 to the second, for messages (a window's end is now + a duration, milliseconds and all). */
export function toSecond(d: Date): string {
  return rfc3339(new Date(Math.floor(d.getTime() / 1000) * 1000));
}
/** In the table, keys closer than this to expiry are highlighted even without --expiring-within. */
const SOON_MS = 14 * DAY;

/** "preset" for the nine preset scopes, "preset + x" for more, else the list. */
export function scopesSummary(scopes: readonly string[]): string {
  const preset = PRESET_SCOPES.every((s) => scopes.includes(s));
  if (!preset) return scopes.join(',') || '-';
  const extra = scopes.filter((s) => !PRESET_SCOPES.includes(s));
  return extra.length === 0 ? 'preset' : `preset+${extra.join(',')}`;
}

function relative(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs >= DAY ? `${Math.floor(abs / DAY)}d` : abs >= 3_600_000 ? `${Math.floor(abs / 3_600_000)}h` : `${Math.max(1, Math.floor(abs / 60_000))}m`;
  return ms >= 0 ? `in ${text}` : `expired ${text} ago`;
}

const day = (d: Date | undefined, none: string): string => (d ? rfc3339(d).slice(0, 10) : none);

function accountsPhrase(r: ListOutcome): string {
  const n = r.accounts.length;
  const accounts = `${n} service account${n === 1 ? '' : 's'}`;
  const where = r.folderId ? ` in folder ${r.folderId}` : '';
  switch (r.selection.kind) {
    case 'managed':
      return `${accounts} made by aistudio-key${where}`;
    case 'all':
      return `${accounts}${where}`;
    case 'account':
      return `service account ${r.accounts[0]?.name ?? r.selection.ref} (${r.accounts[0]?.id ?? '?'})`;
  }
}

export function listText(r: ListOutcome, out: TextSink): void {
  const s = out.style;
  const now = r.now.getTime();
  if (r.keys.length > 0) {
    const rows = r.keys.map((k): Cell[] => {
      const left = k.expiresAt ? k.expiresAt.getTime() - now : undefined;
      const paint = left === undefined ? undefined : left <= 0 ? s.red : left <= SOON_MS || (r.expiring !== undefined && left <= r.expiring.before.getTime() - now) ? s.yellow : undefined;
      return [
        { text: k.id },
        { text: k.serviceAccountName || k.serviceAccountId },
        { text: truncate(k.description, 40) || '-' },
        { text: scopesSummary(k.scopes) },
        { text: day(k.createdAt, '-') },
        { text: k.expiresAt && left !== undefined ? `${day(k.expiresAt, '')} (${relative(left)})` : 'never', paint },
        { text: day(k.lastUsedAt, 'never') },
      ];
    });
    for (const line of table(['KEY ID', 'SERVICE ACCOUNT', 'DESCRIPTION', 'SCOPES', 'CREATED', 'EXPIRES', 'LAST USED'], rows, s)) out.line(line);
  }

  const keys = (n: number): string => `${n} API key${n === 1 ? '' : 's'}`;
  if (r.expiring) {
    out.note(`${keys(r.keys.length)} of ${r.totalKeys} expire within ${r.expiringText ?? ''} (by ${toSecond(r.expiring.before)}), in ${accountsPhrase(r)}.`);
  } else {
    out.note(`${keys(r.keys.length)} in ${accountsPhrase(r)}.`);
  }
  if (r.selection.kind === 'managed' && r.unmanagedAccounts > 0) {
    const n = r.unmanagedAccounts;
    out.note(`${n} other service account${n === 1 ? '' : 's'} in the folder ${n === 1 ? 'was' : 'were'} not made by aistudio-key; --all lists ${n === 1 ? 'its' : 'their'} keys too.`);
  }
}

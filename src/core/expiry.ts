/**
 * Expiry of the API key: `--expires-at <RFC 3339 | YYYY-MM-DD>`, `--expires-in <duration>` or
 * `--no-expiry`. Pure functions; the caller passes `now`.
 */

export type ExpiryChoice =
  | { kind: 'at'; at: Date }
  | { kind: 'in'; ms: number; text: string }
  | { kind: 'never' };

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** The API accepts expires_at up to 2105-12-31 (reference §5, §7). */
export const MAX_EXPIRES_AT = new Date('2105-12-31T23:59:59Z');

/**
 * Parses `90d`, `12h`, `30m`, `2w`, `1y`, `45s` and sums like `1d12h`.
 * Returns milliseconds, or undefined when the text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (!/^(\d+[smhdwy])+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+)([smhdwy])/g)) {
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (`2027-01-31T18:00:00Z`, `2027-01-31T21:00:00+03:00`) or a date
 * (`2027-01-31`, meaning 00:00 UTC that day). Returns undefined for anything else, impossible dates
 * (`2027-02-30`) included.
 */
export function parseExpiresAt(text: string): Date | undefined {
  const s = text.trim();
  const d = DATE_ONLY.exec(s);
  if (d) return validDate(Number(d[1]), Number(d[2]), Number(d[3])) ? new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))) : undefined;
  const t = RFC3339.exec(s);
  if (!t) return undefined;
  const [hh, mm, ss] = [Number(t[4]), Number(t[5]), Number(t[6])];
  if (!validDate(Number(t[1]), Number(t[2]), Number(t[3])) || hh > 23 || mm > 59 || ss > 59) return undefined;
  const offset = t[8] ?? 'Z';
  if (offset !== 'Z' && offset !== 'z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** The key's expiry for a choice (durations rounded down to the second); undefined means the key never expires. */
export function resolveExpiry(choice: ExpiryChoice, now: Date): Date | undefined {
  switch (choice.kind) {
    case 'at':
      return choice.at;
    case 'in':
      // Whole seconds: an expiry of 2027-02-25T12:00:00Z reads better than …:00.066Z.
      return new Date(Math.floor((now.getTime() + choice.ms) / 1000) * 1000);
    case 'never':
      return undefined;
  }
}

/** undefined when the expiry is acceptable, else what would be right. */
export function checkExpiry(at: Date, now: Date): string | undefined {
  if (at.getTime() <= now.getTime()) return `must be in the future (now is ${rfc3339(now)}), got ${rfc3339(at)}`;
  if (at.getTime() > MAX_EXPIRES_AT.getTime()) return `must be no later than 2105-12-31, got ${rfc3339(at)}`;
  return undefined;
}

/** RFC 3339 in UTC without a zero millisecond part: 2027-01-31T18:00:00Z. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

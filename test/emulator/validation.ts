import { apiLength } from '../../src/core/validate.js';
import { EmulatorError } from './errors.js';

/**
 * Request validation with the real API's message shape:
 * `Request validation error: <Field>: <reason>` (reference §2.3, §12.4), plus a google.rpc.BadRequest
 * detail naming the proto path. The first violation wins, as in the real validators.
 */

const pascal = (segment: string): string =>
  segment.replace(/(^|_)([a-z0-9])/g, (_m: string, _u: string, c: string) => c.toUpperCase());

/** `access_binding_deltas[0].access_binding.role_id` -> `AccessBindingDeltas[0].AccessBinding.RoleId` */
export function displayField(path: string): string {
  return path.split('.').map(pascal).join('.');
}

export function invalid(path: string, reason: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Request validation error: ${displayField(path)}: ${reason}`, [
    { field: path, description: reason },
  ]);
}

/** `<=max` as the API counts (UTF-16 code units: apiLength, the CLI's definition too; README "Lengths"). */
export function maxLength(path: string, value: string, max: number): void {
  const n = apiLength(value);
  if (n > max) throw invalid(path, `length must be at most ${max} (got ${n})`);
}

export function required(path: string, value: string, max: number): void {
  if (value === '') throw invalid(path, 'required');
  maxLength(path, value, max);
}

/** Service account and folder names, and the value of `name="…"` filters (reference §5). */
export const RESOURCE_NAME = /^[a-z][-a-z0-9]{1,61}[a-z0-9]$/;

/** `pattern`: the service-account name pattern in force (Fidelity.namePattern); folders and clouds keep RESOURCE_NAME. */
export function resourceName(path: string, value: string, pattern: RegExp = RESOURCE_NAME): void {
  if (value === '') throw invalid(path, 'required');
  if (!pattern.test(value)) throw invalid(path, 'invalid resource name');
}

const LABEL_KEY = /^[a-z][-_0-9a-z]*$/;
const LABEL_VALUE = /^[-_0-9a-z]*$/;

/** ≤64 labels; key 1–63 `[a-z][-_0-9a-z]*`; value ≤63 `[-_0-9a-z]*`. */
export function labels(path: string, value: Record<string, string>): void {
  const entries = Object.entries(value);
  if (entries.length > 64) throw invalid(path, `at most 64 labels allowed (got ${entries.length})`);
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 63 || !LABEL_KEY.test(k)) throw invalid(path, `invalid label key "${k}"`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) throw invalid(path, `invalid value for label "${k}"`);
  }
}

export function pageSize(value: number): void {
  if (value < 0 || value > 1000) throw invalid('page_size', `must be between 0 and 1000 (got ${value})`);
}

/** 1970-01-01T00:00:00Z … 2105-12-31T23:59:59Z (reference §5, §7). */
export const MIN_TIMESTAMP = Date.UTC(1970, 0, 1);
export const MAX_TIMESTAMP = Date.UTC(2105, 11, 31, 23, 59, 59);

export function timestampInRange(path: string, value: Date): void {
  const t = value.getTime();
  if (Number.isNaN(t) || t < MIN_TIMESTAMP || t > MAX_TIMESTAMP) {
    throw invalid(path, 'must be between 1970-01-01T00:00:00Z and 2105-12-31T23:59:59Z');
  }
}

/**
 * `name="<value>"`: the only filter the IAM and resource-manager List calls accept (reference §5).
 * Returns the name, or undefined for an empty filter.
 */
export function nameFilter(filter: string, pattern: RegExp = RESOURCE_NAME): string | undefined {
  maxLength('filter', filter, 1000);
  if (filter.trim() === '') return undefined;
  const m = /^\s*name\s*=\s*"([^"]*)"\s*$/.exec(filter);
  if (m === null) throw invalid('filter', 'invalid filter expression, expected name="<name>"');
  const name = m[1] ?? '';
  if (!pattern.test(name)) throw invalid('filter', 'invalid resource name in filter');
  return name;
}

/** Opaque page tokens: the offset, base64url-encoded. */
export function paginate<T>(items: readonly T[], size: number, token: string, tokenMax = 2000): { page: T[]; next: string } {
  pageSize(size);
  maxLength('page_token', token, tokenMax);
  let offset = 0;
  if (token !== '') {
    const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (m === null) throw invalid('page_token', 'invalid page token');
    offset = Number(m[1]);
  }
  const limit = size === 0 ? 100 : size;
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : '';
  return { page, next };
}

/** Field mask paths: every path must be one of `allowed`. Empty mask -> undefined. */
export function maskPaths(paths: readonly string[] | undefined, allowed: readonly string[]): Set<string> | undefined {
  if (paths === undefined || paths.length === 0) return undefined;
  for (const p of paths) {
    if (!allowed.includes(p)) throw invalid('update_mask', `unknown field "${p}"`);
  }
  return new Set(paths);
}

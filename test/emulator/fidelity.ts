/**
 * Switches for behaviours of the real API that no source settles (issue #14). Each plausible
 * behaviour is emulated behind a switch, and the CLI's create, rotate and ensure flows are tested
 * under every setting (test/integration/fidelity-matrix.test.ts). Sources for each switch are in
 * test/emulator/README.md, "Fidelity switches".
 */
import { EmulatorError } from './errors.js';
import { invalid } from './validation.js';

/** Services whose Operation-returning calls may (or may not) honour `idempotency-key`. */
export type IdempotentService = 'ServiceAccountService' | 'FolderService' | 'ApiKeyService' | 'SecretService';

export type QuotaErrorStyle =
  /** RESOURCE_EXHAUSTED `Quota limit <metric> exceeded (limit N)`, no detail (the emulator's old text). */
  | 'wording'
  /** RESOURCE_EXHAUSTED `Resource exhausted` with a google.rpc.QuotaFailure detail naming the metric: only the detail tells. */
  | 'quota-failure'
  /** RESOURCE_EXHAUSTED `The limit of <metric> has been reached: N`, no detail, no word "quota". */
  | 'wording-metric';

export interface FidelityOptions {
  /**
   * (1) Eventual consistency of a new service account: after ServiceAccountService.Create, the
   * account is unknown to UpdateAccessBindings (as an ADD subject) and ApiKeyService.Create for the
   * first `calls` such calls and/or until `ms` after its operation is done. `code` NOT_FOUND (default) answers
   * `Service account <id> not found`; INVALID_ARGUMENT answers a validation error naming the account.
   */
  newAccountLag?: { calls?: number; ms?: number; code?: 'NOT_FOUND' | 'INVALID_ARGUMENT' };
  /**
   * (2) "You may only grant roles you hold": an ADD delta whose role the caller does not hold on the
   * folder (nor covers through admin/owner, `<service>.admin`, `<service>.editor`, `editor`, `viewer`;
   * see `covers`) is PERMISSION_DENIED. Default true (the access-control docs say so).
   */
  grantOnlyHeldRoles?: boolean;
  /** (3) Per service: honour `idempotency-key` on Operation-returning calls. Default true for each. */
  idempotency?: Partial<Record<IdempotentService, boolean>>;
  /** (4) Response of the access-bindings operations: AccessBindingsOperationResult (HEAD) or google.protobuf.Empty (before cloudapi 807f2a1). */
  bindingsResponse?: 'result' | 'empty';
  /** (5) How a used-up quota is reported. Default 'wording'. */
  quotaError?: QuotaErrorStyle;
  /** (6) Service-account (and filter) name pattern: 'current' 1–63 (cloudapi d93b73f) or 'legacy' 3–63. Default 'current'. */
  namePattern?: 'current' | 'legacy';
}

/** `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`, from cloudapi d93b73f (2026-05-11) service_account_service.proto. */
export const CURRENT_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** `|[a-z][-a-z0-9]{1,61}[a-z0-9]` before d93b73f (the empty alternative is "required" checked apart). */
export const LEGACY_NAME = /^[a-z][-a-z0-9]{1,61}[a-z0-9]$/;

/** Roles that hold every permission. */
const ALL_POWERFUL = new Set(['admin', 'resource-manager.clouds.owner', 'organization-manager.organizations.owner']);

/**
 * Whether holding `held` lets a caller grant `role` (our model of "permissions you hold"): the role
 * itself; an all-powerful role; `<svc>.admin` covers every `<svc>.*` role; `<svc>.editor` covers
 * `<svc>.*` but `<svc>.admin`; `editor` covers every role but admin-like ones (`admin`, `*.admin`,
 * owners); `viewer` covers `viewer`/`*.viewer`/`auditor`/`*.auditor`.
 */
export function covers(held: string, role: string): boolean {
  if (held === role || ALL_POWERFUL.has(held)) return true;
  const adminLike = role === 'admin' || role.endsWith('.admin') || role.endsWith('.owner');
  const viewerLike = /(^|\.)(viewer|auditor)$/.test(role);
  if (held === 'editor') return !adminLike;
  if (held === 'viewer') return viewerLike;
  const m = /^(.+)\.(admin|editor)$/.exec(held);
  if (m?.[1] !== undefined && role.startsWith(`${m[1]}.`)) return m[2] === 'admin' || role !== `${m[1]}.admin`;
  return false;
}

export class Fidelity {
  private readonly lag = new Map<string, { callsLeft: number; until: number }>();

  constructor(readonly options: FidelityOptions = {}, private readonly now: () => number = Date.now) {}

  get grantOnlyHeldRoles(): boolean {
    return this.options.grantOnlyHeldRoles ?? true;
  }

  get namePattern(): RegExp {
    return this.options.namePattern === 'legacy' ? LEGACY_NAME : CURRENT_NAME;
  }

  get bindingsResponse(): 'result' | 'empty' {
    return this.options.bindingsResponse ?? 'result';
  }

  honoursIdempotency(method: string): boolean {
    const service = method.slice(0, method.indexOf('/')) as IdempotentService;
    return this.options.idempotency?.[service] ?? true;
  }

  /** A service account was just created; its operation is done at `doneAt`: start its lag, if the switch is on. */
  accountCreated(id: string, doneAt: number): void {
    const lag = this.options.newAccountLag;
    if (lag === undefined) return;
    this.lag.set(id, { callsLeft: lag.calls ?? 0, until: doneAt + (lag.ms ?? 0) });
  }

  /**
   * Throws the lag error when `accountId` is still settling (and uses up one of its calls).
   * `field`: the proto path that names the account, for the INVALID_ARGUMENT variant.
   */
  checkSettled(accountId: string, field: string): void {
    const rec = this.lag.get(accountId);
    if (rec === undefined) return;
    const byCalls = rec.callsLeft > 0;
    const byTime = this.now() < rec.until;
    if (!byCalls && !byTime) {
      this.lag.delete(accountId);
      return;
    }
    if (byCalls) rec.callsLeft--;
    if (this.options.newAccountLag?.code === 'INVALID_ARGUMENT') {
      throw invalid(field, `service account ${accountId} not found`);
    }
    throw new EmulatorError('NOT_FOUND', `Service account ${accountId} not found`);
  }

  /** The error for a used-up quota, in the configured style. */
  quotaExceeded(metric: string, limit: number): EmulatorError {
    switch (this.options.quotaError ?? 'wording') {
      case 'quota-failure':
        return new EmulatorError('RESOURCE_EXHAUSTED', 'Resource exhausted', [], [{ subject: metric, description: `limit ${limit} reached` }]);
      case 'wording-metric':
        return new EmulatorError('RESOURCE_EXHAUSTED', `The limit of ${metric} has been reached: ${limit}`);
      case 'wording':
        return new EmulatorError('RESOURCE_EXHAUSTED', `Quota limit ${metric} exceeded (limit ${limit})`);
    }
  }
}

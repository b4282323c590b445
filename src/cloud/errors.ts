/**
 * Turns the SDK's error shapes into the classes of src/errors.ts (STYLE.md §7). Core never sees a
 * status number. Pure: no SDK import (errors are recognised by shape), so core may import the
 * error classes below without loading gRPC.
 *
 * Shapes handled (reference §11.3, §11.1):
 * - nice-grpc `ClientError`: numeric `code`, `details`, `path`; message `<path> <STATUS>: <details>`.
 * - SDK `ApiError` (the server sent headers before failing): no `code`; same message; getters
 *   `requestId` (`x-request-id`) and `serverTraceId` (`x-server-trace-id`).
 * - grpc-js call-credential failures: "Getting metadata from plugin failed with error: …" (UNKNOWN or INTERNAL).
 * - An operation that ended with `error` (a google.rpc.Status).
 */
import { AlreadyExistsError, AppError, AuthError, CloudError, InterruptedError, NotFoundError } from '../errors.js';
import { redact } from './redact.js';

/** gRPC status names, indexed by code. */
export const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

export type StatusName = (typeof STATUS_NAMES)[number];

/** Statuses worth another attempt for reads and for idempotency-keyed mutations. */
export const TRANSIENT_STATUSES: ReadonlySet<StatusName> = new Set<StatusName>([
  'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL', 'RESOURCE_EXHAUSTED',
]);

/** A failed RPC (or operation), whatever shape it arrived in. `details` is raw server text: redact before showing. */
export interface RpcFailure {
  status: StatusName;
  details: string;
  /** Full gRPC path, when the error carried it. */
  path: string | undefined;
  requestId: string | undefined;
  serverTraceId: string | undefined;
  shape: 'ClientError' | 'ApiError' | 'plugin' | 'operation' | 'grpc';
  /** google.rpc.QuotaFailure subjects from the status details, when the trailer carried any (transport attaches them). */
  quotaViolations?: string[] | undefined;
}

/** The property the transport puts the decoded `grpc-status-details-bin` on (see status-details.ts). */
export const STATUS_DETAILS = 'aistudioKeyStatusDetails';

function quotaViolationsOf(e: Record<string, unknown>): string[] | undefined {
  const d = e[STATUS_DETAILS] as { quotaViolations?: Array<{ subject: string }> } | undefined;
  const v = d?.quotaViolations?.map((q) => q.subject);
  return v && v.length > 0 ? v : undefined;
}

const PLUGIN_FAILURE = 'Getting metadata from plugin failed';

function statusName(code: unknown): StatusName | undefined {
  return typeof code === 'number' && Number.isInteger(code) ? STATUS_NAMES[code] : undefined;
}

function isStatusName(s: string): s is StatusName {
  return (STATUS_NAMES as readonly string[]).includes(s);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Status name in a message shaped `<path> <STATUS>: <details>`. */
export function parseStatusFromMessage(message: string): { status: StatusName; path: string | undefined; details: string } | undefined {
  const withPath = /^(\/\S*) ([A-Z_]+): ([\s\S]*)$/.exec(message);
  if (withPath?.[2] !== undefined && isStatusName(withPath[2])) {
    return { status: withPath[2], path: withPath[1], details: withPath[3] ?? '' };
  }
  const bare = /(?:^|\s)([A-Z_]+): ([\s\S]*)$/.exec(message);
  if (bare?.[1] !== undefined && isStatusName(bare[1])) return { status: bare[1], path: undefined, details: bare[2] ?? '' };
  return undefined;
}

/**
 * Recognises a gRPC failure in any shape the SDK throws. Returns undefined for anything else
 * (our own errors, aborts, programming errors).
 */
export function parseRpcError(err: unknown): RpcFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as Record<string, unknown>;
  const name = str(e['name']);
  const message = str(e['message']) ?? '';
  const requestId = str(e['requestId']);
  const serverTraceId = str(e['serverTraceId']);

  // A token-fetch failure inside grpc-js call credentials. With our transport it cannot happen
  // (the token travels as plain metadata), but a Session-built client would report it this way.
  if (message.includes(PLUGIN_FAILURE) || str(e['details'])?.includes(PLUGIN_FAILURE)) {
    const details = (str(e['details']) ?? message).replace(/^.*?Getting metadata from plugin failed with error: /s, '');
    return { status: 'UNAUTHENTICATED', details, path: str(e['path']), requestId, serverTraceId, shape: 'plugin' };
  }

  const quotaViolations = quotaViolationsOf(e);
  const byCode = statusName(e['code']);
  if (byCode !== undefined && (name === 'ClientError' || typeof e['details'] === 'string')) {
    return {
      quotaViolations,
      status: byCode,
      details: str(e['details']) ?? message,
      path: str(e['path']),
      requestId,
      serverTraceId,
      shape: name === 'ClientError' ? 'ClientError' : 'grpc',
    };
  }

  if (name === 'ApiError' || name === 'ClientError') {
    const parsed = parseStatusFromMessage(message);
    if (parsed) return { ...parsed, requestId, serverTraceId, quotaViolations, shape: name === 'ApiError' ? 'ApiError' : 'ClientError' };
  }
  return undefined;
}

/** True when the error is an abort (our signal, or a call cancelled by it). */
export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** A TLS verification failure looks like UNAVAILABLE but never heals by retrying. */
export function isTlsFailure(f: RpcFailure): boolean {
  return f.status === 'UNAVAILABLE' && /certificate|self[- ]signed|SSL|TLS|handshake|altnames/i.test(f.details);
}

/**
 * Wording of a used-up quota when no detail says so: the word "quota", or a quota metric's name
 * (`iam.serviceAccounts.count`). A rate limit's "Request limit exceeded" has neither.
 */
const QUOTA_WORDING = /\bquota\b|\b[a-z][-a-zA-Z0-9]*(\.[a-zA-Z][-a-zA-Z0-9]*)+\.count\b/i;

/**
 * RESOURCE_EXHAUSTED is both "slow down" (a request-rate limit, which heals) and "a quota is used
 * up" (100 service accounts per cloud, 1,000 API keys: it never heals by waiting). The API has no
 * separate code for the second (reference §10). A google.rpc.QuotaFailure detail says it where the
 * cloud attaches one; otherwise the text naming the quota does ("Quota limit
 * iam.serviceAccounts.count exceeded"). Which of these the real cloud sends is unconfirmed; the
 * emulator's quotaError switch tries each.
 */
export function isQuotaExceeded(f: RpcFailure): boolean {
  return f.status === 'RESOURCE_EXHAUSTED' && ((f.quotaViolations?.length ?? 0) > 0 || QUOTA_WORDING.test(f.details));
}

/** Whether another attempt may succeed. */
export function isTransient(f: RpcFailure, extra: ReadonlySet<StatusName> = new Set()): boolean {
  return (TRANSIENT_STATUSES.has(f.status) || extra.has(f.status)) && !isTlsFailure(f) && !isQuotaExceeded(f);
}

/**
 * Whether the request surely never reached the server (so even a non-idempotent call may be
 * repeated): the channel could not connect at all.
 */
export function neverReachedServer(f: RpcFailure): boolean {
  return f.status === 'UNAVAILABLE' && /No connection established|ECONNREFUSED|Name resolution failed|ENOTFOUND|EAI_AGAIN/i.test(f.details);
}

/** What a call was doing, in words, so errors can say it. */
export interface ErrorContext {
  /** Completes "You may not …" / "Could not …": 'create a service account in folder b1g…'. */
  action: string;
  /** Completes "that needs …" for PERMISSION_DENIED: '`iam.serviceAccounts.admin` or `editor` on folder b1g…'. */
  needs?: string;
  /** What NOT_FOUND refers to: 'folder b1g…'. */
  resource?: string;
  /** What to do about UNAUTHENTICATED (depends on the credential kind). */
  authHints?: string[];
  /** Hints for ALREADY_EXISTS. */
  existsHints?: string[];
  /** Applied to every piece of server text and to the final message. */
  redact?: (s: string) => string;
}

/** The cloud may have done the work although the call failed (lost answer on a call that must not be repeated blindly). */
export class AmbiguousOutcomeError extends CloudError {
  /** The caller must find and clean up what may have been created (core/create-key.ts does, by its run marker). */
  readonly ambiguous = true;
}

/**
 * A mutating call given up on while in flight: the run is stopping and its grace period (or its
 * clean-up's bound) is over. Like AmbiguousOutcomeError, what it asked for may have been done.
 */
export class AbandonedCallError extends InterruptedError {
  readonly ambiguous = true;
}

/** An operation did not finish in time. It may still complete server-side. */
export class OperationTimeoutError extends CloudError {
  readonly operationId: string;
  /** The resource the operation works on (e.g. the new service account id), when known. */
  readonly resourceId: string | undefined;
  constructor(message: string, options: { operationId: string; resourceId?: string; hints?: string[] }) {
    super(message, { status: 'DEADLINE_EXCEEDED', hints: options.hints });
    this.operationId = options.operationId;
    this.resourceId = options.resourceId;
  }
}

/** Waiting was aborted through the signal; the operation goes on server-side. */
export class OperationInterruptedError extends InterruptedError {
  readonly operationId: string;
  readonly resourceId: string | undefined;
  constructor(message: string, options: { operationId: string; resourceId?: string }) {
    super(message);
    this.operationId = options.operationId;
    this.resourceId = options.resourceId;
  }
}

/** An operation that ended with an error, mapped; carries the operation id. */
export interface WithOperationId {
  operationId?: string;
}

const STARTED = Symbol('startedOperation');

/**
 * Marks an error thrown while waiting for an operation the cloud had accepted (a poll that failed,
 * a timeout, an interrupted wait): the work may have been done, or may still be done, server-side.
 * `resourceId` (the new account's id, from the operation metadata) lets the caller clean up.
 * Not set when the operation itself ended in error: the cloud rolled that work back.
 */
export function markStartedOperation<E>(error: E, started: { operationId: string; resourceId: string | undefined }): E {
  if (typeof error === 'object' && error !== null && !(STARTED in error)) {
    try {
      Object.defineProperty(error, STARTED, { value: { ...started }, enumerable: false });
    } catch {
      // a frozen error: the caller loses the id, as before this mark existed
    }
  }
  return error;
}

/** The operation an error was thrown while waiting for, if any (see markStartedOperation). */
export function startedOperationOf(error: unknown): { operationId: string; resourceId: string | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const v = (error as { [STARTED]?: { operationId: string; resourceId: string | undefined } })[STARTED];
  if (v) return v;
  if (error instanceof OperationTimeoutError || error instanceof OperationInterruptedError) {
    return { operationId: error.operationId, resourceId: error.resourceId };
  }
  return undefined;
}

/** True for AmbiguousOutcomeError (by class or shape): the call may have done its work although it failed. */
export function isAmbiguousOutcome(error: unknown): boolean {
  return error instanceof AmbiguousOutcomeError || (typeof error === 'object' && error !== null && (error as { ambiguous?: unknown }).ambiguous === true);
}

const DEFAULT_AUTH_HINTS = [
  'Get a fresh IAM token (`yc iam create-token`; tokens live at most 12 hours) or use a service account key (--sa-key-file).',
];

function requestIdNote(f: RpcFailure): string {
  return f.requestId ? ` (request id ${f.requestId})` : '';
}

/** Server text beyond this many characters is cut: an error message is read by a person. */
export const MAX_SERVER_TEXT = 1000;

/** Cuts `text` to MAX_SERVER_TEXT characters, saying how much was left out. */
export function clipServerText(text: string): string {
  return text.length <= MAX_SERVER_TEXT ? text : `${text.slice(0, MAX_SERVER_TEXT)}… (${text.length - MAX_SERVER_TEXT} more characters)`;
}

/** Maps a recognised failure to our error classes. Messages never carry tokens or secrets. */
export function failureToAppError(f: RpcFailure, ctx: ErrorContext, cause?: unknown): AppError {
  const clean = ctx.redact ?? ((s: string) => redact(s));
  // Redacted before it is cut, so no token is cut in half and half shown.
  const details = clipServerText(clean(f.details.trim())).replace(/\.$/, '');
  const said = details ? `: ${details}` : '';
  const base = { status: f.status, requestId: f.requestId, cause };
  switch (f.status) {
    case 'UNAUTHENTICATED':
      return new AuthError(clean(`The cloud did not accept the credentials while trying to ${ctx.action}${said}.`), {
        code: 'unauthenticated',
        hints: ctx.authHints ?? DEFAULT_AUTH_HINTS,
        cause,
      });
    case 'PERMISSION_DENIED':
      return new AuthError(
        clean(`You may not ${ctx.action}${ctx.needs ? `: that needs ${ctx.needs}` : ''}.`),
        {
          code: 'permission_denied',
          hints: [
            ...(details ? [clean(`The cloud said: ${details}${requestIdNote(f)}.`)] : []),
            'Ask someone who administers the folder to grant it, or use a credential that has it.',
          ],
          cause,
        },
      );
    case 'NOT_FOUND':
      return new NotFoundError(
        clean(`Could not ${ctx.action}: ${ctx.resource ?? 'the resource'} does not exist, or you may not see it${said ? ` (${details})` : ''}.`),
        { ...base, hints: ['Check the ID, and that the credential in use belongs to the right cloud.'] },
      );
    case 'ALREADY_EXISTS':
      return new AlreadyExistsError(clean(`Could not ${ctx.action}${said}.`), { ...base, hints: ctx.existsHints });
    case 'INVALID_ARGUMENT':
      return new CloudError(clean(`The cloud rejected the request to ${ctx.action}${said}${requestIdNote(f)}.`), base);
    default: {
      const hints: string[] = [];
      if (isTlsFailure(f)) {
        hints.push('The server certificate was not trusted: pass the CA with --ca-file (or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) and check --endpoint.');
      } else if (f.status === 'UNAVAILABLE' || f.status === 'DEADLINE_EXCEEDED') {
        hints.push('Check the network and --endpoint, then try again; --retries raises the number of attempts.');
      } else if (isQuotaExceeded(f)) {
        hints.push('Retrying will not help: remove what you no longer need (`aistudio-key list`, `aistudio-key revoke --with-service-account`), or ask Yandex Cloud support to raise the quota.');
        const which = f.quotaViolations?.length ? ` (${f.quotaViolations.join(', ')})` : '';
        return new CloudError(clean(`Could not ${ctx.action}: a quota of the cloud is used up${which}${said}${requestIdNote(f)}.`), { ...base, hints });
      } else if (f.status === 'RESOURCE_EXHAUSTED') {
        hints.push('A quota or request-rate limit was hit: wait a little, or ask for a quota increase.');
      }
      return new CloudError(clean(`Could not ${ctx.action}: ${f.status}${said}${requestIdNote(f)}.`), { ...base, hints });
    }
  }
}

/**
 * Maps anything a call threw. Our own AppErrors pass through; aborts become InterruptedError;
 * unrecognised errors (bugs) are rethrown unchanged for main.ts to report.
 */
export function toAppError(err: unknown, ctx: ErrorContext): unknown {
  if (err instanceof AppError) return err;
  if (isAbortError(err)) return new InterruptedError(`Interrupted while trying to ${ctx.action}.`, { cause: err });
  const f = parseRpcError(err);
  if (!f) return err;
  return failureToAppError(f, ctx, err);
}

/** Maps an operation's final `error` (google.rpc.Status). */
export function operationErrorToAppError(
  status: { code: number; message: string },
  ctx: ErrorContext,
  operationId: string,
): AppError {
  const f: RpcFailure = {
    status: statusName(status.code) ?? 'UNKNOWN',
    details: status.message,
    path: undefined,
    requestId: undefined,
    serverTraceId: undefined,
    shape: 'operation',
  };
  const mapped = failureToAppError(f, ctx);
  (mapped as AppError & WithOperationId).operationId = operationId;
  return mapped;
}

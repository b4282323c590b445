/**
 * Error classes say whose fault a failure is; EXIT_CODES maps them to process exit codes.
 * Only src/main.ts turns an error into an exit code (STYLE.md §5). Every message must say
 * what to do next, and must never contain a token or an API key secret.
 */

/** The exit-code table, pinned by test/unit/errors.test.ts and shown in `--help`. */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  needsInteraction: 4,
  /** `list --expiring-within`: the list was printed and some keys expire within the window (a CI alarm). */
  keysExpiring: 5,
  /** The person answered "no" to a confirmation (or gave no answer): nothing was changed. Not a failure. */
  declined: 6,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Rows for the help text: code, meaning. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [ExitCode, string]> = [
  [EXIT_CODES.ok, 'success'],
  [EXIT_CODES.failure, 'cloud or runtime failure (what this run created was cleaned up)'],
  [EXIT_CODES.usage, 'bad input; nothing was changed in the cloud'],
  [EXIT_CODES.auth, 'no credential, rejected token, or permission denied'],
  [EXIT_CODES.needsInteraction, 'a confirmation was needed but the session is not interactive'],
  [EXIT_CODES.keysExpiring, 'list --expiring-within: keys expire within the window (they are listed)'],
  [EXIT_CODES.declined, 'a confirmation was declined at the terminal; nothing was changed'],
  [EXIT_CODES.interrupted, 'interrupted (Ctrl-C); what this run created was cleaned up'],
];

/** Base class: every error we throw on purpose. `code` is a stable machine-readable slug. */
export abstract class AppError extends Error {
  abstract readonly exitCode: ExitCode;
  abstract readonly code: string;
  /** Lines printed after the message: what to do next. */
  readonly hints: string[];
  constructor(message: string, options: { hints?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hints = options.hints ?? [];
  }
}

/** Bad flags or arguments. Always raised before any call that changes the cloud. */
export class UsageError extends AppError {
  readonly exitCode = EXIT_CODES.usage;
  readonly code = 'usage';
}

/** No credential, a rejected credential (UNAUTHENTICATED) or PERMISSION_DENIED. */
export class AuthError extends AppError {
  readonly exitCode = EXIT_CODES.auth;
  readonly code: string;
  constructor(message: string, options: { hints?: string[]; cause?: unknown; code?: 'unauthenticated' | 'permission_denied' | 'no_credential' } = {}) {
    super(message, options);
    this.code = options.code ?? 'unauthenticated';
  }
}

/** A failure reported by the cloud (or the network to it). */
export class CloudError extends AppError {
  readonly exitCode = EXIT_CODES.failure;
  readonly code: string;
  /** gRPC status name such as 'UNAVAILABLE', when known. */
  readonly status: string | undefined;
  readonly requestId: string | undefined;
  constructor(message: string, options: { hints?: string[]; cause?: unknown; status?: string; requestId?: string } = {}) {
    super(message, options);
    this.status = options.status;
    this.requestId = options.requestId;
    this.code = options.status ? options.status.toLowerCase() : 'cloud_error';
  }
}

/** A resource that does not exist or is not visible to the caller. */
export class NotFoundError extends CloudError {
  override readonly code = 'not_found';
}

/** A resource that already exists (for example a service account name taken in the cloud). */
export class AlreadyExistsError extends CloudError {
  override readonly code = 'already_exists';
}

/** A prompt was needed but the session cannot answer one. */
export class NeedsInteractionError extends AppError {
  readonly exitCode = EXIT_CODES.needsInteraction;
  readonly code = 'needs_interaction';
}

/** The person answered "no" to a confirmation: nothing was changed (exit 6, not a failure). */
export class CancelledError extends AppError {
  readonly exitCode = EXIT_CODES.declined;
  readonly code = 'cancelled';
}

/**
 * `list --expiring-within` found keys: not a failure of the tool but an alarm for CI. The list has
 * already been printed on stdout when this is thrown; the message goes to stderr.
 */
export class KeysExpiringError extends AppError {
  readonly exitCode = EXIT_CODES.keysExpiring;
  readonly code = 'keys_expiring';
}

/** SIGINT/SIGTERM. */
export class InterruptedError extends AppError {
  readonly exitCode = EXIT_CODES.interrupted;
  readonly code = 'interrupted';
}

/** A bug. main.ts prints "please report" and, under --debug, the stack. */
export class InternalError extends AppError {
  readonly exitCode = EXIT_CODES.failure;
  readonly code = 'internal';
}

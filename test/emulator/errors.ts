import { status as GrpcStatus } from '@grpc/grpc-js';
import type { GrpcStatusName } from './types.js';

export interface FieldViolation {
  /** Proto path, snake_case: `access_binding_deltas[0].access_binding.role_id`. */
  field: string;
  description: string;
}

/** A status the emulator answers with. Anything else thrown by a handler becomes INTERNAL. */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    readonly code: GrpcStatusName,
    message: string,
    readonly violations: FieldViolation[] = [],
    /** google.rpc.QuotaFailure violations (a used-up quota, in the 'quota-failure' style). */
    readonly quotaViolations: Array<{ subject: string; description: string }> = [],
  ) {
    super(message);
  }
}

export const STATUS_CODES: Record<GrpcStatusName, number> = {
  CANCELLED: GrpcStatus.CANCELLED,
  UNKNOWN: GrpcStatus.UNKNOWN,
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ABORTED: GrpcStatus.ABORTED,
  OUT_OF_RANGE: GrpcStatus.OUT_OF_RANGE,
  UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  INTERNAL: GrpcStatus.INTERNAL,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DATA_LOSS: GrpcStatus.DATA_LOSS,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
};

/** HTTP twin of each code, as the API's error table gives it (reference §2.3). */
export const HTTP_STATUS: Record<GrpcStatusName, number> = {
  CANCELLED: 499, UNKNOWN: 500, INVALID_ARGUMENT: 400, DEADLINE_EXCEEDED: 504, NOT_FOUND: 404,
  ALREADY_EXISTS: 409, PERMISSION_DENIED: 403, RESOURCE_EXHAUSTED: 429, FAILED_PRECONDITION: 400,
  ABORTED: 409, OUT_OF_RANGE: 400, UNIMPLEMENTED: 501, INTERNAL: 500, UNAVAILABLE: 503,
  DATA_LOSS: 500, UNAUTHENTICATED: 401,
};

/** Message used when a fault is injected without one. */
export function defaultFaultMessage(code: GrpcStatusName): string {
  switch (code) {
    case 'UNAVAILABLE': return 'Service is temporarily unavailable, retry in a few seconds';
    case 'PERMISSION_DENIED': return 'Permission denied';
    case 'ABORTED': return 'Conflicting operation in progress';
    case 'UNAUTHENTICATED': return 'Token is invalid or has expired.';
    case 'RESOURCE_EXHAUSTED': return 'Request limit exceeded';
    default: return `Injected ${code}`;
  }
}

export const notFound = (what: string, id: string): EmulatorError =>
  new EmulatorError('NOT_FOUND', `${what} ${id} not found`);

export const permissionDenied = (resource: string): EmulatorError =>
  new EmulatorError('PERMISSION_DENIED', `Permission to [${resource}] denied`);

export const quotaExceeded = (metric: string, limit: number): EmulatorError =>
  new EmulatorError('RESOURCE_EXHAUSTED', `Quota limit ${metric} exceeded (limit ${limit})`);

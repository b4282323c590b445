/**
 * Delivery: handing a result that carries a secret to whoever keeps it: stdout (the runner renders
 * the result in the chosen format and writes it), or a target (a file, a Lockbox secret). A use-case that issues a secret calls `deliver` as its last step and, when it
 * throws, undoes what it created: nobody holds the secret, so the key must not stay behind.
 */
import { AppError, EXIT_CODES } from '../errors.js';

/** Hands `value` over; resolves once the target has accepted all of it (for stdout: the write callback fired). */
export type Deliver<T> = (value: T) => Promise<void>;

/** The result could not be handed over (stdout closed, disk full, a write refused). */
export class DeliveryError extends AppError {
  readonly exitCode = EXIT_CODES.failure;
  readonly code = 'delivery_failed';
}

/** Why a write failed, in words, from a Node.js system error (`code` such as EPIPE). */
export function describeWriteFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'EPIPE':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_STREAM_WRITE_AFTER_END':
      return `whatever was reading it has closed it (${code})`;
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'EIO':
      return 'an input/output error (EIO)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EBADF':
      return 'it is not open (EBADF)';
    default: {
      const text = error instanceof Error ? error.message : String(error);
      return typeof code === 'string' ? `${text} (${code})` : text;
    }
  }
}

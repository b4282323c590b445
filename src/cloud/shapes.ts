/**
 * The shapes of what the cloud hands back, checked before anything is done with it (STYLE.md §11).
 * An ID goes into files, env output, GitHub outputs, Lockbox and messages; a crafted one (a newline,
 * shell metacharacters) must never get that far. Written once: the input checks of src/core/validate.ts
 * use the same rule.
 */
import { CloudError } from '../errors.js';

/**
 * Resource IDs: 20 lowercase letters and digits, starting with a letter (a 3-character service
 * prefix: `b1g` clouds and folders, `aje` IAM, `e6q` Lockbox). The format is not specified anywhere;
 * every ID in the docs and every one observed has this shape (reference §2.1).
 */
export const RESOURCE_ID = /^[a-z][a-z0-9]{19}$/;

/** An API key secret: `AQVN` + 35–38 of `[A-Za-z0-9_-]` (reference §2.1). */
export const API_KEY_SECRET = /^AQVN[A-Za-z0-9_-]{35,38}$/;

export function isResourceId(value: string): boolean {
  return RESOURCE_ID.test(value);
}

/** A short, quoted, escaped rendering of a value that failed its check, for the message. */
function preview(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** The cloud answered with something that does not have the shape it must have. Exit 1. */
export class MalformedAnswerError extends CloudError {
  constructor(what: string, value: string | undefined, options: { hints?: string[] } = {}) {
    super(
      value === undefined
        ? `The cloud answered with a malformed ${what}; nothing was written with it.`
        : `The cloud answered with a malformed ${what} (${preview(value)}, expected 20 lowercase letters and digits); nothing was written with it.`,
      { hints: ['This is not an answer the Yandex Cloud API gives; check --endpoint, and report it if the endpoint is the real one.', ...(options.hints ?? [])] },
    );
  }
}

/**
 * `value` when it is a resource ID.
 * @throws MalformedAnswerError naming `what` ('service account ID').
 */
export function checkedId(value: string, what: string): string {
  if (!RESOURCE_ID.test(value)) throw new MalformedAnswerError(what, value);
  return value;
}

/** Like checkedId, for an optional reference: '' and undefined stay undefined. */
export function checkedOptionalId(value: string | undefined, what: string): string | undefined {
  return value ? checkedId(value, what) : undefined;
}

/**
 * `secret` when it has an API key secret's shape.
 * @throws MalformedAnswerError, which never quotes the value.
 */
export function checkedSecret(secret: string): string {
  if (!API_KEY_SECRET.test(secret)) throw new MalformedAnswerError('API key secret (not AQVN and 35–38 letters, digits, - or _)', undefined);
  return secret;
}

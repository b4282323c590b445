/**
 * Characters a terminal, a log viewer or a CI runner acts on instead of showing: C0 controls, DEL,
 * C1 controls, and the bidi controls that make text read differently than it is (U+061C, U+200E,
 * U+200F, U+202A–U+202E, U+2066–U+2069). Written once: input checks refuse them in names, paths and
 * references (core), and the output sanitiser makes them visible (src/output/sanitize.ts).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Whether `value` holds any of UNSAFE_CHARS. */
export function hasUnsafeChars(value: string): boolean {
  return UNSAFE_CHARS.test(value);
}

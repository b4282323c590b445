const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Names of service accounts, folders and clouds: 1–63 lowercase letters, digits and hyphens,
 * starting with a letter and not ending with a hyphen. The API's pattern since cloudapi d93b73f
 * (2026-05-11) `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`; before it, 3–63. The one definition: flag checks
 * use it, and the emulator's test checks its own copy of the proto pattern against it.
 */
export const RESOURCE_NAME_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The rule in words, for error messages. */
export const RESOURCE_NAME_RULE = '1–63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen';

/**
 * A fresh service account name: `aistudio-<yyyymmdd>-<6 random [a-z0-9]>`, e.g. aistudio-20261127-k3x9qa.
 * Valid by construction (starts with a letter, ends with a letter or digit, 24 chars). The date tells
 * people when it was made; 36^6 random suffixes make clashes within a cloud negligible, and createKey
 * picks another name if one still happens.
 */
export function generateServiceAccountName(now: Date, randomInt: (max: number) => number): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHABET[randomInt(ALPHABET.length)] ?? 'x';
  return `aistudio-${date}-${suffix}`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

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

/**
 * `--encrypt-to`: the API key secret sealed with age (https://age-encryption.org) for the recipients
 * given, so a hand-off (a CI log, a ticket, a file in a repository) never holds it in plaintext, as
 * Terraform's `pgp_key` does for IAM keys. The age-encryption package (the TypeScript implementation
 * by age's author, BSD-3-Clause) is imported only when --encrypt-to is used: start-up is unaffected.
 */
import { UsageError } from '../errors.js';

/** An age recipient as written: `age1…`, lowercase bech32 (X25519, `age1pq1…` hybrid, tag forms); age checks the rest. */
const RECIPIENT_SHAPE = /^age1[0-9a-z]{8,}$/;

/** undefined when `value` can be an --encrypt-to value (an age recipient or @file), else what would be right. */
export function checkRecipientArg(value: string): string | undefined {
  if (value.startsWith('@')) return value.length > 1 ? undefined : 'expected @<file> naming a file of age recipients, one per line';
  return RECIPIENT_SHAPE.test(value) ? undefined : `expected an age recipient (age1…, as \`age-keygen -y\` prints) or @<file> of them, got "${value.slice(0, 80)}"`;
}

/**
 * The recipients the --encrypt-to values name: `age1…` as given, `@file` read (one per line; blank
 * lines and `#` comments skipped), each checked by age itself. Called before anything is created.
 * @returns the distinct recipients, in order.
 * @throws UsageError (exit 2) naming the bad recipient or the unreadable or empty file.
 */
export async function resolveRecipients(values: readonly string[], readFile: (path: string) => Promise<string>): Promise<string[]> {
  const recipients: string[] = [];
  for (const value of values) {
    if (!value.startsWith('@')) {
      recipients.push(value);
      continue;
    }
    const path = value.slice(1);
    let text: string;
    try {
      text = await readFile(path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new UsageError(`--encrypt-to: cannot read the recipients file "${path}" (${typeof code === 'string' ? code : String(error)})`);
    }
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length === 0) throw new UsageError(`--encrypt-to: the recipients file "${path}" holds no recipient (one age1… per line)`);
    for (const line of lines) {
      if (!RECIPIENT_SHAPE.test(line)) throw new UsageError(`--encrypt-to: "${line.slice(0, 80)}" in "${path}" is not an age recipient (age1…)`);
      recipients.push(line);
    }
  }
  const distinct = [...new Set(recipients)];
  const { Encrypter } = await import('age-encryption');
  for (const r of distinct) {
    try {
      new Encrypter().addRecipient(r);
    } catch (error) {
      throw new UsageError(`--encrypt-to: "${r}" is not a valid age recipient (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return distinct;
}

/**
 * The secret encrypted for every recipient (any one of them can decrypt it), ASCII-armoured:
 * `-----BEGIN AGE ENCRYPTED FILE-----` … with a final newline. `age -d -i key.txt` reads it.
 */
export async function sealSecret(secret: string, recipients: readonly string[]): Promise<string> {
  const { Encrypter, armor } = await import('age-encryption');
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const text = armor.encode(await encrypter.encrypt(secret));
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * --encrypt-to (create, rotate): the secret sealed with age for the recipients given, wherever it is
 * written (stdout in every format that can carry it, --out-file), so no plaintext secret appears
 * anywhere. See src/core/seal.ts.
 */
import { checkRecipientArg, resolveRecipients, sealSecret } from '../core/seal.js';
import { UsageError } from '../errors.js';
import type { Format } from '../output/mode.js';
import type { Sealable } from '../output/create.js';
import { OwnText } from '../output/sanitize.js';
import type { CommandContext } from './context.js';
import type { FlagSpec, Zod } from './define.js';
import type { TargetsInput } from './targets.js';

export const ENCRYPT_FLAG = {
  flags: '--encrypt-to <recipient>',
  description: 'encrypt the secret with age for this recipient (age1…, or @file of them; repeatable): JSON then has "secret_encrypted", no "secret"',
  repeatable: true,
  conflicts: { githubOutput: '--github-output keeps the secret itself', toLockbox: '--to-lockbox keeps the secret itself' },
} as const satisfies FlagSpec;

/** The zod field of ENCRYPT_FLAG: the values as given (commander collects the repeats). */
export function encryptField(z: Zod) {
  return z.optional(
    z.array(z.string()).check(
      z.superRefine((values, ctx) => {
        const problem = values.map(checkRecipientArg).find((p) => p !== undefined);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
  );
}

/** Formats that can carry the armoured, several-line ciphertext. */
const SEALED_FORMATS: readonly Format[] = ['text', 'json', 'yaml', 'secret'];

/**
 * The recipients of a run, checked (their files read, each parsed by age) before anything is read
 * or created in the cloud; undefined without --encrypt-to.
 * @throws UsageError (exit 2): a bad recipient, a format that would carry the secret some other way
 *   (env/dotenv lines), --out-file in a format that cannot hold it. The targets that keep the secret
 *   themselves (GitHub outputs, Lockbox) are ENCRYPT_FLAG.conflicts, refused before the run.
 */
export async function runRecipients(values: readonly string[], ctx: CommandContext, targets: TargetsInput): Promise<string[] | undefined> {
  if (values.length === 0) return undefined;
  const format = ctx.mode.format;
  if (!SEALED_FORMATS.includes(format)) throw new UsageError(`--encrypt-to with --format ${format}: the encrypted secret is several lines; use --format json, yaml, text or secret`);
  if (targets.outFile !== undefined && format !== 'json' && format !== 'yaml') {
    throw new UsageError('--encrypt-to with --out-file: the file holds the encrypted secret in JSON or YAML; pass --format json or yaml');
  }
  return resolveRecipients(values, (path) => ctx.deps.readFile(path));
}

/** The result to write when sealing: the secret replaced by its age ciphertext (`secret` emptied). */
export async function sealed<R extends Sealable>(result: R, recipients: readonly string[] | undefined): Promise<R> {
  if (!recipients) return result;
  return { ...result, secret: '', secretEncrypted: new OwnText(await sealSecret(result.secret, recipients)) };
}

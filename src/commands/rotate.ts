import { DEFAULT_EXPIRES_IN } from '../core/preset.js';
import { resolveExpiry, rfc3339 } from '../core/expiry.js';
import { rotateKey, type RotateKeyEvent, type RotateKeyOutcome, type RotateKeyResult, type RotateKeyStep } from '../core/rotate-key.js';
import { checkApiKeyId } from '../core/validate.js';
import type { PreparedDelivery } from '../core/targets/index.js';
import type { CreateKeyResult } from '../core/create-key.js';
import { usageHints } from '../output/create.js';
import { ROTATE_OPEN_FIELD, rotateDocument, rotateDotenv, rotateEnv, rotateNotes, rotateSecret, rotateText, type RotateResultWithReceipts } from '../output/rotate.js';
import type { CommandContext } from './context.js';
import { newRunId } from '../core/create-checks.js';
import { checkRunFormat, configuredExpiry, createCommand, DEFAULT_EXPIRY_MS, secretFileFormat } from './create.js';
import { prepareTargets, refineTargets, TARGET_FLAGS, targetFields, targetsInput } from './targets.js';
import { ENCRYPT_FLAG, encryptField, runRecipients, sealed } from './encrypt.js';
import type { Infer } from '../zod.js';
import { defineCommand, type FlagSpec, type InputEnv, type Renderers, transformIssue, type Zod } from './define.js';

/**
 * The validated input of `rotate`: what its schema's transform returns. The expiry and the targets
 * are create's (an undefined expiry: config's expires-in, else 90 days).
 */
export type RotateInput = Infer<ReturnType<typeof rotateInputSchema>>;

/** The expiry flags are create's own (same spellings, help and checks). */
const EXPIRY_FLAGS = ['expiresAt', 'expiresIn', 'expiry'] as const;

function createFlag(key: (typeof EXPIRY_FLAGS)[number]): FlagSpec {
  const spec = createCommand.flags[key];
  if (!spec) throw new Error(`BUG: create has no flag ${key}`);
  return spec;
}

function rotateInputSchema(z: Zod, env: InputEnv) {
  // create's schema checks and resolves the expiry flags (future, before 2105, at most one of them);
  // handed only those flags, the rest of it falls back to its defaults, which rotate ignores.
  const createSchema = createCommand.input(z, env);
  const fields = z.object({
    keyId: z.string().check(
      z.superRefine((v, ctx) => {
        const problem = checkApiKeyId(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
    keepOld: z.optional(z.boolean()),
    expiresAt: z.optional(z.string()),
    expiresIn: z.optional(z.string()),
    expiry: z.optional(z.boolean()),
    ...targetFields(z),
    encryptTo: encryptField(z),
  });
  return z.pipe(
    fields.check(z.superRefine((raw, ctx) => refineTargets(raw, ctx))),
    z.transform((raw, ctx) => {
      const parsed = createSchema.safeParse({ expiresAt: raw.expiresAt, expiresIn: raw.expiresIn, expiry: raw.expiry });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) transformIssue(ctx, issue.message, issue.path.map(String));
        return z.NEVER;
      }
      return { keyId: raw.keyId, keepOld: raw.keepOld === true, expiry: parsed.data.expiry, targets: targetsInput(raw), encryptTo: raw.encryptTo ?? [] };
    }),
  );
}

const HELP = `
Replaces an API key: issues a new key on the same service account with the same scopes and
description, hands it over exactly as \`create\` does, and only then revokes the old key, so apps
using the old key stop working once the new one is printed. --keep-old leaves the old key for you
to revoke (\`aistudio-key revoke\`) once apps have moved.

The new key's expiry follows create's rule, not the old key's: --expires-in, --expires-at or
--no-expiry, else \`aistudio-key config set expires-in\`, else ${DEFAULT_EXPIRES_IN} from now.
Rotate changes nothing but the key: the account keeps its roles and labels. A key on an account
aistudio-key did not make is rotated too (a note says so): it is your key.
No folder is needed: the key's ID says where it is.

If the new key cannot be handed over (stdout closed, disk full), nobody holds its secret: it is
revoked and the old key stays (exit 1). Ctrl-C before then does the same (exit 130). If the old key
cannot be revoked after the new one was handed over, the exit code is that failure's (1, or 3 for
a permission problem), stderr names the old key, still live, and JSON/YAML say "revoked": [] with
"not_revoked": [{"id", "reason"}]: the document is written before the old key is deleted, all but
that last field, which follows once the cloud has answered.

Output: stdout holds only the result, as with create; the secret is printed once.
  text   create's rows, then Replaces <old key ID>
  json   create's document plus "revoked": ["<old key ID>"] once deleted ([] with --keep-old)
  yaml   the same document as YAML
  env    YC_API_KEY='…' YC_API_KEY_ID='…' YC_FOLDER_ID='…', safe to source
  dotenv YC_API_KEY=… YC_API_KEY_ID=… YC_FOLDER_ID=…
  secret the new secret and one newline, nothing else (not with a target)

--encrypt-to seals the new secret with age, as with create (see \`create --help\`).

Targets: --out-file, --github-output and --to-lockbox work as with create (see \`create --help\`);
they are checked after the old key is read and before the new one is issued. A --to-lockbox
secret given by name is looked up in --lockbox-folder-id, else in the folder of the key's account.

Examples:
  aistudio-key rotate ajeabcdefghij0123456
  aistudio-key rotate ajeabcdefghij0123456 --json | jq -r .secret
  aistudio-key rotate ajeabcdefghij0123456 --format secret | gh secret set YC_API_KEY
  aistudio-key rotate --keep-old --expires-in 30d ajeabcdefghij0123456
  aistudio-key rotate ajeabcdefghij0123456 --to-lockbox ai-studio-key --json
  aistudio-key list --expiring-within 14d      # which keys to rotate
`;

const render: Renderers<RotateResultWithReceipts> = { text: rotateText, json: rotateDocument, env: rotateEnv, dotenv: rotateDotenv, secret: rotateSecret };

export const rotateCommand = defineCommand({
  name: 'rotate <keyId>',
  summary: 'Replace an API key: a new key on the same account with the same scopes, then the old one revoked',
  helpAfter: HELP,
  flags: {
    keepOld: { flags: '--keep-old', description: 'do not revoke the old key (revoke it yourself once apps use the new one)' },
    ...Object.fromEntries(EXPIRY_FLAGS.map((k) => [k, createFlag(k)])),
    ...TARGET_FLAGS,
    encryptTo: ENCRYPT_FLAG,
  },
  input: rotateInputSchema,
  run: runRotate,
  render,
});

const STEP_TEXT: Record<RotateKeyStep, string> = {
  'read': 'Reading the API key…',
  'issue-key': 'Issuing the new API key…',
  'deliver': 'Writing the result…',
  'revoke-old': 'Revoking the old API key…',
  'clean-up': 'Removing the new API key (nobody received it)…',
};

async function runRotate(input: RotateInput, ctx: CommandContext): Promise<RotateKeyOutcome & RotateResultWithReceipts> {
  const { deps, out } = ctx;
  checkRunFormat(ctx.mode.format, { targets: input.targets });
  const recipients = await runRecipients(input.encryptTo, ctx, input.targets);
  const settings = await ctx.settings();
  const expiresAt = resolveExpiry(input.expiry ?? configuredExpiry(settings) ?? { kind: 'in', ms: DEFAULT_EXPIRY_MS, text: DEFAULT_EXPIRES_IN }, deps.now());
  const { gateway } = await ctx.cloud();
  const runId = newRunId(deps.randomInt);
  out.debug(`rotating ${input.keyId}; the new key expires ${expiresAt ? rfc3339(expiresAt) : 'never'}; run id ${runId}`);

  let prepared: PreparedDelivery<CreateKeyResult> | undefined;
  let receipts: RotateResultWithReceipts['receipts'];
  // On stdout: the document less its `revoked` field, which waits for the old key's delete.
  let finish: { result: RotateKeyResult; write: (final: unknown) => Promise<void> } | undefined;
  let outcome: RotateKeyOutcome;
  try {
    outcome = await rotate();
  } catch (error) {
    // The new key was handed over, the old one not revoked: the document says so, then the error.
    if (finish) await finish.write({ ...finish.result, revoked: [], notRevoked: [{ id: finish.result.replaced.id, reason: error instanceof Error ? error.message : String(error) }] });
    throw error;
  }
  // The document as begun: the new key as handed over (sealed with --encrypt-to), then what the revoke confirmed.
  if (finish) await finish.write({ ...outcome, ...finish.result, revoked: outcome.revoked });
  for (const note of rotateNotes(outcome)) if (!note.routine || ctx.mode.format === 'text') out.note(note.text);
  if (!receipts && !recipients && ctx.mode.human) for (const hint of usageHints(outcome)) out.note(hint);
  return receipts ? { ...outcome, receipts } : outcome;

  function rotate(): Promise<RotateKeyOutcome> {
    return rotateKey(gateway, { keyId: input.keyId, expiresAt, keepOld: input.keepOld }, {
      signal: ctx.signal,
      waitSignal: ctx.waitSignal,
      runId,
      onEvent: (event) => onEvent(event, ctx),
      // Targets are checked (read-only) before the new key is issued; a Lockbox name is looked up in the account's folder.
      beforeIssue: async (account) => {
        prepared = await prepareTargets(input.targets, ctx, { folderId: account.folderId, fileFormat: secretFileFormat(ctx.mode.format) });
      },
      deliver: async (result) => {
        ctx.redactor.add(result.secret);
        const written = await sealed(result, recipients);
        // With targets, stdout gets the result (without the secret) once the run is done.
        if (prepared) receipts = await prepared.deliver(written);
        else finish = { result: written, write: await ctx.deliverOpen(written, ROTATE_OPEN_FIELD) };
        // Somebody holds the new key now: it is no longer something this run may leave behind.
        ctx.untrack('api-key');
      },
    });
  }
}

/** Progress, --debug lines, and what a second Ctrl-C says may be left (the new key, until delivered). */
function onEvent(event: RotateKeyEvent, ctx: CommandContext): void {
  switch (event.type) {
    case 'step':
      ctx.out.progress.update(STEP_TEXT[event.step]);
      break;
    case 'starting':
      if (event.resource.kind === 'api-key') {
        const marker = event.resource.marker ? ` (its description ends with ${event.resource.marker})` : '';
        ctx.track('api-key', `possibly a new API key of ${event.resource.serviceAccountId}${marker}`);
      }
      break;
    case 'created':
      if (event.resource.kind !== 'api-key') break;
      ctx.track('api-key', `new API key ${event.resource.id}, not yet delivered`);
      ctx.out.debug(`created API key ${event.resource.id}`);
      break;
    case 'not-created':
      ctx.untrack(event.kind);
      break;
    case 'removed':
      if (event.resource.kind !== 'api-key') break;
      ctx.untrack('api-key');
      ctx.out.debug(`removed API key ${event.resource.id}`);
      break;
    case 'note':
      ctx.out.debug(event.text);
      break;
  }
}

import { checkRolesExist } from '../core/roles.js';
import { runMarker } from '../core/run-marker.js';
import { newRunId } from '../core/create-checks.js';
import { ensureKey, type EnsureEvent, type EnsureResult, type EnsureStep } from '../core/ensure.js';
import { parseDuration, resolveExpiry } from '../core/expiry.js';
import { DEFAULT_DESCRIPTION, DEFAULT_EXPIRES_IN } from '../core/preset.js';
import { checkSecretRef } from '../core/targets/lockbox.js';
import { checkDescription, checkFolderId, checkRole, checkScope, checkServiceAccountName } from '../core/validate.js';
import { ensureDocument, ensureText } from '../output/ensure.js';
import type { CommandContext } from './context.js';
import { settleClock } from './create.js';
import type { Infer } from '../zod.js';
import { defineCommand, type Zod } from './define.js';
import { ADD_LIST_FLAGS, addListFields, refineAddLists, resolveLists } from './preset-lists.js';
import { checkedString, folderFields, folderFlags, folderResolver, listCheck } from './folder.js';

/** The validated input of `ensure`: what its schema's transform returns. */
export type EnsureCommandInput = Infer<ReturnType<typeof ensureInputSchema>>;

const DEFAULT_ROTATE_BEFORE = '14d';

function durationCheck(v: string): string | undefined {
  return parseDuration(v) === undefined ? `expected a duration like 14d, 12h, 2w or 1y, got "${v}"` : undefined;
}

function ensureInputSchema(z: Zod) {
  const fields = z.object({
    ...folderFields(z),
    serviceAccount: checkedString(z, checkServiceAccountName),
    adopt: z.optional(z.boolean()),
    toLockbox: checkedString(z, checkSecretRef),
    lockboxFolderId: checkedString(z, checkFolderId),
    rotateBefore: checkedString(z, durationCheck),
    expiresIn: checkedString(z, durationCheck),
    expiry: z.optional(z.boolean()),
    description: checkedString(z, checkDescription),
    roles: checkedString(z, listCheck(checkRole, 'role')),
    scopes: checkedString(z, listCheck(checkScope, 'scope')),
    ...addListFields(z),
  });
  return z.pipe(
    fields.check(
      z.superRefine((raw, ctx) => {
        refineAddLists(raw, ctx);
        if (raw.serviceAccount === undefined) ctx.addIssue({ code: 'custom', message: '--service-account: required (the name of the account whose key the secret holds)' });
        if (raw.toLockbox === undefined) ctx.addIssue({ code: 'custom', message: '--to-lockbox: required (the Lockbox secret that holds the live key)' });
        const rotate = parseDuration(raw.rotateBefore ?? DEFAULT_ROTATE_BEFORE) ?? 0;
        const lifetime = raw.expiry === false ? undefined : parseDuration(raw.expiresIn ?? DEFAULT_EXPIRES_IN);
        if (lifetime !== undefined && lifetime <= rotate) {
          ctx.addIssue({
            code: 'custom',
            message: `--rotate-before ${raw.rotateBefore ?? DEFAULT_ROTATE_BEFORE} is not shorter than the key lifetime (--expires-in ${raw.expiresIn ?? DEFAULT_EXPIRES_IN}): every run would rotate`,
          });
        }
      }),
    ),
    z.transform(
      (raw) => ({
        folderId: raw.folderId,
        folderName: raw.folderName,
        cloudId: raw.cloudId,
        serviceAccount: raw.serviceAccount ?? '',
        adopt: raw.adopt === true,
        toLockbox: raw.toLockbox ?? '',
        // undefined: the account's folder.
        lockboxFolderId: raw.lockboxFolderId,
        rotateBeforeMs: parseDuration(raw.rotateBefore ?? DEFAULT_ROTATE_BEFORE) ?? 0,
        // undefined: the key never expires.
        expiresInMs: raw.expiry === false ? undefined : parseDuration(raw.expiresIn ?? DEFAULT_EXPIRES_IN),
        description: raw.description ?? DEFAULT_DESCRIPTION,
        ...resolveLists(raw),
      }),
    ),
  );
}

const HELP = `
The idempotent CI bootstrap: safe to run on every pipeline run. The Lockbox secret holds the live
key as entries api-key-id and api-key. Each run reads it and:
  - the key exists, belongs to --service-account and expires later than --rotate-before from now:
    nothing is changed ("up to date" on stderr, exit 0);
  - otherwise: the account is created if missing (labelled managed-by=aistudio-key; only missing
    roles are added, in one add-only change; an existing account without that label needs --adopt,
    as with create), a key is issued and written as a new version of the
    secret (created in the folder if missing), then the previous key is revoked.
Concurrent runs: the new version is based on the version read at the start and checked after the
write; a run that finds another run's version revokes its own key ("superseded", exit 0).
If the write fails, the new key is revoked and what the run created removed.

Reading the secret needs lockbox.payloadViewer, writing it lockbox.editor (on the secret or folder).
The secret is never printed. JSON: {"status", "reason", "lockbox": {"secret_id", "version_id"},
"api_key": {...}, "service_account": {...}, "roles_added", "previous_key"}.

Examples:
  aistudio-key ensure --folder-id b1g0123456789abcdefg --service-account ci-ai-studio --to-lockbox ai-studio-key
  aistudio-key ensure --service-account ci-ai-studio --to-lockbox e6q0123456789abcdefg --rotate-before 30d --json
`;

export const ensureCommand = defineCommand({
  name: 'ensure',
  summary: 'Keep a live AI Studio key in a Lockbox secret: rotate only when missing or expiring (for CI)',
  helpAfter: HELP,
  flags: {
    ...folderFlags('of the service account'),
    serviceAccount: { flags: '--service-account <name>', description: 'service account whose key the secret holds (created if missing)' },
    adopt: { flags: '--adopt', description: 'allow --service-account to name an existing account aistudio-key did not create (not relabelled)' },
    toLockbox: { flags: '--to-lockbox <secret>', description: 'Lockbox secret name or ID holding api-key-id and api-key (created if missing)' },
    lockboxFolderId: { flags: '--lockbox-folder-id <id>', description: 'folder of the secret, when not the account\'s' },
    rotateBefore: { flags: '--rotate-before <duration>', description: `rotate when the key expires within this (default: ${DEFAULT_ROTATE_BEFORE})` },
    expiresIn: { flags: '--expires-in <duration>', description: `lifetime of a new key (default: ${DEFAULT_EXPIRES_IN})`, conflicts: { expiry: true } },
    expiry: { flags: '--no-expiry', description: 'new keys never expire (then only a missing key is replaced)' },
    description: { flags: '--description <text>', description: 'description of a new account and key' },
    roles: { flags: '--roles <list>', description: 'comma list of roles replacing the preset' },
    scopes: { flags: '--scopes <list>', description: 'comma list of key scopes replacing the preset' },
    ...ADD_LIST_FLAGS,
  },
  input: (z) => ensureInputSchema(z),
  run: runEnsure,
  render: { text: ensureText, json: ensureDocument },
});

async function runEnsure(input: EnsureCommandInput, ctx: CommandContext): Promise<EnsureResult> {
  const folder = await folderResolver(input, ctx);
  const folderId = await folder();
  const now = ctx.deps.now();
  const { gateway } = await ctx.cloud();
  // Unknown --roles values are a usage error before anything changes.
  await checkRolesExist(gateway, input.roles, { signal: ctx.signal, note: (t) => ctx.out.debug(t) });
  const runId = newRunId(ctx.deps.randomInt);
  ctx.out.debug(`run marker on a new API key: ${runMarker(runId)}`);
  return ensureKey(
    gateway,
    {
      folderId,
      serviceAccountName: input.serviceAccount,
      adopt: input.adopt,
      lockbox: { ref: input.toLockbox, folderId: input.lockboxFolderId ?? folderId, sleep: ctx.deps.sleep },
      rotateBeforeMs: input.rotateBeforeMs,
      description: input.description,
      roles: input.roles,
      scopes: input.scopes,
      expiresAt: input.expiresInMs === undefined ? undefined : resolveExpiry({ kind: 'in', ms: input.expiresInMs, text: '' }, now),
      now,
    },
    {
      signal: ctx.signal,
      waitSignal: ctx.waitSignal,
      runId,
      onEvent: (event) => onEvent(event, ctx),
      onSecret: (secret) => ctx.redactor.add(secret),
      settle: settleClock(ctx.deps),
    },
  );
}

const STEP_TEXT: Record<EnsureStep, string> = {
  'read': 'Reading the Lockbox secret and the service account…',
  'prepare-account': 'Preparing the service account…',
  'issue-key': 'Issuing the API key…',
  'write-secret': 'Writing the key to Lockbox…',
  'verify': 'Checking the secret…',
  'revoke-previous': 'Revoking the previous key…',
  'clean-up': 'Cleaning up what this run created…',
};

function onEvent(event: EnsureEvent, ctx: CommandContext): void {
  switch (event.type) {
    case 'step':
      ctx.out.progress.update(STEP_TEXT[event.step]);
      break;
    case 'created':
      ctx.track(event.kind, event.description);
      ctx.out.debug(`created ${event.description}`);
      break;
    case 'removed':
      ctx.untrack(event.kind);
      ctx.out.debug(`removed ${event.kind}`);
      break;
    case 'note':
      ctx.out.debug(event.text);
      break;
  }
}

import type { CloudGateway, ServiceAccount } from '../cloud/types.js';
import type { Settings } from '../config/settings.js';
import { checkServiceAccountRef } from '../core/accounts.js';
import { existingAccount, newRunId, refuseTakenName, refuseTakenNames } from '../core/create-checks.js';
import { createKey, planCreateKey, type CreatedResource, type CreateKeyEvent, type CreateKeyStep } from '../core/create-key.js';
import { runMarker } from '../core/run-marker.js';
import { createKeys, MAX_COUNT, planCreateKeys, type CreateKeysEvent, type CreateKeysStep } from '../core/create-keys.js';
import { checkExpiry, parseDuration, parseExpiresAt, resolveExpiry, rfc3339, type ExpiryChoice } from '../core/expiry.js';
import { generateServiceAccountName } from '../core/names.js';
import { checkRolesExist } from '../core/roles.js';
import { DEFAULT_DESCRIPTION, DEFAULT_EXPIRES_IN, PRESET_ROLES, PRESET_SCOPES } from '../core/preset.js';
import { pickFolderTarget, type ResolvedFolder } from '../core/target.js';
import { checkDescription, checkRole, checkScope, checkServiceAccountName } from '../core/validate.js';
import { UsageError } from '../errors.js';
import { createDocument, createDotenv, createEnv, createSecret, createText, usageHints, type CreateOutcome, type DeliveryPlan } from '../output/create.js';
import type { Format } from '../output/mode.js';
import { deliveredDocument, deliveredEnv, deliveredText, type DeliveredOutcome, type SecretFileFormat } from '../output/delivery.js';
import type { TextSink } from '../output/text.js';
import type { DeliveryReceipt, PlannedTarget } from '../core/targets/index.js';
import type { CommandContext } from './context.js';
import type { Infer } from '../zod.js';
import { defineCommand, type Zod } from './define.js';
import { checkedString, folderFields, folderFlags, folderOf, folderSources, folderTargetOrAsk, listCheck, profileSource } from './folder.js';
import { ENCRYPT_FLAG, encryptField, runRecipients, sealed } from './encrypt.js';
import { ADD_LIST_FLAGS, addListFields, refineAddLists, resolveLists } from './preset-lists.js';
import { prepareTargets, refineTargets, TARGET_FLAGS, targetFields, targetFlag, targetsInput, type TargetsInput } from './targets.js';

/** The validated input of `create` (what the parse-contract tests see): what its schema's transform returns. */
export type CreateInput = Infer<ReturnType<typeof createInputSchema>>;

/** What `create` prints: the key (stdout holds the secret), the key delivered elsewhere, or a plan. */
export type CreateRunOutcome = CreateOutcome | DeliveredOutcome;

export const DEFAULT_EXPIRY_MS = parseDuration(DEFAULT_EXPIRES_IN) ?? 0;

function createInputSchema(z: Zod, now: Date) {
  const checked = (check: (v: string) => string | undefined) => checkedString(z, check);
  const list = (check: (v: string) => string | undefined, what: string) => checked(listCheck(check, what));

  const fields = z.object({
    ...folderFields(z),
    name: checked(checkServiceAccountName),
    serviceAccount: checked(checkServiceAccountRef),
    adopt: z.optional(z.boolean()),
    description: checked(checkDescription),
    expiresAt: checked((v) => {
      const at = parseExpiresAt(v);
      if (!at) return `expected an RFC 3339 time like 2027-01-31T18:00:00Z or a date like 2027-01-31, got "${v}"`;
      return checkExpiry(at, now);
    }),
    expiresIn: checked((v) => {
      const ms = parseDuration(v);
      if (ms === undefined) return `expected a duration like 90d, 12h, 2w or 1y, got "${v}"`;
      return checkExpiry(new Date(now.getTime() + ms), now);
    }),
    /** false when --no-expiry was given. */
    expiry: z.optional(z.boolean()),
    roles: list(checkRole, 'role'),
    scopes: list(checkScope, 'scope'),
    ...addListFields(z),
    dryRun: z.optional(z.boolean()),
    count: checked(checkCount),
    ...targetFields(z),
    encryptTo: encryptField(z),
  });
  return z.pipe(
    fields.check(
      z.superRefine((raw, ctx) => {
        if (raw.adopt === true && raw.serviceAccount === undefined) ctx.addIssue({ code: 'custom', message: '--adopt: only with --service-account' });
        if (raw.serviceAccount !== undefined && raw.dryRun === true) {
          ctx.addIssue({ code: 'custom', message: '--dry-run: not available with --service-account yet' });
        }
        refineTargets(raw, ctx);
        refineAddLists(raw, ctx);
        const count = raw.count === undefined || checkCount(raw.count) ? 1 : Number(raw.count);
        if (count > 1) {
          // One key per delivery target: refused before anything is created.
          const target = targetFlag(raw);
          if (target) ctx.addIssue({ code: 'custom', message: `--count ${count} with ${target}: a delivery target takes one key; leave out ${target}, or pass --count 1` });
          // The accounts are X-1 … X-N: the longest name must still be valid.
          const last = raw.name === undefined ? undefined : `${raw.name}-${count}`;
          if (raw.name !== undefined && last !== undefined && !checkServiceAccountName(raw.name) && checkServiceAccountName(last)) {
            ctx.addIssue({ code: 'custom', message: `--name with --count ${count}: the accounts would be named ${raw.name}-1 … ${last}, and "${last}" is longer than 63 characters; choose a shorter --name` });
          }
        }
      }),
    ),
    z.transform((raw) => {
      // undefined: config's expires-in, else 90 days.
      let expiry: ExpiryChoice | undefined;
      if (raw.expiry === false) expiry = { kind: 'never' };
      else if (raw.expiresAt !== undefined) expiry = { kind: 'at', at: parseExpiresAt(raw.expiresAt) ?? now };
      else if (raw.expiresIn !== undefined) expiry = { kind: 'in', ms: parseDuration(raw.expiresIn) ?? 0, text: raw.expiresIn };
      return {
        folderId: raw.folderId,
        folderName: raw.folderName,
        cloudId: raw.cloudId,
        // undefined: generate aistudio-<yyyymmdd>-<random>.
        name: raw.name,
        // Issue the key on this existing account (name or ID) instead of a new one.
        serviceAccount: raw.serviceAccount,
        adopt: raw.adopt === true,
        description: raw.description ?? DEFAULT_DESCRIPTION,
        expiry,
        ...resolveLists(raw),
        dryRun: raw.dryRun === true,
        targets: targetsInput(raw),
        // As given (recipients and @files).
        encryptTo: raw.encryptTo ?? [],
        // Absent when --count was not given (one key).
        ...(raw.count === undefined ? {} : { count: Number(raw.count) }),
      };
    }),
  );
}

/** --count: a whole number of keys, 1 to MAX_COUNT. */
function checkCount(value: string): string | undefined {
  const n = /^\d{1,4}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return n >= 1 && n <= MAX_COUNT ? undefined : `expected a whole number of keys from 1 to ${MAX_COUNT}, got "${value}"`;
}

/**
 * What a person needs at a glance; the long form (existing accounts, --count, targets, the output
 * formats) is in the README under "Flags of create" and the sections it links to.
 */
const HELP = `
The AI Studio preset (the console's "Create API key" button): ${PRESET_ROLES.length} roles on the folder, ${PRESET_SCOPES.length} key scopes;
\`aistudio-key scopes\` lists them. --add-scopes/--add-roles add to it, --scopes/--roles replace it.
Defaults: a new account named aistudio-<yyyymmdd>-<6 random>, a key expiring in ${DEFAULT_EXPIRES_IN}, text output.
The secret is printed once (stdout only holds the result); with a target (--out-file, --github-output,
--to-lockbox) stdout carries no secret. On failure or Ctrl-C, what the run made is removed.

Examples:
  aistudio-key create --folder-id b1g0123456789abcdefg
  aistudio-key create --format secret | gh secret set YC_API_KEY
  aistudio-key create --folder-name default --json | jq -r .secret
  aistudio-key create --dry-run --folder-id b1g0123456789abcdefg
  aistudio-key create --add-scopes yc.serverless.mcpGateways.invoke --json
  aistudio-key create --count 20 --name team-bot --json | jq -r '.[].secret'

More: README "Flags of create" (existing accounts, --count, targets, --encrypt-to, output formats).
`;

export const createCommand = defineCommand({
  name: 'create',
  summary: 'Create a service account with the AI Studio roles and an API key for it; print the key once',
  helpAfter: HELP,
  flags: {
    ...folderFlags('to create the account in'),
    name: { flags: '--name <name>', description: 'service account name, 1-63 of a-z 0-9 - (default: generated)' },
    serviceAccount: {
      flags: '--service-account <name|id>',
      description: 'issue the key on this existing account in the folder, granting only the roles it lacks',
      conflicts: { name: '--name makes a new account' },
    },
    adopt: { flags: '--adopt', description: 'allow --service-account to name an account aistudio-key did not create (not relabelled)' },
    description: { flags: '--description <text>', description: 'description of the account and the key, up to 256 characters' },
    expiresAt: { flags: '--expires-at <time>', description: 'key expiry: RFC 3339 time or YYYY-MM-DD', conflicts: { expiresIn: true, expiry: true } },
    expiresIn: { flags: '--expires-in <duration>', description: `key lifetime: 90d, 12h, 2w, 1y… (default: ${DEFAULT_EXPIRES_IN})`, conflicts: { expiry: true } },
    expiry: { flags: '--no-expiry', description: 'the key never expires' },
    roles: { flags: '--roles <list>', description: 'comma list of roles replacing the preset' },
    scopes: { flags: '--scopes <list>', description: 'comma list of key scopes replacing the preset' },
    ...ADD_LIST_FLAGS,
    dryRun: { flags: '--dry-run', description: 'resolve the folder, check read-only, print the plan; change nothing' },
    count: { flags: '--count <n>', description: `make n keys at once (1-${MAX_COUNT}), each on its own new account (default: 1)` },
    ...TARGET_FLAGS,
    encryptTo: ENCRYPT_FLAG,
  },
  input: (z, { now }) => createInputSchema(z, now),
  run: runCreate,
  render: {
    text: (o: CreateRunOutcome, out: TextSink) => (o.kind === 'delivered' ? deliveredText(o.result, o.receipts, out) : createText(o, out)),
    json: (o: CreateRunOutcome) => (o.kind === 'delivered' ? deliveredDocument(o.result, o.receipts) : createDocument(o)),
    env: (o: CreateRunOutcome) => (o.kind === 'delivered' ? deliveredEnv(o.result, o.receipts, 'env') : createEnv(o)),
    dotenv: (o: CreateRunOutcome) => (o.kind === 'delivered' ? deliveredEnv(o.result, o.receipts, 'dotenv') : createDotenv(o)),
    secret: (o: CreateRunOutcome) => {
      if (o.kind === 'delivered') throw new Error('BUG: a key handed to a target cannot be printed as secret');
      return createSecret(o);
    },
  },
});

async function runCreate(input: CreateInput, ctx: CommandContext): Promise<CreateRunOutcome> {
  const { deps, out } = ctx;
  const count = input.count ?? 1;
  checkRunFormat(ctx.mode.format, { count, dryRun: input.dryRun, targets: input.targets });
  const recipients = await runRecipients(input.encryptTo, ctx, input.targets);
  const settings = await ctx.settings();
  const sources = folderSources(input, ctx.deps.env, settings);
  // Bad values from env or config are reported before the credential chain runs (it may take a second).
  if (sources.some((s) => s.folderId || s.folderName)) pickFolderTarget(sources);
  const expiresAt = resolveExpiry(input.expiry ?? configuredExpiry(settings) ?? { kind: 'in', ms: DEFAULT_EXPIRY_MS, text: DEFAULT_EXPIRES_IN }, deps.now());
  const auth = await ctx.auth();
  const target = folderTargetOrAsk([...sources, profileSource(auth.defaults)], ctx);
  const newName = (): string => generateServiceAccountName(deps.now(), (max) => deps.randomInt(max));
  const name = input.name ?? newName();

  const { gateway, identity } = await ctx.cloud();
  const folder = await folderOf(target, gateway, ctx);
  out.debug(`folder: ${folder.id}${folder.name ? ` (${folder.name})` : ''}; expires: ${expiresAt ? rfc3339(expiresAt) : 'never'}`);
  // Unknown --roles values are a usage error before anything changes (dry run included).
  await checkRolesExist(gateway, input.roles, { signal: ctx.signal, note: (t) => out.debug(t) });
  // Read-only checks of the account: before anything is created.
  const existing = input.serviceAccount === undefined ? undefined : await existingAccount(gateway, input.serviceAccount, input.adopt, folder.id, ctx.signal);
  if (count > 1) return createMany(input, ctx, { gateway, folder, existing, expiresAt, newName, count, recipients });
  if (existing === undefined && input.name !== undefined && !input.dryRun) await refuseTakenName(gateway, folder.id, input.name, ctx.signal);
  const coreInput = {
    folderId: folder.id,
    name: existing?.name ?? name,
    description: input.description,
    roles: input.roles,
    scopes: input.scopes,
    expiresAt,
    ...(existing ? { serviceAccount: existing } : {}),
  };
  // Every target is checked (read-only) before anything is created, dry run included.
  const prepared = await prepareTargets(input.targets, ctx, { folderId: folder.id, fileFormat: secretFileFormat(ctx.mode.format) });

  if (input.dryRun) {
    out.progress.update('Checking (read-only)…');
    const caller = identity.id && identity.kind !== 'unknown' ? { type: identity.kind, id: identity.id } : undefined;
    const plan = await planCreateKey(gateway, coreInput, folder, { signal: ctx.signal, nameGiven: input.name !== undefined, caller });
    if (plan.grantWarning) out.warn(plan.grantWarning);
    return { kind: 'plan', plan, delivery: deliveryPlan(prepared, ctx, recipients) };
  }

  const runId = newRunId(deps.randomInt);
  out.debug(`run marker on the API key: ${runMarker(runId)}`);
  let receipts: DeliveryReceipt[] | undefined;
  const result = await createKey(gateway, coreInput, {
    signal: ctx.signal,
    waitSignal: ctx.waitSignal,
    newName: input.name === undefined && existing === undefined ? newName : undefined,
    runId,
    settle: settleClock(deps),
    onEvent: (event) => onEvent(event, ctx, coreInput.roles.length),
    // The last step: the targets (or stdout) get the result now; if one cannot take it, createKey revokes the key.
    deliver: async (created) => {
      ctx.redactor.add(created.secret);
      const written = await sealed(created, recipients);
      if (prepared) receipts = await prepared.deliver(written);
      else await ctx.deliver({ kind: 'created', result: written } satisfies CreateOutcome);
    },
  });
  // Delivered to targets: stdout gets the result without the secret once the key is safely kept.
  if (receipts) return { kind: 'delivered', result, receipts };
  if (ctx.mode.human && !recipients) for (const hint of usageHints(result)) out.note(hint);
  return { kind: 'created', result };
}

/** `create --count N`, N > 1 (core/create-keys.ts); targets and env formats were refused already. */
async function createMany(
  input: CreateInput,
  ctx: CommandContext,
  run: {
    gateway: CloudGateway;
    folder: ResolvedFolder;
    existing: ServiceAccount | undefined;
    expiresAt: Date | undefined;
    newName: () => string;
    count: number;
    recipients: string[] | undefined;
  },
): Promise<CreateRunOutcome> {
  const { gateway, folder, existing, count } = run;
  const { out } = ctx;
  const names = existing ? [] : Array.from({ length: count }, (_, i) => (input.name === undefined ? run.newName() : `${input.name}-${i + 1}`));
  const coreInput = {
    folderId: folder.id,
    names,
    count,
    description: input.description,
    roles: input.roles,
    scopes: input.scopes,
    expiresAt: run.expiresAt,
    ...(existing ? { serviceAccount: existing } : {}),
  };
  if (input.dryRun) {
    out.progress.update('Checking (read-only)…');
    const plan = await planCreateKeys(gateway, coreInput, folder, { signal: ctx.signal, nameGiven: input.name !== undefined });
    return { kind: 'plan-many', plan, delivery: deliveryPlan(undefined, ctx, run.recipients) };
  }
  if (!existing && input.name !== undefined) await refuseTakenNames(gateway, folder.id, names, ctx.signal);

  const runIds = Array.from({ length: count }, () => newRunId(ctx.deps.randomInt));
  out.debug(`run markers on the API keys: ${runIds.map(runMarker).join(', ')}`);
  const results = await createKeys(gateway, coreInput, {
    signal: ctx.signal,
    waitSignal: ctx.waitSignal,
    newName: input.name === undefined && existing === undefined ? run.newName : undefined,
    runIds,
    settle: settleClock(ctx.deps),
    onEvent: (event) => onBulkEvent(event, ctx, input.roles.length),
    deliver: async (created) => {
      for (const r of created) ctx.redactor.add(r.secret);
      const written = await Promise.all(created.map((r) => sealed(r, run.recipients)));
      await ctx.deliver({ kind: 'created-many', results: written } satisfies CreateOutcome);
    },
  });
  return { kind: 'created-many', results };
}

/** --dry-run: where the secret would go (the targets as preflighted, else stdout) and whether sealed. */
function deliveryPlan(prepared: { planned: readonly PlannedTarget[] } | undefined, ctx: CommandContext, recipients: readonly string[] | undefined): DeliveryPlan {
  return { targets: prepared?.planned ?? [], format: ctx.mode.format, recipients: recipients?.length };
}

/** The clock and sleep for waiting out a new account's eventual consistency (core/settle.ts). */
export function settleClock(deps: CommandContext['deps']): { sleep: (ms: number) => Promise<void>; now: () => number } {
  return { sleep: (ms) => deps.sleep(ms), now: () => deps.now().getTime() };
}

/** Formats that hold one key: refused with --count above 1. */
const ONE_KEY_FORMATS: readonly Format[] = ['env', 'dotenv', 'secret'];

/**
 * The run's output format against its flags (create and rotate), before anything is read or made:
 * env, dotenv and secret hold one key; secret needs a secret to print (no --dry-run, no target).
 * @throws UsageError (exit 2) naming both flags.
 */
export function checkRunFormat(format: Format, run: { count?: number; dryRun?: boolean; targets: TargetsInput }): void {
  const count = run.count ?? 1;
  if (count > 1 && ONE_KEY_FORMATS.includes(format)) throw new UsageError(`--count ${count} with --format ${format}: ${format} holds one key; use --format json, yaml or text`);
  if (format !== 'secret') return;
  if (run.dryRun) throw new UsageError('--format secret with --dry-run: a dry run makes no secret; use --format text or json to see the plan');
  const target = targetFlag(run.targets);
  if (target) throw new UsageError(`--format secret with ${target}: the secret goes to ${target}, leaving nothing to print; pass only one of them`);
}

/** The format of --out-file: the run's --format, text meaning env. */
export function secretFileFormat(format: CommandContext['mode']['format']): SecretFileFormat {
  // secret is refused with targets (checkRunFormat); env is the file's format then only in name.
  return format === 'text' || format === 'secret' ? 'env' : format;
}

const STEP_TEXT: Record<CreateKeyStep, (roles: number) => string> = {
  'create-service-account': () => 'Creating the service account…',
  'check-roles': () => 'Checking the account\'s roles on the folder…',
  'grant-roles-and-issue-key': (n) => (n === 0 ? 'Issuing the API key…' : `Granting ${n} role${n === 1 ? '' : 's'} and issuing the API key…`),
  'deliver': () => 'Writing the result…',
  'clean-up': () => 'Cleaning up what this run created…',
};

const BULK_STEP_TEXT: Record<CreateKeysStep, (count: number, bindings: number) => string> = {
  'check-roles': () => 'Checking the account\'s roles on the folder…',
  'create-service-accounts': (n) => `Creating ${n} service accounts…`,
  'grant-roles-and-issue-keys': (n, b) => (b === 0 ? `Issuing ${n} API keys…` : `Granting ${b} role bindings and issuing ${n} API keys…`),
  'deliver': () => 'Writing the result…',
  'clean-up': () => 'Cleaning up what this run created…',
};

/** `--count N`: progress ("created 7/20 accounts"), and each set's events as onEvent reports them. */
function onBulkEvent(event: CreateKeysEvent, ctx: CommandContext, roleCount: number): void {
  switch (event.type) {
    case 'step':
      ctx.out.progress.update(BULK_STEP_TEXT[event.step](event.count, event.bindings ?? event.count * roleCount));
      break;
    case 'progress':
      ctx.out.progress.update(event.what === 'accounts' ? `Created ${event.done}/${event.total} service accounts…` : `Issued ${event.done}/${event.total} API keys…`);
      break;
    case 'item':
      onEvent(event.event, ctx, roleCount, event.index);
      break;
  }
}

/**
 * Progress, --debug lines, and the list of what may exist (one entry per kind of resource, keyed by
 * kind, and by set number with --count), which a second Ctrl-C prints.
 */
function onEvent(event: CreateKeyEvent, ctx: CommandContext, roleCount: number, index?: number): void {
  const { out } = ctx;
  const id = (kind: CreatedResource['kind']): string => (index === undefined ? kind : `${kind}#${index + 1}`);
  switch (event.type) {
    case 'step':
      // With --count, the bulk steps say what happens; one set's steps would only flicker.
      if (index === undefined) out.progress.update(STEP_TEXT[event.step](event.roles ?? roleCount));
      break;
    case 'starting': {
      const r = event.resource;
      if (r.kind === 'service-account') {
        ctx.track(id(r.kind), `service account ${r.name}${r.id ? ` (${r.id})` : ''} in folder ${r.folderId}, being created`);
        if (r.id) out.debug(`creating service account ${r.id}`);
      } else if (r.kind === 'api-key') {
        ctx.track(id(r.kind), `possibly an API key of ${r.serviceAccountId}${r.marker ? ` (its description ends with ${r.marker})` : ''}`);
      } else {
        ctx.track(id(r.kind), `possibly roles ${r.roles.join(', ')} of ${r.serviceAccountId} on folder ${r.folderId}`);
      }
      break;
    }
    case 'created': {
      const r = event.resource;
      if (r.kind === 'service-account') ctx.track(id(r.kind), `service account ${r.name} (${r.id}) in folder ${r.folderId}`);
      else if (r.kind === 'api-key') ctx.track(id(r.kind), `API key ${r.id}`);
      else ctx.track(id(r.kind), `roles ${r.roles.join(', ')} of ${r.serviceAccountId} on folder ${r.folderId}`);
      out.debug(`created ${describe(r)}`);
      break;
    }
    case 'not-created':
      ctx.untrack(id(event.kind));
      break;
    case 'removed': {
      const r = event.resource;
      ctx.untrack(id(r.kind));
      out.debug(`removed ${describe(r)}`);
      break;
    }
    case 'note':
      out.debug(event.text);
      break;
  }
}

/** For --debug lines. (Not `api-key <id>`: redaction masks anything after `Api-Key `, the header's shape.) */
function describe(r: CreatedResource): string {
  switch (r.kind) {
    case 'service-account':
      return `service account ${r.id}`;
    case 'api-key':
      return `API key ${r.id}`;
    case 'role-bindings':
      return `role bindings ${r.roles.join(',')}`;
  }
}

export function configuredExpiry(settings: Settings & { path: string }): ExpiryChoice | undefined {
  const text = settings.expiresIn;
  if (text === undefined) return undefined;
  if (text === 'never') return { kind: 'never' };
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`config expires-in (${settings.path}): expected a duration like 90d, or never, got "${text}"`);
  return { kind: 'in', ms, text };
}

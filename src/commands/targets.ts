/**
 * The delivery-target flags of `create` and `rotate`: --out-file/--force,
 * --github-output, --to-lockbox/--lockbox-folder-id. Spread `TARGET_FLAGS` into a command's flags
 * and `targetFields(z)` into its schema (with `refineTargets`), then call `prepareTargets` before
 * anything is created in the cloud and pass `prepared.deliver` as the use-case's `deliver`.
 */
import { UsageError } from '../errors.js';
import type { CreateKeyResult } from '../core/create-key.js';
import { preflightDelivery, type DeliveryRequest, type PreparedDelivery } from '../core/targets/index.js';
import type { FileOps } from '../core/targets/file-ops.js';
import { checkSecretRef } from '../core/targets/lockbox.js';
import { checkFolderId } from '../core/validate.js';
import { secretFileContent, type SecretFileFormat } from '../output/delivery.js';
import type { CommandContext } from './context.js';
import type { FlagSpec, Zod } from './define.js';
import { checkedString } from './folder.js';

export interface TargetsInput {
  outFile: string | undefined;
  force: boolean;
  githubOutput: boolean;
  toLockbox: string | undefined;
  lockboxFolderId: string | undefined;
}

export const TARGET_FLAGS: Record<keyof TargetsInput, FlagSpec> = {
  outFile: { flags: '--out-file <path>', description: 'write the result with the secret to this file (mode 0600, atomically); stdout then carries no secret' },
  force: { flags: '--force', description: 'with --out-file: replace an existing file' },
  githubOutput: { flags: '--github-output', description: 'GitHub Actions: mask the secret, set step outputs api-key-id and api-key' },
  toLockbox: { flags: '--to-lockbox <secret>', description: 'write api-key-id and api-key as a new version of this Lockbox secret (name or ID; created if missing)' },
  lockboxFolderId: { flags: '--lockbox-folder-id <id>', description: 'folder of the --to-lockbox secret, when not the account\'s' },
};

/** zod fields for TARGET_FLAGS. */
export function targetFields(z: Zod) {
  return {
    outFile: z.optional(z.string().check(z.minLength(1, 'expected a file path'))),
    force: z.optional(z.boolean()),
    githubOutput: z.optional(z.boolean()),
    toLockbox: checkedString(z, checkSecretRef),
    lockboxFolderId: checkedString(z, checkFolderId),
  };
}

/** The cross-flag rules. */
export function refineTargets(raw: Partial<Record<keyof TargetsInput, unknown>>, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }): void {
  if (raw.force && raw.outFile === undefined) ctx.addIssue({ code: 'custom', message: '--force: only means something with --out-file' });
  if (raw.lockboxFolderId !== undefined && raw.toLockbox === undefined) ctx.addIssue({ code: 'custom', message: '--lockbox-folder-id: only means something with --to-lockbox' });
}

export function targetsInput(raw: { outFile?: string; force?: boolean; githubOutput?: boolean; toLockbox?: string; lockboxFolderId?: string }): TargetsInput {
  return {
    outFile: raw.outFile,
    force: raw.force === true,
    githubOutput: raw.githubOutput === true,
    toLockbox: raw.toLockbox,
    lockboxFolderId: raw.lockboxFolderId,
  };
}

export function anyTarget(t: TargetsInput): boolean {
  return targetFlag(t) !== undefined;
}

/** The first delivery-target flag given ('--out-file', '--github-output', '--to-lockbox'), for messages. */
export function targetFlag(raw: { outFile?: unknown; githubOutput?: unknown; toLockbox?: unknown }): string | undefined {
  return raw.outFile !== undefined ? '--out-file' : raw.githubOutput === true ? '--github-output' : raw.toLockbox !== undefined ? '--to-lockbox' : undefined;
}

/**
 * Writes a workflow command (`::add-mask::`) to stderr as it is: not through the redactor, which
 * would blank the very secret the command names. Resolves once the stream took it (rejects with
 * EPIPE and the like). The spinner is stopped first so the command starts a line of its own.
 */
function commandWriter(ctx: CommandContext): (text: string) => Promise<void> {
  const stream = ctx.deps.stderr;
  return (text) =>
    new Promise((resolve, reject) => {
      ctx.out.progress.stop();
      if (stream.destroyed || stream.writableEnded) {
        reject(Object.assign(new Error('stderr is closed'), { code: 'ERR_STREAM_DESTROYED' }));
        return;
      }
      const onError = (error: Error): void => reject(error);
      stream.once('error', onError);
      stream.write(text, (error) => {
        stream.off('error', onError);
        if (error) reject(error);
        else resolve();
      });
    });
}

export interface PrepareTargetsOptions {
  /** The folder the key's account is made in: the default folder of --to-lockbox. */
  folderId: string;
  /** The file's format: the run's --format, with text meaning env. */
  fileFormat: SecretFileFormat;
  /** Tests: a file system that fails on cue. */
  fs?: FileOps;
}

/**
 * Preflight of every target the flags ask for (read-only; before anything is created in the cloud).
 * @returns undefined when no target was asked for (stdout keeps the secret, as before).
 * @throws UsageError (existing file without --force, not in GitHub Actions, inactive secret),
 *   NotFoundError/AuthError from the Lockbox lookup.
 */
export async function prepareTargets(t: TargetsInput, ctx: CommandContext, opts: PrepareTargetsOptions): Promise<PreparedDelivery<CreateKeyResult> | undefined> {
  if (!anyTarget(t)) return undefined;
  const request: DeliveryRequest<CreateKeyResult> = {
    keyOf: (r) => ({ secret: r.secret, apiKeyId: r.apiKey.id, folderId: r.serviceAccount.folderId }),
  };
  if (t.outFile !== undefined) {
    const format = opts.fileFormat;
    request.outFile = { path: t.outFile, force: t.force, format, render: (r) => secretFileContent(format, r) };
  }
  if (t.githubOutput) request.githubOutput = true;
  if (t.toLockbox !== undefined) request.lockbox = { ref: t.toLockbox, folderId: t.lockboxFolderId ?? opts.folderId, sleep: ctx.deps.sleep };
  if (request.lockbox) ctx.out.progress.update('Checking the Lockbox secret…');
  const prepared = await preflightDelivery(request, {
    env: ctx.deps.env,
    randomInt: (max) => ctx.deps.randomInt(max),
    writeCommand: commandWriter(ctx),
    gateway: request.lockbox ? (await ctx.cloud()).gateway : undefined,
    fs: opts.fs,
    signal: ctx.signal,
    waitSignal: ctx.waitSignal,
  });
  if (prepared.targets.length === 0) throw new UsageError('BUG: targets asked for but none prepared');
  return prepared;
}

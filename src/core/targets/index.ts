/**
 * All delivery targets of one run, together: preflight every one of them before the cloud is
 * touched, then deliver to each in a fixed order — file, GitHub outputs, Lockbox (the one that
 * cannot be taken back goes last). If one fails, those already done are undone (the file removed,
 * the outputs cut off) and the error is thrown, so the caller revokes the key and nobody holds a
 * dead key thinking it live.
 *
 * The `Deliver` a use-case takes (src/core/delivery.ts) is `(result) => prepared.deliver(result)`.
 */
import { AppError } from '../../errors.js';
import type { CallOptions, CloudGateway } from '../../cloud/types.js';
import { DeliveryError } from '../delivery.js';
import type { FileOps } from './file-ops.js';
import { deliverGithubOutput, preflightGithubOutput } from './github-output.js';
import { deliverToLockbox, preflightLockbox, type LockboxPlan, type LockboxRequest } from './lockbox.js';
import { preflightOutFile, writeOutFile } from './out-file.js';
import type { DeliverableKey, Delivered, DeliveryReceipt } from './types.js';

export type { DeliverableKey, DeliveryReceipt } from './types.js';

export type TargetKind = DeliveryReceipt['target'];

export interface DeliveryRequest<R> {
  /** The key's parts every target needs. */
  keyOf(result: R): DeliverableKey;
  outFile?: {
    path: string;
    force: boolean;
    /** 'json' | 'yaml' | 'env' | 'dotenv', for the receipt. */
    format: string;
    /** The file's content (it may hold the secret: it is written with mode 0600). */
    render(result: R): string | Promise<string>;
  };
  githubOutput?: boolean;
  lockbox?: LockboxRequest;
}

export interface DeliveryDeps {
  env: Readonly<Record<string, string | undefined>>;
  randomInt: (max: number) => number;
  /** stderr, unredacted, resolving once the text was accepted (for ::add-mask::). */
  writeCommand: (text: string) => Promise<void>;
  /** Needed for --to-lockbox only. */
  gateway?: CloudGateway;
  fs?: FileOps;
  /** Reads (the preflight). */
  signal?: AbortSignal;
  /** Writes get only this one (see CreateKeyOptions.waitSignal). */
  waitSignal?: AbortSignal;
}

/** Where a target would put the secret, as its preflight found it (for --dry-run). */
export type PlannedTarget =
  | { target: 'file'; path: string; format: string; replaces: boolean }
  | { target: 'github-output'; outputFile: string }
  | { target: 'lockbox'; action: 'add-version'; secretId: string; name: string; folderId: string }
  | { target: 'lockbox'; action: 'create'; name: string; folderId: string };

export interface PreparedDelivery<R> {
  /** The targets, in delivery order; empty when none was asked for (stdout keeps the secret). */
  readonly targets: readonly TargetKind[];
  /** The same targets, each with what its preflight found, in delivery order. */
  readonly planned: readonly PlannedTarget[];
  /**
   * Delivers to every target; on a failure undoes the ones done and throws (a DeliveryError, or the
   * cloud's AppError for Lockbox), with hints naming anything that could not be undone.
   */
  deliver(result: R): Promise<DeliveryReceipt[]>;
}

/**
 * Runs every preflight (env, file system, read-only cloud calls) and returns the delivery.
 * @throws UsageError for a target that cannot work (file exists without --force, not in GitHub
 *   Actions, inactive secret); NotFoundError/AuthError from the Lockbox lookup.
 */
export async function preflightDelivery<R>(request: DeliveryRequest<R>, deps: DeliveryDeps): Promise<PreparedDelivery<R>> {
  const github = request.githubOutput ? await preflightGithubOutput(deps.env, { fs: deps.fs }) : undefined;
  const file = request.outFile ? await preflightOutFile({ path: request.outFile.path, force: request.outFile.force }, { fs: deps.fs, randomInt: deps.randomInt }) : undefined;
  let lockbox: LockboxPlan | undefined;
  if (request.lockbox) {
    if (!deps.gateway) throw new Error('BUG: --to-lockbox needs a gateway');
    lockbox = await preflightLockbox(deps.gateway, request.lockbox, { signal: deps.signal });
  }
  const planned: PlannedTarget[] = [];
  if (file && request.outFile) planned.push({ target: 'file', path: file.path, format: request.outFile.format, replaces: file.existed });
  if (github) planned.push({ target: 'github-output', outputFile: github.outputFile });
  if (lockbox) {
    planned.push(
      lockbox.kind === 'add-version'
        ? { target: 'lockbox', action: 'add-version', secretId: lockbox.secret.id, name: lockbox.secret.name, folderId: lockbox.secret.folderId }
        : { target: 'lockbox', action: 'create', name: lockbox.name, folderId: lockbox.folderId },
    );
  }
  const targets: TargetKind[] = planned.map((p) => p.target);
  const writeOpts: CallOptions = deps.waitSignal ? { signal: deps.waitSignal } : {};

  return {
    targets,
    planned,
    async deliver(result: R): Promise<DeliveryReceipt[]> {
      const key = request.keyOf(result);
      const done: Delivered[] = [];
      try {
        if (file && request.outFile) {
          const content = await request.outFile.render(result);
          const d = await writeOutFile(file, content, { fs: deps.fs, randomInt: deps.randomInt });
          done.push({ ...d, receipt: { ...d.receipt, format: request.outFile.format } });
        }
        if (github) done.push(await deliverGithubOutput(github, key, { fs: deps.fs, randomInt: deps.randomInt, writeCommand: deps.writeCommand }));
        if (lockbox && deps.gateway) done.push(await deliverToLockbox(deps.gateway, lockbox, key, writeOpts));
      } catch (failure) {
        const error = failure instanceof AppError ? failure : new DeliveryError(`Could not deliver the key: ${failure instanceof Error ? failure.message : String(failure)}.`, { cause: failure });
        for (const d of done.reverse()) {
          const left = await d.undo();
          if (left) error.hints.push(left);
        }
        throw error;
      }
      return done.map((d) => d.receipt);
    },
  };
}

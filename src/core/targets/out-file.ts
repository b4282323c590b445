/**
 * `--out-file <path>`: the secret goes into a file of its own, mode 0600, written atomically — a
 * temporary file in the same directory (created with O_EXCL and mode 0600, so it is never readable
 * by others, not even for a moment), fsynced, then given its name in one step. A reader never sees
 * a half-written file, and the temporary file never outlives a failure.
 *
 * No clobbering: an existing file is refused unless `force`, once in the preflight (before anything
 * is created in the cloud) and again at the commit, which links the finished file into place (link
 * fails if the name was taken meanwhile) instead of renaming over it.
 */
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { DeliveryError, describeWriteFailure } from '../delivery.js';
import { hasUnsafeChars } from '../unsafe-chars.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import type { Delivered } from './types.js';

/** Owner read/write only. */
export const SECRET_FILE_MODE = 0o600;

export interface OutFileRequest {
  path: string;
  /** Replace an existing file. */
  force: boolean;
}

/** A checked target: the path exists-or-not as the preflight saw it. */
export interface OutFilePlan {
  path: string;
  dir: string;
  force: boolean;
  /** Something was at the path at preflight time (so `force` was given). */
  existed: boolean;
}

export interface OutFileDeps {
  fs?: FileOps;
  /** Uniform integer in [0, max): names the temporary file. */
  randomInt: (max: number) => number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function tempName(path: string, randomInt: (max: number) => number): string {
  let suffix = '';
  for (let i = 0; i < 12; i++) suffix += ALPHABET[randomInt(ALPHABET.length)] ?? 'x';
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Read-only checks plus one probe: that the path is free (or `force`), is not a directory, and that
 * a file can be created in its directory (a temporary file is created and removed at once, which
 * catches a read-only or foreign directory before the cloud is touched).
 * @throws UsageError naming `--out-file` for every problem.
 */
export async function preflightOutFile(request: OutFileRequest, deps: OutFileDeps): Promise<OutFilePlan> {
  const fs = deps.fs ?? nodeFileOps;
  const path = request.path;
  if (!path || path.endsWith('/')) throw new UsageError(`--out-file: expected a file path, got "${path}"`);
  // A file name that moves the cursor or reads backwards hides where the secret went.
  if (hasUnsafeChars(path)) throw new UsageError('--out-file: a path cannot hold control characters or bidi controls');
  const dir = dirname(path);
  let dirInfo;
  try {
    dirInfo = await fs.stat(dir);
  } catch (error) {
    throw new UsageError(`--out-file: cannot check directory "${dir}" (${describeWriteFailure(error)})`);
  }
  if (!dirInfo?.isDirectory) throw new UsageError(`--out-file: directory "${dir}" does not exist; create it first`);
  let existing;
  try {
    existing = await fs.lstat(path);
  } catch (error) {
    throw new UsageError(`--out-file: cannot check "${path}" (${describeWriteFailure(error)})`);
  }
  if (existing?.isDirectory) throw new UsageError(`--out-file: "${path}" is a directory; name a file`);
  if (existing && !request.force) {
    throw new UsageError(`--out-file: "${path}" already exists; pass --force to replace it, or choose another path`);
  }
  // Probe: can a file be created next to it? Nothing of it remains.
  const probe = tempName(path, deps.randomInt);
  try {
    const file = await fs.open(probe, 'wx', SECRET_FILE_MODE);
    await file.close();
  } catch (error) {
    throw new UsageError(`--out-file: cannot create files in "${dir}" (${describeWriteFailure(error)})`);
  } finally {
    await fs.unlink(probe).catch(() => undefined);
  }
  return { path, dir, force: request.force, existed: existing !== undefined };
}

/**
 * Writes `content` to the planned path atomically with mode 0600. Never leaves the temporary file.
 * The undo removes the file (a later target failed: the key in it is about to be revoked).
 * @throws DeliveryError when anything fails (the path is then as it was: absent, or the old file).
 */
export async function writeOutFile(plan: OutFilePlan, content: string, deps: OutFileDeps): Promise<Delivered & { receipt: { target: 'file' } }> {
  const fs = deps.fs ?? nodeFileOps;
  const temp = tempName(plan.path, deps.randomInt);
  let replaced = false;
  let tempExists = false;
  try {
    const file = await fs.open(temp, 'wx', SECRET_FILE_MODE);
    tempExists = true;
    try {
      // open's mode is filtered by the umask; make it exactly 0600 (never wider, never narrower).
      await file.chmod(SECRET_FILE_MODE);
      await file.write(content);
      await file.sync();
    } finally {
      await file.close();
    }
    if (plan.force) {
      replaced = (await fs.lstat(plan.path)) !== undefined;
      await fs.rename(temp, plan.path);
      tempExists = false;
    } else {
      await commitNoClobber(fs, temp, plan.path);
      await fs.unlink(temp).catch(() => undefined);
      tempExists = false;
    }
    await fs.syncDir(plan.dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new DeliveryError(`Could not write --out-file "${plan.path}": ${describeWriteFailure(error)}.`, { cause: error });
  } finally {
    if (tempExists) await fs.unlink(temp).catch(() => undefined);
  }
  return {
    receipt: { target: 'file', path: plan.path, format: '', replaced },
    undo: async () => {
      try {
        await fs.unlink(plan.path);
        return undefined;
      } catch (error) {
        return codeOf(error) === 'ENOENT' ? undefined : `Could not remove "${plan.path}" (${describeWriteFailure(error)}); it holds a revoked key, delete it.`;
      }
    },
  };
}

/** Links `temp` to `path`, failing if `path` exists. Falls back to check-then-rename where hard links are not supported. */
async function commitNoClobber(fs: FileOps, temp: string, path: string): Promise<void> {
  try {
    await fs.link(temp, path);
    return;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') throw existsNow(path);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
  }
  // No hard links here (FAT, some network file systems): the window between check and rename is tiny.
  if ((await fs.lstat(path)) !== undefined) throw existsNow(path);
  await fs.rename(temp, path);
}

function existsNow(path: string): DeliveryError {
  return new DeliveryError(`--out-file: "${path}" appeared after the check; it was left as it is.`, {
    hints: ['Pass --force to replace it, or choose another path.'],
  });
}

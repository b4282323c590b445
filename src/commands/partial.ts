import type { AppError } from '../errors.js';
import type { CommandContext } from './context.js';

/**
 * The end of a command that works through several items (revoke, prune) where some may fail: the
 * notes go to stderr in a machine format (text output carries them itself); on a failure the result
 * (what did and did not go) is printed first, then the failure is thrown for its exit code.
 * @returns `result` when nothing failed.
 */
export async function resultOrFailure<R>(ctx: CommandContext, result: R, notes: readonly string[], failure: AppError | undefined): Promise<R> {
  if (ctx.mode.format !== 'text') for (const n of notes) ctx.out.note(n);
  if (!failure) return result;
  await ctx.deliver(result);
  throw failure;
}

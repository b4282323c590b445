/**
 * A yes/no question on stderr, answered on stdin. Only a person at a terminal is asked (text output,
 * stdout and stderr terminals, no CI: the "human" mode of STYLE.md §4); anywhere else asking would hang
 * a script, so it throws NeedsInteractionError (exit 4) naming the flag that answers in advance.
 *
 * TODO(revoke): move into CommandContext as ctx.confirm once the runner owner takes it.
 */
import { createInterface } from 'node:readline';
import { AppError, InterruptedError, NeedsInteractionError } from '../errors.js';
import { sanitize } from '../output/sanitize.js';
import type { CommandContext } from './context.js';
import type { FlagSpec } from './define.js';

/** The flag that answers a command's confirmation in advance. */
export const YES_FLAG = { flags: '-y, --yes', description: 'do not ask for confirmation (required when not at a terminal)' } as const satisfies FlagSpec;

/**
 * For a command that will ask before changing anything, checked before the credential chain runs:
 * a script without --yes fails fast and changes nothing.
 * @param what "revoke asks for confirmation before deleting keys".
 * @throws NeedsInteractionError (exit 4) when this session cannot answer.
 */
export function refuseUnconfirmed(ctx: CommandContext, what: string, hints: string[]): void {
  if (!canPrompt(ctx)) throw new NeedsInteractionError(`${what}, and this session is not interactive (no terminal, CI, or a machine format).`, { hints });
}

/** Whether this run may ask the person anything. */
export function canPrompt(ctx: CommandContext): boolean {
  return ctx.mode.human && ctx.deps.stderrIsTTY;
}

/**
 * Asks `question` (a `[y/N]` suffix is added) and resolves true only for y/yes.
 * @param skipFlag the flag that answers yes in advance, for the error message: '--yes'.
 * @param details lines shown just before the question (what it is about), each sanitised; part of
 *   the question, so --quiet does not hide them.
 * @throws NeedsInteractionError when the session is not interactive; the signal's reason when the
 *   run is interrupted while waiting.
 */
export async function confirm(ctx: CommandContext, question: string, skipFlag: string, details: readonly string[] = []): Promise<boolean> {
  if (!canPrompt(ctx)) {
    throw new NeedsInteractionError(`This would ask "${question}", but the session is not interactive; pass ${skipFlag} to go ahead without asking.`);
  }
  ctx.out.progress.stop();
  const about = details.map((line) => `${sanitize(line)}\n`).join('');
  ctx.deps.stderr.write(ctx.redactor.redact(`${about}${sanitize(question)} [y/N] `));
  const answer = await readLine(ctx);
  return /^(y|yes)$/i.test(answer.trim());
}

/** One line from stdin; '' at end of input; rejects with the abort's reason on Ctrl-C. */
export function readLine(ctx: CommandContext): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: ctx.deps.stdin, terminal: false });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      rl.close();
      fn();
    };
    const onAbort = (): void => {
      const reason: unknown = ctx.signal.reason;
      finish(() => reject(reason instanceof AppError ? reason : new InterruptedError('Interrupted.')));
    };
    rl.once('line', (line) => finish(() => resolve(line)));
    // End of input without an answer counts as "no".
    rl.once('close', () => finish(() => resolve('')));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort);
  });
}

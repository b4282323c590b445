/**
 * How an error looks on stderr. Text: `Error: <message>` and hint lines (usage errors stay one line).
 * json/yaml: exactly one `{"error":{"code","message"}}` document, hints folded into the message.
 * The caller passes the text through the Redactor. Messages and hints quote the cloud and flag
 * values: sanitised (src/output/sanitize.ts) in every format, before styling.
 */
import { AppError, InternalError } from '../errors.js';
import { formatYaml } from './formats.js';
import { sanitize, sanitizeLines } from './sanitize.js';
import type { Format } from './mode.js';
import type { Style } from './style.js';

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(message, { cause: error });
}

export async function formatError(error: AppError, opts: { format: Format; style: Style; debug: boolean }): Promise<string> {
  const internal = error instanceof InternalError;
  const message = sanitize(internal ? `Internal error: ${error.message}. This is a bug; please report it with the output of --debug.` : error.message);
  const hints = error.hints.map(sanitize);
  if (opts.format === 'json' || opts.format === 'yaml') {
    const full = [message, ...hints].join(' ');
    const doc = { error: { code: error.code, message: full } };
    return opts.format === 'json' ? `${JSON.stringify(doc)}\n` : formatYaml(doc);
  }
  const s = opts.style;
  const lines = [`${s.red.bold('Error:')} ${message}`];
  if (error.code !== 'usage') for (const h of hints) lines.push(`  ${s.dim(h)}`);
  if (opts.debug) {
    const cause = error.cause instanceof Error ? error.cause : undefined;
    if (error.stack) lines.push(s.dim(sanitizeLines(error.stack)));
    if (cause?.stack) lines.push(s.dim(sanitizeLines(`Caused by: ${cause.stack}`)));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The one sanitiser for human-readable output (STYLE.md §11). Text we did not write — names,
 * descriptions, IDs and error messages from the cloud, flag and env values echoed back — can hold
 * terminal escapes (a window title, a cleared screen, hidden text), newlines, and bidi overrides
 * that make a line read differently than it is. Before such text reaches a terminal or a CI log,
 * every such character is turned into visible notation, as go-gh's asciisanitizer does for gh:
 *
 * - C0 controls and DEL in caret notation (`^[` for ESC, `^J` for a newline, `^?` for DEL); a tab,
 *   CR and LF too, since data must never start a line of its own;
 * - C1 controls (U+0080–U+009F) as `^[` and their 7-bit twin (U+009B, CSI, is `^[[`);
 * - bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) as `\u202E` and the like.
 *
 * And a GitHub runner executes any line that starts (after blanks) with `::` or `##[` as a
 * workflow command, on stdout and stderr alike: such a start is neutralised (`\u003a:warning::…`).
 *
 * Applied at the output boundary (src/commands/runner.ts and src/main.ts): to a result before a
 * text renderer sees it (`sanitizeDeep`), to every note, warning, debug line and prompt before it is
 * styled, and to error messages in every format. Machine formats (json, yaml, env, dotenv) carry
 * the data exactly; their encoders keep it from acting (JSON and YAML escape, env quotes).
 */

import { UNSAFE_CHARS } from '../core/unsafe-chars.js';

/** C0, DEL, C1 and the bidi/format controls a terminal or a log viewer acts on. */
const UNSAFE = new RegExp(UNSAFE_CHARS.source, 'g');

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  if (code <= 0x9f) return `^[${String.fromCharCode(code - 0x40)}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A line a GitHub runner would read as a workflow command: `::name …` or `##[name]`, after blanks. */
const WORKFLOW_COMMAND = /^([ \t]*)(::|##\[)/;

/** Neutralises a workflow-command start at the beginning of `line`, visibly. */
function defuse(line: string): string {
  return line.replace(WORKFLOW_COMMAND, (_m, blanks: string, start: string) => `${blanks}${start === '::' ? '\\u003a:' : '\\u0023#['}`);
}

/**
 * One piece of text we did not write, made safe to show: every control character visible, and no
 * workflow command at its start. The result is one line.
 */
export function sanitize(text: string): string {
  return defuse(text.replace(UNSAFE, visible));
}

/**
 * Text this program wrote that spans lines (an age armour), carried inside a result beside data from
 * the cloud: sanitizeDeep leaves it as it is, so its line breaks survive to the text renderer.
 */
export class OwnText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Every string inside `value` (arrays and plain objects, recursively) sanitised; other values
 * (dates, numbers, OwnText) as they are. For the result a text renderer is given.
 */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value) as T;
  if (value instanceof OwnText) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => sanitizeDeep(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sanitizeDeep(v);
    return out as T;
  }
  return value;
}

/**
 * Text we composed from several lines (a stack trace, say), some of which may hold data: each line
 * sanitised, our line breaks kept.
 */
export function sanitizeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => sanitize(line))
    .join('\n');
}

/**
 * The last guard on a stream: no line of `text` starts a workflow command. Control characters are
 * left alone (our own colour codes and spinner frames are among them); the data in `text` was
 * sanitised before it was styled.
 */
export function defuseLines(text: string): string {
  return text.includes('::') || text.includes('##[') ? text.split('\n').map(defuse).join('\n') : text;
}

/** Aligned text tables for stdout. */
import type { Style } from './style.js';

export interface Cell {
  text: string;
  /** Colour applied after padding, so alignment is computed on the plain text. */
  paint?: (s: string) => string;
}

/** Code points, as a terminal counts most of them. */
function width(text: string): number {
  return [...text].length;
}

/**
 * Rows of columns separated by two spaces, the header in bold (when colour is on). The last column
 * is not padded, so lines carry no trailing blanks.
 */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell | string>>, style: Style): string[] {
  const cells = rows.map((r) => r.map((c): Cell => (typeof c === 'string' ? { text: c } : c)));
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]?.text ?? ''))));
  const line = (row: Cell[], head: boolean): string =>
    row
      .map((c, i) => {
        const last = i === row.length - 1;
        const padded = last ? c.text : c.text + ' '.repeat((widths[i] ?? 0) - width(c.text));
        if (head) return style.bold(padded);
        return c.paint ? c.paint(padded) : padded;
      })
      .join('  ');
  return [line(headers.map((text) => ({ text })), true), ...cells.map((r) => line(r, false))];
}

/** Shortens to `max` code points with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

import type { Style } from './style.js';

/** Where a text renderer writes: result lines to stdout, notes to stderr. */
export interface TextSink {
  line(text: string): void;
  /** A note for the person on stderr (never part of the result). */
  note(text: string): void;
  style: Style;
}

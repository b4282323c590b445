/**
 * Progress on stderr. An ora spinner when the mode allows one (output/mode.ts: stderr a terminal of
 * known width, not TERM=dumb, no CI, colour not turned off); otherwise nothing at all, so logs and
 * pipes stay clean.
 */

export interface Progress {
  /** Starts the spinner, or changes its text. */
  update(text: string): void;
  /** Stops and clears the spinner line. */
  stop(): void;
  /** Writes text to stderr without tearing the spinner line. */
  print(text: string): void;
}

/** Loads ora only when it will be shown. `write` receives every frame (already meant for stderr). */
export async function createProgress(enabled: boolean, write: (text: string) => void, columns: number | undefined): Promise<Progress> {
  // ora counts the lines a frame takes by the width: at 0 it would clear without end.
  if (!enabled || columns === undefined || !(columns > 0)) return { update: () => undefined, stop: () => undefined, print: write };
  const { default: ora } = await import('ora');
  // discardStdin and hideCursor would touch process.stdin and install exit hooks; we want neither.
  const spinner = ora({ stream: ansiTerminal(write, columns), isEnabled: true, discardStdin: false, hideCursor: false });
  return {
    update(text) {
      if (spinner.isSpinning) spinner.text = text;
      else spinner.start(text);
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
    print(text) {
      if (!spinner.isSpinning) return write(text);
      spinner.clear();
      write(text);
      spinner.render();
    },
  };
}

/**
 * The slice of tty.WriteStream ora uses, done with ANSI escapes over a plain write function, so the
 * spinner goes through our redacting stderr writer and works on the buffer streams of tests.
 */
function ansiTerminal(write: (text: string) => void, columns: number): NodeJS.WritableStream {
  const term = {
    isTTY: true,
    columns,
    write(chunk: string | Uint8Array): boolean {
      write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
    cursorTo(x: number): boolean {
      write(`\x1b[${x + 1}G`);
      return true;
    },
    moveCursor(dx: number, dy: number): boolean {
      if (dy < 0) write(`\x1b[${-dy}A`);
      if (dy > 0) write(`\x1b[${dy}B`);
      if (dx < 0) write(`\x1b[${-dx}D`);
      if (dx > 0) write(`\x1b[${dx}C`);
      return true;
    },
    clearLine(dir: number): boolean {
      write(dir === 1 ? '\x1b[0K' : dir === -1 ? '\x1b[1K' : '\x1b[2K');
      return true;
    },
  };
  return term as unknown as NodeJS.WritableStream;
}


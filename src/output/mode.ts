/**
 * The output mode, decided once per run (STYLE.md §4). A machine format (json, yaml, env, dotenv, secret) prints one
 * document on stdout. Text is "human" (alignment, colour on stdout) only when stdout is a terminal outside CI.
 *
 * Colour, per stream, in this order (the first rule that speaks decides; as chalk's supports-color and
 * Node's own tty.hasColors() read the variables, and as gh puts its flags above the environment):
 *   0. --no-color: off, whatever the environment says.
 *   1. FORCE_COLOR=0 or false: off. FORCE_COLOR=1, 2, 3, true or empty: on, even into a pipe or a CI log.
 *   2. NO_COLOR non-empty (https://no-color.org): off.
 *   3. TERM=dumb or CI: off.
 *   4. On when the stream is a terminal.
 * The spinner needs more than colour: stderr a terminal of known, non-zero width (a pseudo-terminal
 * made without a size reports 0 columns, and ora then redraws without end), TERM not dumb (no cursor
 * movement there), not CI, and colour not turned off by FORCE_COLOR=0 or NO_COLOR. FORCE_COLOR never
 * turns a spinner on; --no-color and --quiet turn it off.
 */
import { ENV } from '../config/env.js';
import type { Format } from '../formats.js';

export { FORMATS, isFormat, type Format } from '../formats.js';

export interface OutputMode {
  format: Format;
  /** Text for a person at a terminal: colour and alignment on stdout. */
  human: boolean;
  stdoutColor: boolean;
  stderrColor: boolean;
  /** Show an ora spinner on stderr. */
  spinner: boolean;
  /** --quiet: no progress, notes or hints on stderr. */
  quiet: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** CI is set by every major CI system; `CI=false` and `CI=0` mean "not CI". */
export function isCi(env: Env): boolean {
  const v = env[ENV.ci];
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/** https://no-color.org: present and not empty. */
export function isNoColor(env: Env): boolean {
  const v = env[ENV.noColor];
  return v !== undefined && v !== '';
}

/** FORCE_COLOR: true = colour on, false = off, undefined = not set or not a value it takes (then the other rules decide). */
export function forcedColor(env: Env): boolean | undefined {
  const v = env[ENV.forceColor];
  if (v === undefined) return undefined;
  if (v === '' || v === 'true' || v === '1' || v === '2' || v === '3') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** TERM=dumb: no cursor movement, no colour. */
export function isDumbTerminal(env: Env): boolean {
  return env[ENV.term] === 'dumb';
}

export function decideOutputMode(opts: {
  format: Format;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Width of stderr when it is a terminal; 0 or undefined: unknown (no spinner). */
  stderrColumns?: number | undefined;
  env: Env;
  /** --no-color. */
  noColor?: boolean;
  /** --quiet. */
  quiet?: boolean;
}): OutputMode {
  const { env } = opts;
  const ci = isCi(env);
  const forced = opts.noColor ? false : forcedColor(env);
  const colourOff = forced === false || (forced === undefined && isNoColor(env));
  const colour = (isTTY: boolean): boolean => forced ?? (!colourOff && isTTY && !ci && !isDumbTerminal(env));
  const human = opts.format === 'text' && opts.stdoutIsTTY && !ci;
  const width = opts.stderrColumns ?? 0;
  return {
    format: opts.format,
    human,
    stdoutColor: opts.format === 'text' && colour(opts.stdoutIsTTY),
    stderrColor: colour(opts.stderrIsTTY),
    quiet: opts.quiet === true,
    spinner: !opts.quiet && opts.stderrIsTTY && !ci && !colourOff && !isDumbTerminal(env) && Number.isFinite(width) && width > 0,
  };
}

/**
 * The output mode, decided once per run (STYLE.md §4). A machine format (json, yaml, env, dotenv, secret) prints one
 * document on stdout. Text is "human" (colour on stdout) only when stdout is a terminal outside CI.
 * Spinner and colour on stderr need a terminal on stderr and neither CI nor NO_COLOR.
 */
import { ENV } from '../config/env.js';

/** `secret`: the API key secret and one newline, nothing else (create and rotate, one key). */
export const FORMATS = ['text', 'json', 'yaml', 'env', 'dotenv', 'secret'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export interface OutputMode {
  format: Format;
  /** Text for a person at a terminal: colour and alignment on stdout. */
  human: boolean;
  stdoutColor: boolean;
  stderrColor: boolean;
  /** Show an ora spinner on stderr. */
  spinner: boolean;
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

export function decideOutputMode(opts: { format: Format; stdoutIsTTY: boolean; stderrIsTTY: boolean; env: Env }): OutputMode {
  const ci = isCi(opts.env);
  const noColor = isNoColor(opts.env);
  const human = opts.format === 'text' && opts.stdoutIsTTY && !ci;
  const stderrLively = opts.stderrIsTTY && !ci && !noColor;
  return {
    format: opts.format,
    human,
    stdoutColor: human && !noColor,
    stderrColor: stderrLively,
    spinner: stderrLively,
  };
}

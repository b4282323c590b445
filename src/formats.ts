/**
 * The output formats: the one list every other one derives from (the output mode, a command's
 * --format, completion, and the default `config set format` may store). Here, not in output/,
 * because the settings schema (config/) checks a stored default against it too.
 */

/** `secret`: the API key secret and one newline, nothing else (create and rotate, one key). */
export const FORMATS = ['text', 'json', 'yaml', 'env', 'dotenv', 'secret'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * The formats a stored default may name: all but `secret`, which prints a bare secret and so must be
 * asked for by the run itself.
 */
export const DEFAULT_FORMATS = FORMATS.filter((f): f is Exclude<Format, 'secret'> => f !== 'secret');

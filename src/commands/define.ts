/**
 * A command is a definition (STYLE.md §2): flags, a zod input schema, `run` glue that calls a core
 * use-case, and renderers. src/program.ts registers every definition from one array; the runner
 * (src/commands/runner.ts) turns commander's raw options into the validated input.
 */
import type { ParsePayload, z, ZodSchema } from '../zod.js';
import type { TextSink } from '../output/text.js';
import type { CommandContext } from './context.js';

/**
 * zod/mini's functions (src/zod.ts), handed to `input` so zod is loaded only when a command runs
 * (not for --help). Mini's API is functional: `z.optional(x)`, `x.check(z.superRefine(…))`,
 * `z.pipe(x, z.transform(…))`.
 */
export type Zod = typeof z;

/**
 * Adds a custom issue from inside a `z.transform`: mini hands the transform the parse payload
 * without classic's `ctx.addIssue`; this pushes the issue classic's would (no `continue`, so the
 * parse fails). Return `z.NEVER` after it.
 */
export function transformIssue(payload: ParsePayload, message: string, path?: PropertyKey[]): void {
  payload.issues.push(path === undefined ? { code: 'custom', message, input: payload.value } : { code: 'custom', message, path, input: payload.value });
}

export interface FlagSpec {
  /** commander syntax: '--folder-id <id>', '--dry-run', '--no-expiry'. */
  flags: string;
  description: string;
  /** Name of an env var (from src/config/env.ts) read when the flag is absent. */
  env?: string;
  /** The flag may be given more than once: its values reach the input schema as an array, in order. */
  repeatable?: boolean;
  /**
   * The only values the flag takes. The runner refuses any other (exit 2) before the input schema
   * runs; help lists them and completion offers them (src/commands/flag-rules.ts, options.ts).
   */
  choices?: readonly string[];
  /**
   * Flags of the same command (by key) this one cannot be given with, each with why (said in the
   * error before "pass only one of them") or `true`. Declared on one of the two; the runner refuses
   * the pair (exit 2) before the input schema runs, and both flags' help says "not with …".
   */
  conflicts?: Readonly<Record<string, string | true>>;
}

/** A positional argument's values, declared once: the runner's check and completion's candidates. */
export interface ArgSpec {
  choices: readonly string[];
  /**
   * The input checks the value itself, with a message that says more than "expected one of"
   * (config's <key>: "did you mean folder-id?", or that credentials are never stored).
   */
  ownCheck?: true;
}

/** What an input schema may depend on besides the flags. */
export interface InputEnv {
  now: Date;
}

export interface Renderers<R> {
  /**
   * text: result lines on stdout (coloured only in human mode), notes on stderr. The runner hands it
   * the result with every string sanitised (src/output/sanitize.ts), unless `ownText` is set.
   */
  text(result: R, out: TextSink): void;
  /** The result holds only text this program wrote (a completion script): text gets it as it is. */
  ownText?: true;
  /** json and yaml: the document. */
  json?(result: R): unknown;
  /** env: NAME='value' lines. */
  env?(result: R): string;
  /** dotenv: NAME=value lines for dotenv loaders and GitLab's dotenv report. */
  dotenv?(result: R): string;
  /** secret: the one API key secret and a newline (`create --format secret | gh secret set`). */
  secret?(result: R): string;
}

export interface CommandDefinition<I, R> {
  /** commander name, with positional arguments if any. */
  name: string;
  summary: string;
  /** Extra help text shown after the options. */
  helpAfter?: string;
  /** Keys are the camelCase attribute names commander gives the flags. */
  flags: Record<string, FlagSpec>;
  /** Positional arguments with a fixed set of values, by argument name (the `<shell>` of `completion <shell>`). */
  args?: Readonly<Record<string, ArgSpec>>;
  /**
   * The input schema over the raw flag values (strings, booleans, undefined). An issue's `path[0]`
   * names the flag; an issue with an empty path must name the flags itself.
   */
  input(z: Zod, env: InputEnv): ZodSchema<I>;
  run(input: I, ctx: CommandContext): Promise<R>;
  render: Renderers<R>;
  /** The command edits aistudio-key's config: it runs even when the stored default format is bad (printing text). */
  repairsConfig?: boolean;
}

export function defineCommand<I, R>(definition: CommandDefinition<I, R>): CommandDefinition<I, R> {
  return definition;
}

/** A definition with its types erased, for the registration array. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandDefinition<any, any>;

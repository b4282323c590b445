/**
 * Runs one command: raw commander options -> validated input (parseRun) -> `run` -> rendered result
 * (print). Owns the run's context: output mode, redaction, spinner, how the run stops
 * (interrupts.ts), the lazy credential and cloud connection (cloud-access.ts). It throws;
 * src/main.ts turns errors into exit codes.
 */
import type { Command } from 'commander';
import type { ZodError } from '../zod.js';
import { sourceName } from '../config/sources.js';
import type { Settings } from '../config/settings.js';
import { DeliveryError, describeWriteFailure } from '../core/delivery.js';
import type { Deps } from '../deps.js';
import { AppError, UsageError } from '../errors.js';
import { formatJson, formatYaml } from '../output/formats.js';
import { decideOutputMode, FORMATS, isFormat, type Format, type OutputMode } from '../output/mode.js';
import { createProgress } from '../output/spinner.js';
import { defuseLines, sanitize, sanitizeDeep } from '../output/sanitize.js';
import { createStyle } from '../output/style.js';
import { COMMAND_SPECS } from './command-specs.js';
import type { CommandContext, GlobalOptions } from './context.js';
import type { AnyCommand, FlagSpec } from './define.js';
import { credentialFlagValues, credentialFlagWarnings, GLOBAL_FLAGS, parseGlobalOptions } from './global.js';
import { cloudAccess } from './cloud-access.js';
import { checkChoice, checkFlagRules, longFlag } from './flag-rules.js';
import { watchStops } from './interrupts.js';
import { formatsOf } from './spec.js';
import type { RunState } from './run-state.js';

interface Collected {
  values: Record<string, unknown>;
  /** How to name each present value in an error (config/sources.ts): '--name', 'YC_ENDPOINT'. */
  sources: Record<string, string>;
}

/** Flag values the user gave, else the flag's env var; commander's own defaults are ignored. */
function collect(flags: Record<string, FlagSpec>, cmd: Command, env: Deps['env']): Collected {
  const opts = cmd.opts<Record<string, unknown>>();
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [key, spec] of Object.entries(flags)) {
    if (cmd.getOptionValueSource(key) === 'cli') {
      values[key] = opts[key];
      sources[key] = sourceName.flag(longFlag(spec));
    } else if (spec.env && env[spec.env]) {
      values[key] = env[spec.env];
      sources[key] = sourceName.env(spec.env);
    }
  }
  // Positional arguments ('revoke <keyIds...>') go in under their own names.
  cmd.registeredArguments.forEach((arg, i) => {
    const value: unknown = cmd.processedArgs[i];
    if (value !== undefined) {
      values[arg.name()] = value;
      sources[arg.name()] = `<${arg.name()}>`;
    }
  });
  return { values, sources };
}

function usageFromZod(error: ZodError, flags: Record<string, FlagSpec>, sources: Record<string, string>): UsageError {
  const issue = error.issues[0];
  if (!issue) return new UsageError('invalid input');
  const key = issue.path[0];
  const spec = typeof key === 'string' ? flags[key] : undefined;
  if (typeof key === 'string' && spec) return new UsageError(`${sources[key] ?? longFlag(spec)}: ${issue.message}`);
  if (typeof key === 'string' && sources[key]) return new UsageError(`${sources[key]}: ${issue.message}`);
  return new UsageError(issue.message);
}

/** --format / --json of the command. */
function formatFromFlags(cmd: Command): Format | undefined {
  const opts = cmd.opts<{ format?: string; json?: boolean }>();
  const format = opts.format;
  if (format !== undefined && !isFormat(format)) throw new UsageError(`--format: expected ${FORMATS.join(', ')}, got "${format}"`);
  if (opts.json && format !== undefined && format !== 'json') throw new UsageError(`--json: conflicts with --format ${format}; pass one of them`);
  return opts.json ? 'json' : format;
}

function supports(def: AnyCommand, format: Format): boolean {
  return formatsOf(def.render).includes(format);
}

function ensureSupported(def: AnyCommand, format: Format, source: string): void {
  if (!supports(def, format)) throw new UsageError(`${source}: ${def.name.split(' ')[0]} cannot print ${format}; it prints ${formatsOf(def.render).join(', ')}`);
}

const guarded = new WeakSet<object>();

/**
 * Writes `text` and resolves once the stream took all of it; rejects with the write error (EPIPE
 * when the reader has gone, ENOSPC on a full disk). A failed write also emits 'error' on the
 * stream, which would crash the process without a listener: one quiet listener is added per stream.
 */
function writeAll(stream: Deps['stdout'], text: string): Promise<void> {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', () => undefined);
  }
  return new Promise((resolve, reject) => {
    if (stream.destroyed || stream.writableEnded) {
      reject(Object.assign(new Error('the stream is closed'), { code: 'ERR_STREAM_DESTROYED' }));
      return;
    }
    let settled = false;
    const settle = (error: Error | null | undefined): void => {
      if (settled) return;
      settled = true;
      stream.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    stream.once('error', settle);
    stream.write(text, settle);
  });
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

/**
 * Test seam for the parse contract: when given, it is called with the validated input instead of the
 * command's own `run`, and its return value is rendered as the command's result.
 */
export type RunOverride = (command: string, input: unknown) => Promise<unknown>;

export interface ParsedRun {
  /** The root's options as commander holds them (the credential flags, --timeout as written). */
  rootRaw: Record<string, unknown>;
  global: GlobalOptions;
  /** --format/--json, when given. */
  flagFormat: Format | undefined;
  /** The command's validated input. */
  input: unknown;
}

/**
 * Everything the command line says, checked: the root's options, the format, the command's input
 * (flags, else their env variables, through the command's schema). Records in `state` what main
 * needs to print an error as the run would have.
 * @throws UsageError naming the flag.
 */
export async function parseRun(def: AnyCommand, cmd: Command, root: Command, deps: Deps, state: RunState): Promise<ParsedRun> {
  const rootRaw = root.opts<Record<string, unknown>>();
  for (const v of credentialFlagValues(rootRaw)) state.redactor.add(v);
  const rootCollected = collect(GLOBAL_FLAGS, root, deps.env);
  checkFlagRules(GLOBAL_FLAGS, rootCollected.values, rootCollected.sources);
  const global = parseGlobalOptions(rootCollected.values, rootCollected.sources);
  state.debug = global.debug;

  let flagFormat: Format | undefined;
  try {
    flagFormat = formatFromFlags(cmd);
  } catch (error) {
    // The format itself is in question: say so in plain text.
    state.format = 'text';
    throw error;
  }
  if (flagFormat) {
    state.format = flagFormat;
    ensureSupported(def, flagFormat, flagFormat === 'json' && cmd.opts<{ json?: boolean }>().json ? '--json' : '--format');
  }

  const collected = collect(def.flags, cmd, deps.env);
  checkFlagRules(def.flags, collected.values, collected.sources);
  for (const [arg, spec] of Object.entries(def.args ?? {})) {
    if (!spec.ownCheck) checkChoice(collected.sources[arg] ?? `<${arg}>`, spec.choices, collected.values[arg]);
  }
  const { z } = await import('../zod.js');
  const parsed = def.input(z, { now: deps.now() }).safeParse(collected.values);
  if (!parsed.success) throw usageFromZod(parsed.error, def.flags, collected.sources);
  return { rootRaw, global, flagFormat, input: parsed.data };
}

export async function runCommand(def: AnyCommand, cmd: Command, root: Command, deps: Deps, state: RunState, runOverride?: RunOverride): Promise<void> {
  const { rootRaw, global, flagFormat, input } = await parseRun(def, cmd, root, deps, state);

  // Everything on stderr but the ::add-mask:: command: redacted, and no line a workflow command.
  const err = (text: string): void => {
    deps.stderr.write(defuseLines(state.redactor.redact(text)));
  };

  // Each stored value is checked on its own: a bad one fails only what uses it (settings() below).
  const stored = once(async () => {
    const { readSettingsAndProblems } = await import('../config/file.js');
    return readSettingsAndProblems(deps.configDir);
  });
  const settings = once(async (): Promise<Settings & { path: string }> => {
    const { settings: good, problems } = await stored();
    if (problems[0]) throw problems[0].error;
    return good;
  });

  let format = flagFormat;
  if (!format) {
    const { settings: good, problems } = await stored();
    const bad = problems.find((p) => p.key === 'format');
    // `config` runs with a bad default format (it is how one fixes it); every other command says what is wrong.
    if (bad && !def.repairsConfig) throw bad.error;
    // A configured default the command cannot print falls back to text rather than failing.
    const fromConfig = good.format;
    format = fromConfig && supports(def, fromConfig) ? fromConfig : 'text';
    state.format = format;
  }
  // A terminal's width; 0 for a pseudo-terminal made without a size, undefined for a pipe.
  const stderrColumns = (deps.stderr as { columns?: number }).columns;
  const mode: OutputMode = decideOutputMode({ format, stdoutIsTTY: deps.stdoutIsTTY, stderrIsTTY: deps.stderrIsTTY, stderrColumns, env: deps.env, noColor: global.noColor, quiet: global.quiet });
  const errStyle = createStyle(mode.stderrColor);
  const spinner = await createProgress(mode.spinner, err, stderrColumns);
  // The spinner's text may quote a flag value: sanitised like every other line on stderr.
  const progress: typeof spinner = { ...spinner, update: (text) => spinner.update(sanitize(text)) };
  const debug = (text: string): void => {
    if (global.debug) progress.print(`${errStyle.dim(`debug: ${sanitize(text)}`)}\n`);
  };
  const out: CommandContext['out'] = {
    // Notes and warnings may quote the cloud or a flag: sanitised (one line each) before styling.
    // --quiet drops the notes (and with them the hints after a key); warnings still show.
    note: (text) => {
      if (!mode.quiet) progress.print(`${errStyle.dim(sanitize(text))}\n`);
    },
    warn: (text) => progress.print(`${errStyle.yellow('Warning:')} ${sanitize(text)}\n`),
    debug,
    progress,
  };
  for (const w of credentialFlagWarnings(rootRaw)) out.warn(w);

  const stops = watchStops(deps, {
    timeout: global.timeoutMs === undefined ? undefined : { ms: global.timeoutMs, text: String(rootRaw.timeout) },
    err,
    beforeMessage: () => progress.stop(),
  });
  const access = cloudAccess(deps, { global, state, settings, out, signal: stops.signal, abandonSignal: stops.abandonSignal });

  let delivered = false;
  const deliver = async (result: unknown): Promise<void> => {
    if (delivered) throw new Error('BUG: a result was delivered twice');
    delivered = true;
    progress.stop();
    await print(def, result, mode, deps, out.note);
  };

  const deliverOpen = async (result: unknown, openField: string): Promise<(final: unknown) => Promise<void>> => {
    if (mode.format !== 'json' && mode.format !== 'yaml') {
      await deliver(result);
      return () => Promise.resolve();
    }
    if (delivered) throw new Error('BUG: a result was delivered twice');
    delivered = true;
    progress.stop();
    const render = (r: unknown): Promise<string> => (mode.format === 'json' ? Promise.resolve(formatJson(def.render.json?.(r))) : formatYaml(def.render.json?.(r)));
    const first = await render(result);
    const at = first.lastIndexOf(mode.format === 'json' ? `\n  ${JSON.stringify(openField)}:` : `\n${openField}:`);
    if (at < 0) throw new Error(`BUG: the document has no top-level "${openField}"`);
    const head = first.slice(0, at);
    await writeStdout(deps, head);
    return async (final) => {
      const whole = await render(final);
      if (!whole.startsWith(head)) throw new Error(`BUG: the final document does not continue what was written before "${openField}"`);
      await writeStdout(deps, whole.slice(head.length));
    };
  };

  const ctx: CommandContext = {
    deps,
    global,
    mode,
    signal: stops.signal,
    waitSignal: stops.waitSignal,
    redactor: state.redactor,
    commands: COMMAND_SPECS,
    out,
    settings,
    auth: access.auth,
    endpoint: access.endpoint,
    cloud: access.cloud,
    track: stops.track,
    untrack: stops.untrack,
    deliver,
    deliverOpen,
  };

  try {
    let result: unknown;
    try {
      result = runOverride ? await runOverride(def.name.split(' ')[0] ?? def.name, input) : await def.run(input, ctx);
    } catch (error) {
      throw abortAware(error, stops.signal);
    } finally {
      progress.stop();
    }
    if (!delivered) await print(def, result, mode, deps, out.note);
  } finally {
    stops.dispose();
    access.close();
  }
}

/** After an abort, a read call that was cut short surfaces as the abort's reason (with any hints). */
function abortAware(error: unknown, signal: AbortSignal): unknown {
  if (!signal.aborted || error === signal.reason) return error;
  const reason: unknown = signal.reason;
  if (!(reason instanceof AppError)) return error;
  if (error instanceof AppError) reason.hints.push(...error.hints);
  return reason;
}


/** Renders the result; stdout gets only the result, text-mode notes go to stderr after it. */
async function print(def: AnyCommand, result: unknown, mode: OutputMode, deps: Deps, note: (t: string) => void): Promise<void> {
  let text: string;
  const notes: string[] = [];
  switch (mode.format) {
    case 'json':
      text = formatJson(def.render.json?.(result));
      break;
    case 'yaml':
      text = await formatYaml(def.render.json?.(result));
      break;
    case 'env':
      text = def.render.env?.(result) ?? '';
      break;
    case 'dotenv':
      text = def.render.dotenv?.(result) ?? '';
      break;
    case 'secret':
      text = def.render.secret?.(result) ?? '';
      break;
    case 'text': {
      const lines: string[] = [];
      // The renderers style and lay out; the data they are given is sanitised here, once for all.
      def.render.text(def.render.ownText ? result : sanitizeDeep(result), { line: (l) => lines.push(l), note: (n) => notes.push(n), style: createStyle(mode.stdoutColor) });
      text = lines.length > 0 ? defuseLines(`${lines.join('\n')}\n`) : '';
      break;
    }
  }
  await writeStdout(deps, text);
  for (const n of notes) note(n);
}

async function writeStdout(deps: Deps, text: string): Promise<void> {
  try {
    if (text) await writeAll(deps.stdout, text);
  } catch (error) {
    // A command whose result holds a secret delivers through ctx.deliver, and its use-case undoes
    // what it made when this throws (core/delivery.ts).
    throw new DeliveryError(`Could not write the result to stdout: ${describeWriteFailure(error)}.`, { cause: error });
  }
}

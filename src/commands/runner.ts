/**
 * Runs one command: raw commander options -> validated input -> `run` -> rendered result. Owns the
 * run's context: output mode, redaction, spinner, Ctrl-C handling, --timeout, the lazy credential
 * and cloud connection. It throws; src/main.ts turns errors into exit codes.
 */
import type { Command } from 'commander';
import type { ZodError } from '../zod.js';
import type { ResolvedAuth } from '../auth/types.js';
import type { Connection } from '../cloud/types.js';
import { ENV } from '../config/env.js';
import { proxyFor } from '../config/proxy.js';
import { sourceName } from '../config/sources.js';
import type { Settings } from '../config/settings.js';
import type { Sourced } from '../core/target.js';
import { DeliveryError, describeWriteFailure } from '../core/delivery.js';
import { checkEndpoint } from '../core/validate.js';
import type { Deps } from '../deps.js';
import { AppError, CloudError, EXIT_CODES, InterruptedError, UsageError } from '../errors.js';
import { formatJson, formatYaml } from '../output/formats.js';
import { decideOutputMode, FORMATS, isFormat, type Format, type OutputMode } from '../output/mode.js';
import { createProgress } from '../output/spinner.js';
import { defuseLines, sanitize, sanitizeDeep } from '../output/sanitize.js';
import { createStyle } from '../output/style.js';
import type { CommandContext } from './context.js';
import type { AnyCommand, FlagSpec } from './define.js';
import { credentialFlagValues, credentialFlagWarnings, DEFAULT_ENDPOINT, parseGlobalOptions } from './global.js';
import { formatsOf } from './spec.js';
import type { RunState } from './run-state.js';

/** '--folder-id <id>' -> '--folder-id'. */
export function longFlag(spec: FlagSpec): string {
  return spec.flags.split(/[ ,]+/).find((p) => p.startsWith('--')) ?? spec.flags;
}

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

/** After a Ctrl-C or --timeout, how long calls already in flight are waited for before giving up on them. */
export const DEFAULT_INTERRUPT_GRACE_MS = 10_000;
/** After that grace period, how long the clean-up may take before every call still running is abandoned. */
export const DEFAULT_CLEANUP_BOUND_MS = 10_000;

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

export async function runCommand(def: AnyCommand, cmd: Command, root: Command, deps: Deps, state: RunState): Promise<void> {
  const rootRaw = root.opts<Record<string, unknown>>();
  for (const v of credentialFlagValues(rootRaw)) state.redactor.add(v);
  const global = parseGlobalOptions(rootRaw, deps.env);
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
  const { z } = await import('../zod.js');
  const parsed = def.input(z, { now: deps.now() }).safeParse(collected.values);
  if (!parsed.success) throw usageFromZod(parsed.error, def.flags, collected.sources);
  const input: unknown = parsed.data;

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
  const mode: OutputMode = decideOutputMode({ format, stdoutIsTTY: deps.stdoutIsTTY, stderrIsTTY: deps.stderrIsTTY, stderrColumns, env: deps.env });
  const errStyle = createStyle(mode.stderrColor);
  const spinner = await createProgress(mode.spinner, err, stderrColumns);
  // The spinner's text may quote a flag value: sanitised like every other line on stderr.
  const progress: typeof spinner = { ...spinner, update: (text) => spinner.update(sanitize(text)) };
  const debug = (text: string): void => {
    if (global.debug) progress.print(`${errStyle.dim(`debug: ${sanitize(text)}`)}\n`);
  };
  const out: CommandContext['out'] = {
    // Notes and warnings may quote the cloud or a flag: sanitised (one line each) before styling.
    note: (text) => progress.print(`${errStyle.dim(sanitize(text))}\n`),
    warn: (text) => progress.print(`${errStyle.yellow('Warning:')} ${sanitize(text)}\n`),
    debug,
    progress,
  };
  for (const w of credentialFlagWarnings(rootRaw)) out.warn(w);

  const auth = once(async (): Promise<ResolvedAuth> => {
    const s = await settings();
    // Config's profile ranks below --profile and YC_PROFILE (which the chain reads itself), and is named as config's.
    const fromConfig = global.auth.profile === undefined && !deps.env[ENV.profile] && s.profile !== undefined;
    const flags = fromConfig ? { ...global.auth, profile: s.profile, profileSource: sourceName.config('profile', s.path), profileIsDefault: true } : global.auth;
    const { resolveCredential } = await import('../auth/chain.js');
    const resolved = await resolveCredential(flags, deps);
    for (const w of resolved.warnings ?? []) out.warn(w);
    const c = resolved.credential;
    if (c.kind === 'sa-key') state.redactor.add(c.key.privateKey);
    else state.redactor.add(c.token);
    debug(`credential: ${c.kind} from ${c.source} (tried: ${resolved.tried.join(', ')})`);
    return resolved;
  });

  const endpoint = once(async (): Promise<Sourced> => {
    if (global.endpoint) return global.endpoint;
    const s = await settings();
    const candidates: Sourced[] = [];
    if (s.endpoint) candidates.push({ value: s.endpoint, source: sourceName.config('endpoint', s.path) });
    else {
      const defaults = (await auth()).defaults;
      if (defaults?.endpoint) candidates.push({ value: defaults.endpoint, source: sourceName.ycProfile('endpoint', defaults.source) });
    }
    const chosen = candidates[0] ?? { value: DEFAULT_ENDPOINT, source: 'default' };
    const problem = checkEndpoint(chosen.value);
    if (problem) throw new UsageError(`${chosen.source}: ${problem}`);
    return chosen;
  });

  let connection: Connection | undefined;
  const cloud = once(async (): Promise<Connection> => {
    const [resolved, ep] = await Promise.all([auth(), endpoint()]);
    const caPem = global.caFile === undefined ? undefined : await readCa(deps, global.caFile);
    debug(`endpoint: ${ep.value} (${ep.source})`);
    connection = await deps.connect({
      endpoint: ep.value,
      caPem,
      credential: resolved.credential,
      proxyFor: (host, port) => proxyFor(host, port, deps.env),
      debug: global.debug ? debug : undefined,
      warn: out.warn,
      sleep: deps.sleep,
      now: deps.now,
      retries: global.retries,
      signal: controller.signal,
      abandonSignal: abandon.signal,
    });
    debug(`caller: ${connection.identity.kind} ${connection.identity.id ?? '(unknown id)'}`);
    return connection;
  });

  // Three stages of stopping. `controller`: no new work (Ctrl-C, SIGTERM, --timeout). `waiting`, a
  // grace period later: stop waiting for calls and operations already sent (a call still unanswered
  // is cancelled and reported as possibly done); what they make is removed by id. `abandon`, a
  // bounded clean-up later: every call still running is cancelled (a stalled service cannot hold the
  // run), and what the clean-up could not remove is reported.
  const controller = new AbortController();
  const waiting = new AbortController();
  const abandon = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = (reason: AppError): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    graceTimer = setTimeout(() => {
      waiting.abort(reason);
      graceTimer = setTimeout(() => abandon.abort(reason), deps.cleanupBoundMs ?? DEFAULT_CLEANUP_BOUND_MS);
    }, deps.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS);
  };
  const tracked = new Map<string, string>();
  let interrupts = 0;
  const unsubscribe = deps.onInterrupt((signal) => {
    interrupts += 1;
    progress.stop();
    if (interrupts === 1) {
      err(`${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: finishing calls in flight and removing what this run created. Press Ctrl-C again to exit at once.\n`);
      stop(new InterruptedError(`Interrupted (${signal}).`));
      return;
    }
    const left = [...tracked.values()];
    err(
      left.length > 0
        ? `Exiting at once. This run may have left: ${left.join('; ')}. Deleting the service account also deletes its API keys.\n`
        : 'Exiting at once; this run had created nothing yet.\n',
    );
    deps.exit(EXIT_CODES.interrupted);
  });
  const timer =
    global.timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop(new CloudError(`Gave up after --timeout ${String(rootRaw.timeout)}.`, { status: 'DEADLINE_EXCEEDED' })), global.timeoutMs);

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
    signal: controller.signal,
    waitSignal: waiting.signal,
    redactor: state.redactor,
    out,
    settings,
    auth,
    endpoint,
    cloud,
    track: (id, description) => void tracked.set(id, description),
    untrack: (id) => void tracked.delete(id),
    deliver,
    deliverOpen,
  };

  try {
    let result: unknown;
    try {
      result = deps.runOverride ? await deps.runOverride(def.name.split(' ')[0] ?? def.name, input) : await def.run(input, ctx);
    } catch (error) {
      throw abortAware(error, controller.signal);
    } finally {
      progress.stop();
    }
    if (!delivered) await print(def, result, mode, deps, out.note);
  } finally {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (graceTimer) clearTimeout(graceTimer);
    connection?.gateway.close();
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

async function readCa(deps: Deps, path: string): Promise<Buffer> {
  try {
    const pem = await deps.readFile(path);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file: "${path}" holds no PEM certificate`);
    return Buffer.from(pem);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--ca-file: cannot read "${path}" (${typeof code === 'string' ? code : String(error)})`);
  }
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

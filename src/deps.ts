/**
 * Everything the program takes from the outside world. createDeps() is the only reader of
 * process.*, Date, os.homedir and randomness (STYLE.md §3); tests build a Deps of their own
 * (test/helpers/run-cli.ts) with buffer streams, a fixed clock and a temporary config dir.
 */
import { execFile as execFileCb } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { HttpFetch } from './auth/http-fetch.js';
import type { AuthDeps } from './auth/types.js';
import type { ConnectTarget, Connection } from './cloud/types.js';
import { redact as redactShapes } from './cloud/redact.js';
import { sanitize } from './output/sanitize.js';
import { ENV } from './config/env.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export interface Deps extends AuthDeps {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** stdin is a terminal: a person can answer a question (the folder picker). Absent: no. */
  stdinIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** Directory of aistudio-key's own config; undefined = conf's per-OS default. */
  configDir: string | undefined;
  /** This package's version, from package.json. */
  version: string;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Uniform integer in [0, max). */
  randomInt(max: number): number;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  fetch: HttpFetch;
  execFile(file: string, args: string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string }>;
  /** Opens the cloud. The default loads src/cloud/connect.js (and the SDK) only when called. */
  connect(target: ConnectTarget): Promise<Connection>;
  /** Subscribes to SIGINT/SIGTERM for the duration of a run; returns the unsubscribe function. */
  onInterrupt(handler: (signal: InterruptSignal) => void): () => void;
  /** Leaves the process at once (a second Ctrl-C). */
  exit(code: number): void;
  /** After Ctrl-C or --timeout, how long operations in flight are waited for (ms). Default 10 s; tests shorten it. */
  interruptGraceMs?: number;
  /** After the grace period, how long the clean-up's calls may take before every call is abandoned (ms). Default 10 s; tests shorten it. */
  cleanupBoundMs?: number;
}

/**
 * Process-wide set-up of the real CLI, called once by the bin shim (never by tests, which run main
 * in-process):
 * - Node's DEP0123 warning ("Setting the TLS ServerName to an IP address is not permitted by RFC
 *   6066…") is dropped. grpc-js triggers it whenever --endpoint is an IP literal; it is Node talking
 *   about its own internals, nothing a user can act on. Every other warning still prints.
 * - A write error on stdout or stderr (EPIPE: the reader has gone) is reported to the writer's
 *   callback; the 'error' event that follows must not crash the process, so each stream gets one
 *   quiet listener.
 * - An exception nothing caught (a bug) is printed as one line with every credential shape redacted
 *   (no stack, which could quote a request), and the process exits 1.
 */
export function installProcessGuards(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const [typeOrOptions, code] = rest;
    const warningCode =
      typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : typeof code === 'string' ? code : (warning as { code?: unknown }).code;
    if (warningCode === 'DEP0123') return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.on('uncaughtException', (error) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`Internal error: ${sanitize(redactShapes(text))}. This is a bug; please report it with the output of --debug.\n`);
    process.exit(1);
  });
}

/** Inlined by the build (scripts/build.mjs); undeclared when src/ runs unbundled (tests). */
declare const __AISTUDIO_KEY_VERSION__: string | undefined;

/** The bundle carries the version; unbundled, package.json sits one level above src/. */
export function readPackageVersion(): string {
  if (typeof __AISTUDIO_KEY_VERSION__ === 'string') return __AISTUDIO_KEY_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export function createDeps(): Deps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    homedir: homedir(),
    configDir: process.env[ENV.configDir] || undefined,
    version: readPackageVersion(),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomInt: (max) => randomInt(max),
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    // Dynamic: only the CI federation sources make HTTP calls; other runs never load node:https for them.
    fetch: async (url, init) => (await import('./auth/http-fetch.js')).httpFetch(url, init),
    execFile: (file, args, opts) =>
      new Promise((resolve, reject) => {
        execFileCb(file, args, { timeout: opts?.timeoutMs ?? 0, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve({ stdout })));
      }),
    connect: async (target) => {
      // Dynamic on purpose: --help and --version must not load the SDK (test/unit/startup-graph.test.ts checks the module graph).
      const { connect } = await import('./cloud/connect.js');
      return connect(target);
    },
    onInterrupt: (handler) => {
      const listener = (signal: NodeJS.Signals): void => handler(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
      // While a run handles SIGINT/SIGTERM itself, other libraries' signal hooks are set aside and
      // put back afterwards. when-exit (conf -> atomically) re-sends the signal to the process after
      // its own clean-up, to die the default way: that second signal would look like a second
      // Ctrl-C and end the run at once, before it removed what it had created. Hooks added during
      // the run (conf is loaded lazily) are set aside as they come.
      const signals = ['SIGINT', 'SIGTERM'] as const;
      const stashed: Array<[NodeJS.Signals, (...args: unknown[]) => void]> = [];
      for (const signal of signals) {
        for (const other of process.listeners(signal)) {
          process.off(signal, other);
          stashed.push([signal, other as (...args: unknown[]) => void]);
        }
        process.on(signal, listener);
      }
      const onNewListener = (event: string | symbol, fn: (...args: unknown[]) => void): void => {
        if ((event !== 'SIGINT' && event !== 'SIGTERM') || fn === listener) return;
        // 'newListener' fires before the listener is added: take it off right after.
        queueMicrotask(() => {
          process.off(event, fn);
          stashed.push([event, fn]);
        });
      };
      process.on('newListener', onNewListener);
      return () => {
        process.off('newListener', onNewListener);
        for (const signal of signals) process.off(signal, listener);
        for (const [signal, fn] of stashed) process.on(signal, fn);
      };
    },
    exit: (code) => process.exit(code),
  };
}

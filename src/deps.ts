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
import type { AuthDeps } from './auth/types.js';
import type { ConnectTarget, Connection } from './cloud/types.js';
import { ENV } from './config/env.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * Test seam for the parse contract: when set, it is called with the validated input instead of the
 * command's own `run`, and its return value is rendered as the command's result.
 */
export type RunOverride = (command: string, input: unknown) => Promise<unknown>;

export interface Deps extends AuthDeps {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
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
  fetch: typeof globalThis.fetch;
  execFile(file: string, args: string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string }>;
  /** Opens the cloud. The default loads src/cloud/connect.js (and the SDK) only when called. */
  connect(target: ConnectTarget): Promise<Connection>;
  /** Subscribes to SIGINT/SIGTERM for the duration of a run; returns the unsubscribe function. */
  onInterrupt(handler: (signal: InterruptSignal) => void): () => void;
  /** Leaves the process at once (a second Ctrl-C). */
  exit(code: number): void;
  runOverride?: RunOverride;
}

/** package.json sits one level above both src/ and dist/, so this URL works from either. */
export function readPackageVersion(): string {
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
    fetch: (...args) => globalThis.fetch(...args),
    execFile: (file, args, opts) =>
      new Promise((resolve, reject) => {
        execFileCb(file, args, { timeout: opts?.timeoutMs ?? 0, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve({ stdout })));
      }),
    connect: async (target) => {
      // Dynamic on purpose: --help and --version must not load the SDK (issue #8 checks the module graph).
      const { connect } = await import('./cloud/connect.js');
      return connect(target);
    },
    onInterrupt: (handler) => {
      const listener = (signal: NodeJS.Signals): void => handler(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
    exit: (code) => process.exit(code),
  };
}

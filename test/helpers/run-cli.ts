/**
 * runCli: the real CLI in-process (main(argv, deps)) with buffer streams, a temporary config dir and
 * HOME, and an env that holds only what the test passes. Nothing leaks in from the test process.
 *
 *   const { exitCode, stdout, stderr } = await runCli(['create', '--json'], { env: { YC_IAM_TOKEN: t } });
 *
 * The metadata service defaults to a closed loopback port, so no test sends a packet off loopback.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { httpFetch, type HttpFetch } from '../../src/auth/http-fetch.js';
import type { ConnectTarget, Connection } from '../../src/cloud/types.js';
import { ENV } from '../../src/config/env.js';
import { randomInt } from 'node:crypto';
import type { RunOverride } from '../../src/commands/runner.js';
import { readPackageVersion, type Deps, type InterruptSignal } from '../../src/deps.js';
import { main } from '../../src/main.js';

/** Sends fake SIGINT/SIGTERM to a running runCli. */
export class Interrupter {
  readonly #handlers = new Set<(signal: InterruptSignal) => void>();
  subscribe(handler: (signal: InterruptSignal) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }
  /** True when a run is listening. */
  get listening(): boolean {
    return this.#handlers.size > 0;
  }
  send(signal: InterruptSignal = 'SIGINT'): void {
    for (const h of [...this.#handlers]) h(signal);
  }
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  /** stdout and stderr both are terminals (default false). */
  isTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** stdin is a terminal (default false; `isTTY` does not set it). */
  stdinIsTTY?: boolean;
  /** Width of a terminal stderr (default 80; 0 as a pseudo-terminal made without a size reports). */
  stderrColumns?: number;
  stdin?: string;
  /** Config dir (default: a fresh temporary dir). */
  configDir?: string;
  /** HOME for the yc config lookup (default: a fresh temporary dir). */
  homedir?: string;
  /** Replaces the real connect (src/cloud/connect.js), e.g. with a fake gateway. */
  connect?: (target: ConnectTarget) => Promise<Connection>;
  now?: () => Date;
  randomInt?: (max: number) => number;
  runOverride?: RunOverride;
  interrupter?: Interrupter;
  fetch?: HttpFetch;
  execFile?: Deps['execFile'];
  /** Called with stderr text as it is written (to observe a run in progress). */
  onStderr?: (text: string) => void;
  /**
   * stdout fails every write with this system error code, as a closed pipe (`EPIPE`: `… | true`) or
   * a full disk (`ENOSPC`: `> /dev/full`) does. Nothing reaches the captured stdout then.
   */
  stdoutError?: 'EPIPE' | 'ENOSPC' | 'EIO';
  /** Merged into every ConnectTarget the run builds (e.g. `{ backoff: { baseMs: 1, maxMs: 4 } }` for fast retries). */
  target?: Partial<ConnectTarget>;
  /** deps.interruptGraceMs: how long a Ctrl-C waits for operations in flight. */
  interruptGraceMs?: number;
  /** deps.cleanupBoundMs: how long the clean-up may take after that before every call is abandoned. */
  cleanupBoundMs?: number;
}

export interface RunCliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Codes passed to deps.exit (a second Ctrl-C). */
  exits: number[];
  /** Every ConnectTarget the run asked for. */
  connects: ConnectTarget[];
}

/** A stream whose every write fails with a system error, the way Node reports EPIPE or ENOSPC. */
class FailingStream extends Writable {
  attempts = 0;
  constructor(private readonly code: string) {
    super({ decodeStrings: false });
  }
  override _write(_chunk: unknown, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.attempts += 1;
    const message = this.code === 'EPIPE' ? 'write EPIPE' : this.code === 'ENOSPC' ? 'ENOSPC: no space left on device, write' : `write ${this.code}`;
    cb(Object.assign(new Error(message), { code: this.code, syscall: 'write' }));
  }
}

class Capture extends Writable {
  text = '';
  constructor(private readonly onText?: (t: string) => void) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const t = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    this.text += t;
    this.onText?.(t);
    cb();
  }
}

export function tempDir(prefix = 'aistudio-key-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deps for an in-process run; exposed for tests that need to hold on to them. */
export function testDeps(opts: RunCliOptions = {}): { deps: Deps; stdout: Capture; stderr: Capture; exits: number[]; connects: ConnectTarget[] } {
  const stdout = new Capture();
  const stderr = new Capture(opts.onStderr);
  const stderrIsTTY = opts.stderrIsTTY ?? opts.isTTY ?? false;
  // A terminal has a width (tty.WriteStream#columns); a pipe has none.
  if (stderrIsTTY) Object.assign(stderr, { columns: opts.stderrColumns ?? 80 });
  const exits: number[] = [];
  const connects: ConnectTarget[] = [];
  const stdinText = opts.stdin ?? '';
  const env = { [ENV.metadataAddr]: '127.0.0.1:1', ...opts.env };
  const deps: Deps = {
    stdout: opts.stdoutError ? new FailingStream(opts.stdoutError) : stdout,
    stderr,
    stdin: opts.stdin === undefined ? new PassThrough() : Readable.from([stdinText]),
    stdoutIsTTY: opts.stdoutIsTTY ?? opts.isTTY ?? false,
    stderrIsTTY,
    stdinIsTTY: opts.stdinIsTTY ?? false,
    env,
    homedir: opts.homedir ?? tempDir('aistudio-key-home-'),
    configDir: opts.configDir ?? tempDir('aistudio-key-config-'),
    version: readPackageVersion(),
    now: opts.now ?? (() => new Date()),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    randomInt: opts.randomInt ?? ((max) => randomInt(max)),
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: async () => stdinText,
    fetch: opts.fetch ?? httpFetch,
    execFile:
      opts.execFile ??
      (async (file) => {
        throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
      }),
    connect: async (given) => {
      const target = { ...given, ...opts.target };
      connects.push(target);
      if (opts.connect) return opts.connect(target);
      const { connect } = await import('../../src/cloud/connect.js');
      return connect(target);
    },
    onInterrupt: (handler) => (opts.interrupter ? opts.interrupter.subscribe(handler) : () => undefined),
    exit: (code) => void exits.push(code),
    interruptGraceMs: opts.interruptGraceMs,
    cleanupBoundMs: opts.cleanupBoundMs,
  };
  return { deps, stdout, stderr, exits, connects };
}

export async function runCli(argv: readonly string[], opts: RunCliOptions = {}): Promise<RunCliResult> {
  const { deps, stdout, stderr, exits, connects } = testDeps(opts);
  const exitCode = await main(['node', 'aistudio-key', ...argv], deps, { runOverride: opts.runOverride });
  return { exitCode, stdout: stdout.text, stderr: stderr.text, exits, connects };
}

/**
 * runBin: the CLI as users run it, a separate process: the built bin/aistudio-key.js of this
 * repository, or the bin of the package as `npm install` put it (test/helpers/installed-package.ts).
 * The counterpart of runCli (in-process, test/helpers/run-cli.ts); wrangler's e2e helpers run its
 * built bin the same way.
 *
 *   const r = await runBin(['create', '--json'], { bin, env: { HOME: home, YC_IAM_TOKEN: t } });
 *   // r.code, r.signal, r.stdout, r.stderr
 *
 * The child's environment holds only PATH (this Node's directory first, so the bin's
 * `#!/usr/bin/env node` finds the Node running the tests), YC_METADATA_ADDR on a closed loopback port
 * (no packet leaves loopback), and what the test passes: nothing leaks in from the test process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's built bin (run `npm run build` first; ensureBuilt() does it when stale). */
export const REPO_BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));

export interface RunBinOptions {
  /** The bin to run (default REPO_BIN). Run directly, as a shell would: its shebang picks `node` from PATH. */
  bin?: string;
  env?: Record<string, string | undefined>;
  /** Text for stdin; without it stdin is closed at once (/dev/null). */
  stdin?: string;
  cwd?: string;
  /** Kill the child with SIGKILL after this long (default 60 s), so a hang fails the test instead of the run. */
  timeoutMs?: number;
}

export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** PATH with this Node's directory first. */
export function nodePath(): string {
  return [dirname(process.execPath), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter);
}

/** The environment a spawned run gets: PATH, a closed metadata address, then `env` (undefined removes). */
export function binEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string | undefined> = { PATH: nodePath(), YC_METADATA_ADDR: '127.0.0.1:1', ...env };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Starts the bin; `done` settles when the process has exited and its streams are drained. */
export function startBin(argv: readonly string[], opts: RunBinOptions = {}): { child: ChildProcess; done: Promise<BinRun> } {
  const child = spawn(opts.bin ?? REPO_BIN, [...argv], {
    env: binEnv(opts.env),
    cwd: opts.cwd,
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<BinRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runBin(argv: readonly string[], opts: RunBinOptions = {}): Promise<BinRun> {
  return startBin(argv, opts).done;
}

/**
 * Timing whole processes for `npm run bench`: the Node timer (the default; works wherever Node does)
 * and an optional hyperfine runner, plus the statistics both report.
 *
 * Node timer: `child_process.spawn` (never spawnSync: the emulator serving the child lives in this
 * process's event loop), wall time from spawn() to 'close' (exit and stdio drained). Candidates are
 * interleaved: round 0 is a warm-up, discarded; in round r the candidates start from index r mod n,
 * so no candidate always runs first (or right after the same neighbour). A candidate may take part in
 * fewer rounds (`runs`), e.g. a slow reference line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Candidate {
  /** Row label, unique within a measurement. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Timed runs (warm-up not counted); default: the measurement's runs. */
  runs?: number;
  /** Throws (with a message) when a finished run does not look like success. Default: exit code 0. */
  check?(result: ProcessResult): void;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** performance.timeOrigin + performance.now() at spawn, ms since the epoch. */
  startedAt: number;
  ms: number;
}

export interface Sample extends ProcessResult {
  round: number;
}

const MAX_CAPTURE = 1 << 20;

/** Runs one process to the end and times it. */
export function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const startedAt = performance.timeOrigin + t0;
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, startedAt, ms: performance.now() - t0 }));
  });
}

function defaultCheck(r: ProcessResult): void {
  if (r.code !== 0) throw new Error(`exit ${r.code ?? r.signal}: ${firstLines(r.stderr || r.stdout)}`);
}

export function firstLines(text: string, n = 3): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/DeprecationWarning|--trace-deprecation/.test(l))
    .slice(0, n)
    .join(' | ');
}

export interface NodeTimerOptions {
  runs: number;
  cwd: string;
  /** Called after every run (warm-up included), before the next starts. */
  onRun?(candidate: Candidate, result: Sample): void;
  /** Called before every run. */
  beforeRun?(candidate: Candidate, round: number): void;
}

/** Interleaved rounds; returns the timed samples per candidate name (warm-up dropped). */
export async function nodeTimer(candidates: Candidate[], opts: NodeTimerOptions): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(candidates.map((c) => [c.name, []]));
  const rounds = Math.max(...candidates.map((c) => c.runs ?? opts.runs));
  for (let round = 0; round <= rounds; round++) {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const c = candidates[(round + i) % n];
      if (c === undefined || round > (c.runs ?? opts.runs)) continue;
      opts.beforeRun?.(c, round);
      const result: Sample = { ...(await timeProcess(c.command, c.args, c.env, opts.cwd)), round };
      try {
        (c.check ?? defaultCheck)(result);
      } catch (error) {
        throw new Error(`${c.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      opts.onRun?.(c, result);
      if (round > 0) samples.get(c.name)?.push(result);
    }
  }
  return samples;
}

export function hyperfineAvailable(): boolean {
  const r = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * hyperfine -N (no shell) with one warm-up run, `runs` runs per command, one command after another
 * (hyperfine does not interleave). All candidates must share one environment. Returns wall times in ms.
 */
export async function hyperfineTimer(candidates: Candidate[], runs: number, cwd: string, workDir: string): Promise<Map<string, number[]>> {
  const env = candidates[0]?.env ?? process.env;
  const out = join(workDir, `hyperfine-${Date.now()}.json`);
  const args = ['-N', '--style', 'none', '--warmup', '1', '--runs', String(runs), '--export-json', out];
  for (const c of candidates) args.push(`--command-name=${c.name}`, [c.command, ...c.args].map(shellWord).join(' '));
  const r = await timeProcess('hyperfine', args, env, cwd);
  if (r.code !== 0) throw new Error(`hyperfine failed (exit ${r.code ?? r.signal}): ${firstLines(r.stderr || r.stdout, 5)}`);
  const parsed = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ command: string; times: number[]; exit_codes?: number[] }> };
  rmSync(out, { force: true });
  const times = new Map<string, number[]>();
  for (const res of parsed.results) {
    if (res.exit_codes?.some((c) => c !== 0)) throw new Error(`${res.command}: a run exited with ${res.exit_codes.join(',')}`);
    times.set(res.command, res.times.map((s) => s * 1000));
  }
  return times;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p90 of 10 runs is the 9th smallest). */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1] as number;
}

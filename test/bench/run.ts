/**
 * `npm run bench`: the figures of issue #8 (and issue #3's create timing), each next to its baseline.
 * See test/bench/README.md for what is measured and how to read it.
 *
 *   npm run bench [-- --runs 15 --create-runs 10 --naive-runs 5 --quick --timer node|hyperfine|auto --no-build --json FILE --bin PATH]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultFixture, startEmulator, type Emulator, type JournalEntry } from '../emulator/index.js';
import {
  firstLines,
  hyperfineAvailable,
  hyperfineTimer,
  median,
  nodeTimer,
  percentile,
  timeProcess,
  type Candidate,
  type ProcessResult,
} from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = process.execPath;
const LATENCY_MS = 25;
const OPERATION_DELAY_MS = 150;
const BULK_N = 20;

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string' },
    'create-runs': { type: 'string' },
    'naive-runs': { type: 'string' },
    quick: { type: 'boolean', default: false },
    timer: { type: 'string', default: 'node' },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'string' },
    bin: { type: 'string', default: 'bin/aistudio-key.js' },
  },
});
/** The CLI entry to measure, relative to the repo root (another build, e.g. a bundle, with --bin). */
const BIN = opt.bin ?? 'bin/aistudio-key.js';
const quick = opt.quick === true;
const startupRuns = Number(opt.runs ?? (quick ? 5 : 15));
const createRuns = Number(opt['create-runs'] ?? (quick ? 3 : 10));
const naiveRuns = Number(opt['naive-runs'] ?? (quick ? 2 : 5));
const rssRuns = quick ? 1 : 3;
const bulkRuns = quick ? 1 : 3;
if (!['node', 'hyperfine', 'auto'].includes(opt.timer ?? '')) fail(`--timer: node, hyperfine or auto, not ${opt.timer}`);

const say = (text: string): void => void process.stderr.write(`${text}\n`);
function fail(text: string): never {
  process.stderr.write(`bench: ${text}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Rows of the table

interface Row {
  figure: string;
  candidate: string;
  median: string;
  p90: string;
  baseline: string;
  ratio: string;
  target: string;
  result: string;
}

const rows: Row[] = [];
const notes: string[] = [];
const raw: Record<string, unknown> = {};

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
const mb = (kb: number): string => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : '—');
const times = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');

function timedRow(figure: string, candidate: string, samples: number[], base: { name: string; samples: number[] } | undefined, target: number | undefined): void {
  const m = median(samples);
  const baseMedian = base ? median(base.samples) : NaN;
  const ratio = base ? m / baseMedian : NaN;
  rows.push({
    figure,
    candidate,
    median: ms(m),
    p90: ms(percentile(samples, 90)),
    baseline: base ? `${base.name} (${ms(baseMedian)})` : '—',
    ratio: base ? times(ratio) : '—',
    target: target === undefined ? '—' : `≤${target}×`,
    result: target === undefined ? (base ? 'ref' : 'baseline') : ratio <= target ? 'pass' : 'FAIL',
  });
}

function printTable(): void {
  const head: Row = { figure: 'figure', candidate: 'candidate', median: 'median', p90: 'p90', baseline: 'baseline (median)', ratio: 'ratio', target: 'target', result: 'result' };
  const keys = Object.keys(head) as Array<keyof Row>;
  const right = new Set<keyof Row>(['median', 'p90', 'ratio']);
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...[head, ...rows].map((r) => [...r[k]].length))])) as Record<keyof Row, number>;
  const line = (r: Row): string =>
    keys
      .map((k) => (right.has(k) ? r[k].padStart(width[k]) : r[k].padEnd(width[k])))
      .join('  ')
      .trimEnd();
  const out = [line(head), keys.map((k) => '-'.repeat(width[k])).join('  '), ...rows.map(line)];
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Setup

const began = performance.now();
const load0 = loadavg();
const workDir = mkdtempSync(join(tmpdir(), 'aistudio-key-bench-'));
const home = join(workDir, 'home');
mkdirSync(home);
/** Only what the child needs: nothing leaks in from this shell (YC_*, NODE_OPTIONS, a yc config…). */
const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, AISTUDIO_KEY_CONFIG_DIR: join(home, 'config') };

if (!opt['no-build']) {
  say('bench: npm run build …');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) fail(`npm run build failed:\n${b.stdout}${b.stderr}`);
}
try {
  readFileSync(join(ROOT, 'dist/cli.js'));
} catch {
  fail('dist/cli.js is missing: run `npm run build`');
}

let timer: 'node' | 'hyperfine' = 'node';
if (opt.timer !== 'node') {
  if (hyperfineAvailable()) timer = 'hyperfine';
  else say(`bench: hyperfine not found; using the Node timer`);
}

async function measure(candidates: Candidate[], runs: number): Promise<Map<string, number[]>> {
  if (timer === 'hyperfine' && candidates.every((c) => (c.runs ?? runs) === runs)) return hyperfineTimer(candidates, runs, ROOT, workDir);
  if (timer === 'hyperfine') {
    // Different run counts per candidate: one hyperfine call per group.
    const result = new Map<string, number[]>();
    for (const c of candidates) for (const [k, v] of await hyperfineTimer([c], c.runs ?? runs, ROOT, workDir)) result.set(k, v);
    return result;
  }
  const samples = await nodeTimer(candidates, { runs, cwd: ROOT });
  return new Map([...samples].map(([k, v]) => [k, v.map((s) => s.ms)]));
}

const get = (m: Map<string, number[]>, k: string): number[] => m.get(k) ?? [];

/** Runs one figure; a failure (e.g. the CLI exits non-zero) becomes an error row, and the bench goes on. */
async function guard(figure: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    rows.push({ figure, candidate: '(failed)', median: '—', p90: '—', baseline: '—', ratio: '—', target: '—', result: 'error' });
    notes.push(`${figure} failed: ${message}`);
    say(`bench: ${figure} failed: ${message}`);
    failed = true;
  }
}
let failed = false;

// ---------------------------------------------------------------------------------------------
// Figure 1: start-up of --version, --help, create --help vs bare node

say(`bench: figure 1, start-up (${startupRuns} runs each + 1 warm-up, ${timer} timer) …`);
await guard('1 start-up', async () => {
  const c = (name: string, args: string[]): Candidate => ({ name, command: NODE, args, env: baseEnv });
  const candidates = [
    c('node -e 0', ['-e', '0']),
    c('--version', [BIN, '--version']),
    c('--help', [BIN, '--help']),
    c('create --help', [BIN, 'create', '--help']),
  ];
  const t = await measure(candidates, startupRuns);
  raw.startup = Object.fromEntries(t);
  const base = { name: 'node -e 0', samples: get(t, 'node -e 0') };
  timedRow('1 start-up', 'node -e 0', base.samples, undefined, undefined);
  for (const name of ['--version', '--help', 'create --help']) timedRow('1 start-up', `aistudio-key ${name}`, get(t, name), base, 1.3);
});

// ---------------------------------------------------------------------------------------------
// Figures 2-4 run against one emulator in this process

const { fixture, ids } = defaultFixture();
const emu: Emulator = await startEmulator({
  fixture,
  latencyMs: LATENCY_MS,
  operationDelayMs: OPERATION_DELAY_MS,
  // Every run creates an account and a key; the real quotas (100, 1,000) would run out.
  quotas: { serviceAccountsPerCloud: 1_000_000, apiKeysPerCloud: 1_000_000 },
});
const cloudEnv: NodeJS.ProcessEnv = { ...baseEnv, YC_IAM_TOKEN: ids.userIamToken, YC_METADATA_ADDR: '127.0.0.1:1' };
const target = ['--folder-id', ids.folderId, '--endpoint', emu.endpoint, '--ca-file', emu.caFile];

function expectSecret(r: ProcessResult): void {
  if (r.code !== 0) throw new Error(`exit ${r.code ?? r.signal}: ${firstLines(r.stderr || r.stdout)}`);
  let doc: { secret?: unknown } = {};
  try {
    doc = JSON.parse(r.stdout) as { secret?: unknown };
  } catch {
    throw new Error(`stdout is not one JSON document: ${firstLines(r.stdout)}`);
  }
  if (typeof doc.secret !== 'string' || !doc.secret.startsWith('AQVN')) throw new Error(`no secret on stdout: ${firstLines(r.stdout)}`);
}

/** What one run said to the emulator, from its journal slice. */
interface CallStats {
  total: number;
  critical: number;
  sequence: string;
  /** spawn -> first call reaches the emulator */
  startupMs: number;
  /** first call reaches the emulator -> last answer leaves it (approximately: arrival + latency) */
  callsMs: number;
  /** last answer -> process gone */
  tailMs: number;
}

const SHORT: Record<string, string> = {
  'ApiEndpointService/List': 'Endpoint.List',
  'IamTokenService/Create': 'IamToken.Create',
  'ServiceAccountService/Create': 'SA.Create',
  'OperationService/Get': 'Op.Get',
  'FolderService/UpdateAccessBindings': 'Folder.UpdateAccessBindings',
  'ApiKeyService/Create': 'ApiKey.Create',
};
const short = (m: string): string => SHORT[m] ?? m.replace('Service/', '.');
type Stage = 'pre' | 'account' | 'bindings' | 'key' | 'other';
const STAGE_OF: Record<string, Stage> = {
  'ServiceAccountService/Create': 'account',
  'FolderService/UpdateAccessBindings': 'bindings',
  'ApiKeyService/Create': 'key',
};

/**
 * Critical path: everything before the account's creation, the creation and its polls, then the
 * bindings branch (UpdateAccessBindings and its polls) and the key branch: when they overlap in time
 * only the one that ends later counts, when they run one after the other both do. Anything else
 * after the account (clean-up, lookups) counts too.
 */
function analyze(entries: JournalEntry[], result: ProcessResult): CallStats {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const opMethod = new Map(emu.state.operations().map((o) => [o.id, o.method]));
  const stages = new Map<Stage, JournalEntry[]>();
  let seenAccount = false;
  for (const e of sorted) {
    const method = e.method === 'OperationService/Get' ? opMethod.get((e.request as { operationId?: string }).operationId ?? '') ?? '' : e.method;
    const stage: Stage = STAGE_OF[method] ?? (seenAccount ? 'other' : 'pre');
    if (stage === 'account') seenAccount = true;
    stages.set(stage, [...(stages.get(stage) ?? []), e]);
  }
  const n = (s: Stage): number => stages.get(s)?.length ?? 0;
  const span = (s: Stage): [number, number] | undefined => {
    const list = stages.get(s);
    if (!list || list.length === 0) return undefined;
    return [(list[0] as JournalEntry).at.getTime(), (list.at(-1) as JournalEntry).at.getTime() + LATENCY_MS];
  };
  const b = span('bindings');
  const k = span('key');
  let branches: number;
  let parallel = false;
  if (b && k && b[0] < k[1] && k[0] < b[1]) {
    parallel = true;
    branches = b[1] >= k[1] ? n('bindings') : n('key');
  } else branches = n('bindings') + n('key');

  const render = (list: JournalEntry[] | undefined): string => {
    const parts: string[] = [];
    let last = '';
    let count = 0;
    const flush = (): void => {
      if (count > 0) parts.push(count > 1 ? `${last}×${count}` : last);
    };
    for (const e of list ?? []) {
      const name = short(e.method);
      if (name === last) count++;
      else {
        flush();
        last = name;
        count = 1;
      }
    }
    flush();
    return parts.join(' → ');
  };
  const head = [render(stages.get('pre')), render(stages.get('account'))].filter((s) => s !== '');
  const bind = render(stages.get('bindings'));
  const key = render(stages.get('key'));
  const tail = [parallel ? `[${bind} ‖ ${key}]` : [bind, key].filter((s) => s !== '').join(' → '), render(stages.get('other'))].filter((s) => s !== '');
  const first = sorted[0]?.at.getTime() ?? NaN;
  const lastAnswer = (sorted.at(-1)?.at.getTime() ?? NaN) + LATENCY_MS;
  return {
    total: sorted.length,
    critical: n('pre') + n('account') + branches + n('other'),
    sequence: [...head, ...tail].join(' → '),
    startupMs: first - result.startedAt,
    callsMs: lastAnswer - first,
    tailMs: result.startedAt + result.ms - lastAnswer,
  };
}

// Figure 2: create vs the minimal script, and the sequential naive reference line
say(`bench: figure 2, create against the emulator (${LATENCY_MS} ms per call, ${OPERATION_DELAY_MS} ms operations; ${createRuns} runs, naive ${naiveRuns}) …`);
const CREATE = 'create';
const MINIMAL = 'minimal script';
const NAIVE = 'sequential naive';
/** create with no code cache: every run like the first after an install (bin/compile-cache.js). */
const COLD = 'create, no cache';
const createArgs = [BIN, 'create', ...target, '--format', 'json'];
const minimalArgs = ['test/bench/minimal-create.mjs', ...target];
await guard('2 create', async () => {
  const candidates: Candidate[] = [
    { name: MINIMAL, command: NODE, args: minimalArgs, env: cloudEnv, check: expectSecret },
    { name: CREATE, command: NODE, args: createArgs, env: cloudEnv, check: expectSecret },
    { name: COLD, command: NODE, args: createArgs, env: { ...cloudEnv, NODE_DISABLE_COMPILE_CACHE: '1' }, check: expectSecret },
    { name: NAIVE, command: NODE, args: [...minimalArgs, '--sequential'], env: cloudEnv, check: expectSecret, runs: naiveRuns },
  ];
  const calls = new Map<string, CallStats[]>(candidates.map((c) => [c.name, []]));
  let mark = 0;
  const callRuns = timer === 'node' ? createRuns : 1;
  const samples = await nodeTimer(
    timer === 'node' ? candidates : candidates.map((c) => ({ ...c, runs: 1 })),
    {
      runs: callRuns,
      cwd: ROOT,
      beforeRun: () => {
        mark = emu.journal.length;
      },
      onRun: (c, s) => {
        if (s.round > 0) calls.get(c.name)?.push(analyze(emu.journal.slice(mark), s));
      },
    },
  );
  const t = timer === 'node' ? new Map([...samples].map(([k, v]) => [k, v.map((s) => s.ms)])) : await measure(candidates, createRuns);
  raw.create = { times: Object.fromEntries(t), calls: Object.fromEntries(calls) };
  const base = { name: MINIMAL, samples: get(t, MINIMAL) };
  timedRow('2 create', 'minimal script (parallel)', base.samples, undefined, undefined);
  timedRow('2 create', 'aistudio-key create', get(t, CREATE), base, 1.1);
  timedRow('2 create', 'create without code cache (1st run)', get(t, COLD), base, undefined);
  timedRow('2 create', 'sequential naive (1 s polls)', get(t, NAIVE), base, undefined);

  notes.push(`gRPC calls per create run (emulator journal; median over runs, min–max; "critical" = calls on the critical path):`);
  for (const [name, list] of calls) {
    const total = list.map((c) => c.total);
    const crit = list.map((c) => c.critical);
    const range = (v: number[]): string => (Math.min(...v) === Math.max(...v) ? `${v[0]}` : `${median(v)} (${Math.min(...v)}–${Math.max(...v)})`);
    notes.push(`  ${name.padEnd(16)} ${range(total).padStart(12)} calls, ${range(crit).padStart(12)} critical   ${list[Math.floor(list.length / 2)]?.sequence ?? ''}`);
  }
  notes.push(`Where the time goes (medians): spawn → first call reaches the emulator | calls (first call → last answer) | last answer → exit:`);
  for (const [name, list] of calls) {
    const m = (f: (c: CallStats) => number): string => ms(median(list.map(f))).padStart(7);
    notes.push(`  ${name.padEnd(16)} ${m((c) => c.startupMs)} | ${m((c) => c.callsMs)} | ${m((c) => c.tailMs)}`);
  }
});

// Figure 3: peak memory
say(`bench: figure 3, peak memory (${rssRuns} runs each) …`);
await guard('3 peak RSS', async () => {
  const rssFile = join(workDir, 'rss');
  const rss = async (args: string[], check: (r: ProcessResult) => void): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < rssRuns; i++) {
      rmSync(rssFile, { force: true });
      const r = await timeProcess(NODE, ['--import', './test/bench/rss-report.mjs', ...args], { ...cloudEnv, BENCH_RSS_FILE: rssFile }, ROOT);
      check(r);
      out.push(Number(readFileSync(rssFile, 'utf8')));
    }
    return out;
  };
  const bare = await rss(['-e', '0'], () => undefined);
  const minimal = await rss(minimalArgs, expectSecret);
  const create = await rss(createArgs, expectSecret);
  raw.maxRssKb = { bare, minimal, create };
  const row = (candidate: string, kb: number[], base?: number[]): void => {
    rows.push({
      figure: '3 peak RSS',
      candidate,
      median: mb(median(kb)),
      p90: mb(percentile(kb, 90)),
      baseline: base ? `minimal script (${mb(median(base))})` : '—',
      ratio: base ? times(median(kb) / median(base)) : '—',
      target: '—',
      result: base ? 'reported' : 'baseline',
    });
  };
  row('node -e 0', bare);
  row('minimal script', minimal);
  row('aistudio-key create', create, minimal);
});

// Figure 4: bulk
say('bench: figure 4, bulk …');
await guard('4 bulk', async () => {
  const help = await timeProcess(NODE, [BIN, 'create', '--help'], baseEnv, ROOT);
  if (!/--count\b/.test(help.stdout)) {
    rows.push({ figure: '4 bulk', candidate: `create --count ${BULK_N}`, median: '—', p90: '—', baseline: 'create (one key)', ratio: '—', target: '≤3×', result: 'not implemented' });
    notes.push(`Bulk: \`create --help\` shows no --count, so figure 4 is not measured.`);
  } else {
    const candidates: Candidate[] = [
      { name: 'one', command: NODE, args: createArgs, env: cloudEnv, check: expectSecret },
      {
        name: 'bulk',
        command: NODE,
        args: [...createArgs, '--count', String(BULK_N)],
        env: cloudEnv,
        check: (r) => {
          if (r.code !== 0) throw new Error(`exit ${r.code ?? r.signal}: ${firstLines(r.stderr || r.stdout)}`);
        },
      },
    ];
    try {
      const t = await nodeTimer(candidates, { runs: bulkRuns, cwd: ROOT });
      const one = (t.get('one') ?? []).map((s) => s.ms);
      raw.bulk = { one, bulk: (t.get('bulk') ?? []).map((s) => s.ms) };
      timedRow('4 bulk', `create --count ${BULK_N}`, (t.get('bulk') ?? []).map((s) => s.ms), { name: 'create', samples: one }, 3);
    } catch (error) {
      rows.push({ figure: '4 bulk', candidate: `create --count ${BULK_N}`, median: '—', p90: '—', baseline: 'create (one key)', ratio: '—', target: '≤3×', result: 'error' });
      notes.push(`Bulk failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
});

await emu.stop();

// Module graphs: what each command loads (for reading figure 1 and the start-up part of figure 2)
await guard('module graphs', async () => {
  const modsFile = join(workDir, 'modules.txt');
  const graph = async (label: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> => {
    await timeProcess(NODE, ['--import', './test/bench/record-modules.mjs', ...args], { ...env, RECORD_MODULES_FILE: modsFile }, ROOT);
    const urls = new Set(
      readFileSync(modsFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('esm file:') || l.startsWith('cjs file:'))
        .map((l) => l.slice(4)),
    );
    // A file of dist/ (the bundle) stands for the sources esbuild put into it (dist/meta.json).
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const rootUrl = `file://${ROOT.endsWith('/') ? ROOT : `${ROOT}/`}`;
    const sources = new Set<string>();
    for (const u of urls) {
      const output = u.startsWith(`${rootUrl}dist/`) ? meta.outputs[u.slice(rootUrl.length)] : undefined;
      if (output) for (const input of Object.keys(output.inputs)) sources.add(`/${input}`);
      else sources.add(u);
    }
    const perPackage = new Map<string, number>();
    for (const u of sources) {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      const key = m?.[1] ?? 'own';
      perPackage.set(key, (perPackage.get(key) ?? 0) + 1);
    }
    const top = [...perPackage].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    notes.push(`  ${label.padEnd(16)} ${String(urls.size).padStart(4)} files, ${String(sources.size).padStart(4)} sources: ${top.slice(0, 12).join(', ')}${top.length > 12 ? `, +${top.length - 12} packages` : ''}`);
  };
  notes.push('Modules loaded (files read; the sources they hold, per package, through dist/meta.json; "own" = src/ and bin/, or the script):');
  await graph('--version', [BIN, '--version'], baseEnv);
  await graph('create --help', [BIN, 'create', '--help'], baseEnv);
  // A second emulator without latency: the graph is the same, the run quicker.
  const emu2 = await startEmulator({ fixture, latencyMs: 0 });
  try {
    const target2 = ['--folder-id', ids.folderId, '--endpoint', emu2.endpoint, '--ca-file', emu2.caFile];
    await graph('create', [BIN, 'create', ...target2, '--format', 'json'], cloudEnv);
    await graph('minimal script', ['test/bench/minimal-create.mjs', ...target2], cloudEnv);
  } finally {
    await emu2.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// Report

const load1 = loadavg();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `\naistudio-key benchmark, ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${cpus().length} CPU (${cpu}), ` +
    `${process.platform}/${process.arch}; load average ${load0[0]?.toFixed(2)} → ${load1[0]?.toFixed(2)}\n` +
    `timer: ${timer === 'node' ? 'Node (spawn → close, candidates interleaved, 1 warm-up round discarded)' : 'hyperfine -N (1 warm-up, not interleaved)'}; ` +
    `cli: ${BIN}; start-up ${startupRuns} runs, create ${createRuns} (naive ${naiveRuns}); emulator ${LATENCY_MS} ms per call, ${OPERATION_DELAY_MS} ms operations\n\n`,
);
printTable();
process.stdout.write(`\n${notes.join('\n')}\n`);
process.stdout.write(`\nbench took ${((performance.now() - began) / 1000).toFixed(0)} s\n`);

const jsonOut = opt.json ?? join(ROOT, '.bench', 'last.json');
mkdirSync(join(jsonOut, '..'), { recursive: true });
writeFileSync(jsonOut, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu, timer, rows, notes, raw }, null, 2)}\n`);
rmSync(workDir, { recursive: true, force: true });
if (failed) process.exitCode = 1;

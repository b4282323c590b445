/**
 * Terminals as they are (issue #12), in a real pseudo-terminal: util-linux `script` runs the installed
 * package's bin in one (stdout and stderr are the terminal, as at a prompt), `stty cols 0 rows 0`
 * inside it gives the size a pty made without one has (`docker run -t`, some CI runners), and a
 * Ctrl-C is the byte 0x03 typed into the terminal, which its line discipline turns into SIGINT for
 * the foreground process, exactly as a person's keypress does. Against the emulator in this process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedWorld } from '../helpers/installed-world.js';
import { binEnv, runBin } from '../helpers/run-bin.js';

const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

const world = installedWorld({ operationDelayMs: 300 });


const ESC = String.fromCharCode(27);
/** Cursor movement, line clearing, cursor show/hide: what a spinner redraws with. */
const CURSOR = new RegExp(`${ESC}\\[(\\d*[ABCDGK]|\\?25[lh])`, 'g');
const SECRET = /AQVN[A-Za-z0-9_-]{36}/g;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface PtyRun {
  code: number | null;
  /** Everything the terminal showed (stdout and stderr together), as bytes. */
  output: Buffer;
}

/**
 * Runs the installed bin with `argv` in a pseudo-terminal of `cols` columns. `type(bytes)` sends
 * keystrokes. The process is killed after 60 s, so a flood or a hang fails the test instead of the run.
 */
function inPty(argv: string[], opts: { cols: number; env?: Record<string, string> }): { type(bytes: string): void; seen(): string; done: Promise<PtyRun> } {
  const command = `stty cols ${opts.cols} rows ${opts.cols === 0 ? 0 : 24}; exec ${[world.pkg.bin, ...argv].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: binEnv({ ...world.home.env, SHELL: '/bin/sh', TERM: 'xterm-256color', ...opts.env }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  let bytes = 0;
  child.stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    // Keep the first 1 MB: enough to see a flood, not enough to fill memory with one.
    if (bytes <= 1024 * 1024) chunks.push(d);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<PtyRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output: Buffer.concat(chunks) });
    });
  });
  return { type: (keys) => void child.stdin.write(keys), seen: () => Buffer.concat(chunks).toString('utf8'), done };
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function snapshot(): { accounts: string[]; keys: string[]; bindings: string[] } {
  return {
    accounts: world.emu.state.serviceAccounts().map((a) => a.id).sort(),
    keys: world.emu.state.apiKeys().map((k) => k.id).sort(),
    bindings: world.emu.state.folderBindings(world.ids.folderId).map((b) => `${b.roleId} ${b.subject.id}`).sort(),
  };
}

const create = (): string[] => ['create', '--format', 'text'];
const token = (): Record<string, string> => ({ YC_IAM_TOKEN: world.ids.userIamToken });

describe('in a pseudo-terminal', { skip: hasScript ? false : 'needs util-linux `script` on Linux (.ci/run installs it)' }, () => {
  test('80 columns: the spinner draws (the harness sees cursor codes), the key is shown once', async () => {
    const r = await inPty(create(), { cols: 80, env: token() }).done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text);
    assert.ok((text.match(CURSOR)?.length ?? 0) > 0, 'a spinner on a sized terminal');
    assert.equal(new Set(text.match(SECRET)).size, 1, 'one secret');
  });

  test('0 columns: no spinner, no cursor codes, a bounded output, and the key', async () => {
    const r = await inPty(create(), { cols: 0, env: token() }).done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text.slice(0, 2000));
    assert.ok(r.output.length < 16 * 1024, `${r.output.length} bytes on the terminal`);
    assert.deepEqual(text.match(CURSOR) ?? [], [], 'no cursor movement');
    assert.equal(new Set(text.match(SECRET)).size, 1, 'one secret');
  });

  test('TERM=dumb: not one escape sequence, neither cursor movement nor colour', async () => {
    const r = await inPty(create(), { cols: 80, env: { ...token(), TERM: 'dumb' } }).done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text);
    assert.ok(!text.includes(ESC), JSON.stringify(text.slice(0, 300)));
    assert.match(text, SECRET);
  });

  test('NO_COLOR=1 and FORCE_COLOR=0: no colour and no spinner on a terminal; FORCE_COLOR=1 with TERM=dumb: colour, no cursor codes', async () => {
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '0' }] as Array<Record<string, string>>) {
      const text = (await inPty(['whoami', '--format', 'text'], { cols: 80, env: { ...token(), ...env } }).done).output.toString('utf8');
      assert.ok(!text.includes(ESC), `${JSON.stringify(env)}: ${JSON.stringify(text.slice(0, 300))}`);
    }
    const forced = (await inPty(['whoami', '--format', 'text'], { cols: 80, env: { ...token(), FORCE_COLOR: '1', TERM: 'dumb' } }).done).output.toString('utf8');
    assert.match(forced, new RegExp(`${ESC}\\[\\d+m`), 'colour when forced');
    assert.deepEqual(forced.match(CURSOR) ?? [], []);
  });

  test('after a key: how to use it (the header, YC_API_KEY, the folder), the secret still shown once; --quiet: no spinner, note or hint', async () => {
    const r = await inPty(create(), { cols: 80, env: token() }).done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text);
    assert.match(text, /Authorization: Api-Key <secret>/);
    assert.match(text, /YC_API_KEY/);
    assert.ok(text.includes(`gpt://${world.ids.folderId}/`), 'the folder in a model URI');
    assert.equal(text.match(SECRET)?.length, 1, 'the secret once: the hint only refers to it');
    const quiet = await inPty([...create(), '--quiet'], { cols: 80, env: token() }).done;
    const q = quiet.output.toString('utf8');
    assert.equal(quiet.code, 0, q);
    assert.deepEqual(q.match(CURSOR) ?? [], [], 'no spinner');
    assert.doesNotMatch(q, /Api-Key|shown only once/);
    assert.equal(q.match(SECRET)?.length, 1);
  });

  test('--no-color with FORCE_COLOR=1: not one escape sequence, spinner included', async () => {
    const r = await inPty([...create(), '--no-color'], { cols: 80, env: { ...token(), FORCE_COLOR: '1' } }).done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text);
    assert.ok(!text.includes(ESC), JSON.stringify(text.slice(0, 300)));
    assert.equal(text.match(SECRET)?.length, 1);
  });

  test('revoke answered "n" at the prompt: exit 6, the key still there', async () => {
    const made = await runBin(['create', '--json'], { bin: world.pkg.bin, env: { ...world.home.env, ...token() }, cwd: world.home.home });
    assert.equal(made.code, 0, made.stderr);
    const keyId = (JSON.parse(made.stdout) as { api_key: { id: string } }).api_key.id;
    // --format text: the HOME's configured yaml would make the run non-interactive (exit 4).
    const run = inPty(['revoke', keyId, '--format', 'text'], { cols: 80, env: token() });
    await until('the confirmation prompt', () => run.seen().includes('[y/N]'));
    run.type('n\r');
    const r = await run.done;
    assert.equal(r.code, 6, r.output.toString('utf8'));
    assert.ok(world.emu.state.apiKeys().some((k) => k.id === keyId), 'nothing revoked');
  });

  test('no folder anywhere: the folders are offered, "2" chooses the second', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aistudio-key-nofolder-'));
    const run = inPty(['create', '--endpoint', world.emu.endpoint], { cols: 80, env: { ...token(), HOME: home } });
    await until('the folder prompt', () => run.seen().includes('Folder [1-'));
    const offered = [...run.seen().matchAll(/^\s+(\d+)\) (\S+)\s+(b1g\w+)/gm)].map((m) => ({ n: m[1], id: m[3] }));
    assert.equal(offered.length, 2, run.seen());
    run.type('2\r');
    const r = await run.done;
    const text = r.output.toString('utf8');
    assert.equal(r.code, 0, text);
    const account = world.emu.state.serviceAccounts().find((a) => text.includes(a.id));
    assert.equal(account?.folderId, offered.find((o) => o.n === '2')?.id);
  });

  for (const cols of [0, 80]) {
    test(`Ctrl-C mid-run at ${cols} columns: exit 130, nothing the run made is left`, async () => {
      const before = snapshot();
      const accountCalls = world.emu.calls('ServiceAccountService/Create').length;
      const polls = world.emu.calls('OperationService/Get').length;
      world.emu.setOperationDelay(1500);
      try {
        const run = inPty(create(), { cols, env: token() });
        await until('the account create call and a poll of its operation', () => world.emu.calls('ServiceAccountService/Create').length > accountCalls && world.emu.calls('OperationService/Get').length > polls);
        run.type('\x03');
        world.emu.setOperationDelay(20);
        const r = await run.done;
        const text = r.output.toString('utf8');
        assert.equal(r.code, 130, text.slice(-2000));
        assert.match(text, /Interrupted/);
        assert.ok(r.output.length < 64 * 1024, `${r.output.length} bytes on the terminal`);
        assert.deepEqual(snapshot(), before, 'nothing the run made is left');
        assert.deepEqual(text.match(SECRET) ?? [], []);
      } finally {
        world.emu.setOperationDelay(300);
      }
    });
  }
});

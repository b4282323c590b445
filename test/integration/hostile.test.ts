/**
 * The CLI against a hostile cloud (test/emulator/hostile.ts; issue #13): crafted IDs and secrets,
 * terminal escapes, bidi overrides, newlines and `::warning::` lines in every description and error
 * message, multi-MB error messages. Whatever the cloud says:
 * - nothing executes: env output sourced by bash creates no marker file;
 * - nothing reaches the terminal raw: no ESC, C1 or bidi control from cloud data on stdout or
 *   stderr, and no line a GitHub runner would run as a workflow command;
 * - the secret is never printed where it must not be;
 * - a failed run leaves the cloud as it was (the emulator's state before and after).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CraftedIdStyle, DefaultIds, Emulator, Fixture, HostileOptions, IdKind } from '../emulator/index.js';
import { keysFixture, keysWorld, type KeysWorld } from '../helpers/keys-world.js';
import { tempDir, type RunCliOptions, type RunCliResult } from '../helpers/run-cli.js';

const worlds: KeysWorld[] = [];
after(() => Promise.all(worlds.map((w) => w.emu.stop())));

interface World extends KeysWorld {
  run(argv: string[], opts?: RunCliOptions): Promise<RunCliResult>;
  /** Everything a run could change, in a comparable form. */
  snapshot(): unknown;
}

/** The keys fixture (accounts and keys with descriptions to show), served by a hostile emulator. */
async function world(hostile: HostileOptions, seed?: (fixture: Fixture, ids: DefaultIds) => void): Promise<World> {
  const seeded = keysFixture();
  seed?.(seeded.fixture, seeded.ids);
  const w = await keysWorld({ fixture: seeded, emulator: { operationDelayMs: 2, hostile } });
  worlds.push(w);
  const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
  return {
    ...w,
    run: (argv, opts = {}) => w.cli(argv, { ...opts, target: { backoff: { baseMs: 1, maxMs: 4 }, poll: { firstDelayMs: 2, maxDelayMs: 10 } } }),
    snapshot: () => ({
      serviceAccounts: w.emu.state.serviceAccounts().sort(byId),
      apiKeys: w.emu.state.apiKeys().sort(byId),
      bindings: w.bindings(),
      lockbox: w.emu.state.lockboxSecrets().sort(byId),
    }),
  };
}

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const WORKFLOW_COMMAND = /^[ \t]*(::|##\[)/m;

/** Nothing raw on either stream, and no line a runner would execute (but an allowed ::add-mask::). */
function assertSafeStreams(r: RunCliResult, opts: { stdoutIsData?: boolean } = {}): void {
  for (const [name, text] of [['stderr', r.stderr], ['stdout', r.stdout]] as const) {
    // json/yaml/env on stdout carry data exactly, escaped by their encoders: checked by parsing.
    if (name === 'stdout' && opts.stdoutIsData) continue;
    const raw = RAW.exec(text);
    assert.equal(raw, null, `${name} holds a raw control character U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0') ?? ''}: ${JSON.stringify(text.slice(0, 400))}`);
    const lines = text.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    assert.doesNotMatch(lines.join('\n'), WORKFLOW_COMMAND, `${name} holds a workflow command line`);
  }
}

/** Sources `text` in bash, in a fresh directory; returns the directory's files afterwards and the named variables. */
function sourceInBash(text: string, names: string[]): { files: string[]; vars: Record<string, string>; status: number | null } {
  const dir = tempDir();
  writeFileSync(join(dir, 'out.env'), text);
  const script = `source ./out.env; ${names.map((n) => `printf '%s\\0' "\${${n}-}"`).join('; ')}`;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { cwd: dir, encoding: 'utf8' });
  const values = r.stdout.split('\0');
  return { files: readdirSync(dir).filter((f) => f !== 'out.env'), vars: Object.fromEntries(names.map((n, i) => [n, values[i] ?? ''])), status: r.status };
}

function assertNoSecretIn(emu: Emulator, text: string, where: string): void {
  for (const s of emu.secrets()) assert.ok(!text.includes(s), `a secret reached ${where}`);
}

describe('escapes, newlines and workflow commands in every description and error message', () => {
  const HOSTILE: HostileOptions = { text: true, errorText: true };

  test('create in every format: text safe on the terminal, json/yaml parse, env sourced runs nothing', async () => {
    const w = await world(HOSTILE);
    const description = '\u001b]0;title\u0007\u001b[2J\n::warning::from a flag\u202e';
    for (const format of ['text', 'json', 'yaml', 'env', 'dotenv'] as const) {
      const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', format, '--description', description.replace('\n', ' ')]);
      assert.equal(r.exitCode, 0, r.stderr);
      assertSafeStreams(r, { stdoutIsData: format !== 'text' });
      assertNoSecretIn(w.emu, r.stderr, 'stderr');
      if (format === 'json') assert.match((JSON.parse(r.stdout) as { secret: string }).secret, /^AQVN/);
      if (format === 'yaml') assert.match((parseYaml(r.stdout) as { secret: string }).secret, /^AQVN/);
      if (format === 'env' || format === 'dotenv') {
        const sourced = sourceInBash(r.stdout, ['YC_API_KEY', 'YC_API_KEY_ID']);
        assert.deepEqual(sourced.files, [], 'sourcing ran nothing');
        assert.ok(w.emu.secrets().includes(sourced.vars.YC_API_KEY ?? ''), 'YC_API_KEY is the secret');
      }
    }
    // A dry run quotes the flag's description (newline and all) in comment lines: still only comments.
    const dry = await w.run(['create', '--folder-id', w.ids.folderId, '--dry-run', '--format', 'env', '--description', `x\n$(touch pwned)\n${description}`]);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.ok(dry.stdout.split('\n').every((l) => l === '' || l.startsWith('# ')), dry.stdout);
    assert.deepEqual(sourceInBash(dry.stdout, []).files, []);
    const dryText = await w.run(['create', '--folder-id', w.ids.folderId, '--dry-run', '--description', description]);
    assertSafeStreams(dryText);
  });

  test('list, rotate, revoke (its prompt included), ensure and whoami print no raw control character and no workflow command', async () => {
    const w = await world(HOSTILE);
    const created = await w.run(['create', '--folder-id', w.ids.folderId, '--json']);
    assert.equal(created.exitCode, 0, created.stderr);
    const keyId = (JSON.parse(created.stdout) as { api_key: { id: string } }).api_key.id;

    for (const argv of [['list', '--folder-id', w.ids.folderId], ['list', '--folder-id', w.ids.folderId, '--all'], ['whoami', '--folder-id', w.ids.folderId]]) {
      const r = await w.run(argv);
      assert.equal(r.exitCode, 0, r.stderr);
      assertSafeStreams(r);
    }
    const listed = await w.run(['list', '--folder-id', w.ids.folderId, '--json']);
    const doc = JSON.parse(listed.stdout) as Array<{ description: string }>;
    assert.ok(doc.some((k) => k.description.includes('\u001b]0;')), 'json carries the description exactly');

    const rotated = await w.run(['rotate', keyId]);
    assert.equal(rotated.exitCode, 0, rotated.stderr);
    assertSafeStreams(rotated);

    // The prompt at a terminal (no colour, so any ESC would be the cloud's); answered "no".
    const before = w.snapshot();
    const newKey = w.emu.state.apiKeys().find((k) => k.id !== keyId && k.description.includes('aistudio-key run'));
    assert.ok(newKey);
    const prompt = await w.run(['revoke', newKey.id], { isTTY: true, stdin: 'n\n', env: { NO_COLOR: '1' } });
    assert.match(prompt.stderr, /About to revoke/);
    assert.match(prompt.stderr, /\^\[\]0;pwned\^G/, 'the escape is shown, visibly');
    assertSafeStreams(prompt);
    assert.deepEqual(w.snapshot(), before, 'answered no: nothing revoked');

    const ensured = await w.run(['ensure', '--folder-id', w.ids.folderId, '--service-account', 'ci-hostile', '--to-lockbox', 'hostile-key']);
    assert.equal(ensured.exitCode, 0, ensured.stderr);
    assertSafeStreams(ensured);
  });

  test('a cloud error with escapes and ::error:: lines: one safe message, in text and JSON, and the cloud as it was', async () => {
    const w = await world(HOSTILE);
    const before = w.snapshot();
    w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'key refused' });
    for (const format of ['text', 'json'] as const) {
      if (format === 'json') w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'key refused' });
      const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', format]);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.equal(r.stdout, '');
      assertSafeStreams(r);
      assert.match(r.stderr, /key refused/);
      if (format === 'json') JSON.parse(r.stderr);
      assert.deepEqual(w.snapshot(), before, 'the run removed what it made');
    }
  });

  test('a long gRPC error message (as long as HTTP/2 trailers carry): cut in the message, nothing raw, the cloud as it was', async () => {
    const w = await world({ ...HOSTILE, errorBytes: 5_000_000 });
    const before = w.snapshot();
    w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'bindings refused' });
    const r = await w.run(['create', '--folder-id', w.ids.folderId]);
    assert.equal(r.exitCode, 1, r.stderr.slice(0, 2000));
    assertSafeStreams(r);
    assert.match(r.stderr, /more characters\)/);
    assert.ok(r.stderr.length < 20_000, `stderr is ${r.stderr.length} characters`);
    assert.deepEqual(w.snapshot(), before);
  });

  test('a multi-MB error body from the token exchange: the run ends at once with a short, safe message', async () => {
    const w = await world({ ...HOSTILE, errorBytes: 5_000_000 });
    w.emu.inject('HTTP POST /oauth/token', { kind: 'error', code: 'INVALID_ARGUMENT', message: 'subject token refused' });
    const r = await w.run(['whoami', '--federated-token', w.ids.federatedSubjectToken, '--service-account-id', w.ids.serviceAccountId], {
      env: { YC_IAM_TOKEN: undefined, YC_TOKEN_EXCHANGE_URL: `${w.emu.httpUrl}/oauth/token` },
    });
    assert.equal(r.exitCode, 3, r.stderr.slice(0, 2000));
    // The answer is cut at 1 MB (src/auth/http-fetch.ts), so its JSON does not parse: the status speaks.
    assert.match(r.stderr, /was refused \(HTTP 400/);
    assertSafeStreams(r);
    assert.ok(r.stderr.length < 20_000, `stderr is ${r.stderr.length} characters`);
  });
});

describe('crafted IDs and secrets: the run fails (exit 1) before anything is written, and removes what it made', () => {
  const cases: Array<{ kind: IdKind; style: CraftedIdStyle; lockbox?: boolean }> = [
    { kind: 'service-account', style: 'newline' },
    { kind: 'service-account', style: 'shell' },
    { kind: 'service-account', style: 'escape' },
    { kind: 'service-account', style: 'long' },
    { kind: 'api-key', style: 'newline' },
    { kind: 'api-key', style: 'long' },
    { kind: 'operation', style: 'newline' },
    { kind: 'lockbox-secret', style: 'newline', lockbox: true },
    { kind: 'lockbox-version', style: 'shell', lockbox: true },
  ];
  for (const c of cases) {
    test(`${c.kind} ID (${c.style})${c.lockbox ? ' with --to-lockbox' : ''}`, async () => {
      const w = await world({ ids: { [c.kind]: c.style } });
      const before = w.snapshot();
      const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', 'env', ...(c.lockbox ? ['--to-lockbox', 'ai-key'] : [])]);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.equal(r.stdout, '', 'nothing written');
      assert.match(r.stderr, /malformed/);
      assertSafeStreams(r);
      assertNoSecretIn(w.emu, r.stderr, 'stderr');
      assert.deepEqual(w.snapshot(), before, 'the cloud is as it was');
    });
  }

  test('a secret that is not key-shaped: exit 1, never printed, the key and its account removed', async () => {
    const w = await world({ secret: true });
    const before = w.snapshot();
    for (const format of ['env', 'json', 'text'] as const) {
      const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', format]);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /malformed API key secret/);
      assertSafeStreams(r);
      assertNoSecretIn(w.emu, r.stderr, 'stderr');
      assert.deepEqual(w.snapshot(), before);
    }
  });

  test('list refuses a crafted key ID it reads (exit 1), printing it nowhere raw', async () => {
    const w = await world({}, (fixture, ids) => {
      fixture.apiKeys = [...(fixture.apiKeys ?? []), { id: 'aje1\n$(touch pwned)', serviceAccountId: ids.serviceAccountId, description: 'planted' }];
    });
    for (const format of ['text', 'json'] as const) {
      const r = await w.run(['list', '--folder-id', w.ids.folderId, '--all', '--format', format]);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /malformed API key ID/);
      assertSafeStreams(r);
    }
  });
});

/**
 * Delivery targets of `create` and `rotate` for real (runCli -> connect -> the emulator): --out-file
 * (mode 0600, refused when the file exists — before anything is created), --to-lockbox (the payload
 * holds the key, stdout names the version), --github-output (mask line first on stderr, outputs
 * parsed back; refused outside Actions or with GITHUB_OUTPUT in a missing directory), --format dotenv; and the secret never on stdout or stderr but in the
 * ::add-mask:: line.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator } from '../emulator/index.js';
import { parseGithubOutput } from '../helpers/github-output.js';
import { runCli, tempDir, type RunCliOptions, type RunCliResult } from '../helpers/run-cli.js';

const running: Emulator[] = [];
after(async () => {
  await Promise.all(running.map((e) => e.stop()));
});

interface World {
  emu: Emulator;
  ids: DefaultIds;
  run(argv: string[], opts?: RunCliOptions): Promise<RunCliResult>;
}

async function world(): Promise<World> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, operationDelayMs: 5 });
  running.push(emu);
  return {
    emu,
    ids,
    run: ([command = '', ...rest], opts = {}) =>
      runCli([command, '--endpoint', emu.endpoint, '--ca-file', emu.caFile, ...rest], {
        ...opts,
        env: { YC_IAM_TOKEN: ids.userIamToken, ...opts.env },
        target: { backoff: { baseMs: 1, maxMs: 4 }, poll: { firstDelayMs: 2, maxDelayMs: 10 } },
      }),
  };
}

/** No issued secret on stdout or stderr (stdout lines starting with `allowedPrefix` excepted). */
function assertNoSecrets(emu: Emulator, r: RunCliResult): void {
  for (const s of emu.secrets()) {
    assert.ok(!r.stdout.includes(s), 'a secret reached stdout');
    assert.ok(!r.stderr.includes(s), 'a secret reached stderr');
  }
}

function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)='?([^']*)'?$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) vars[m[1]] = m[2];
  }
  return vars;
}


describe('create with delivery targets', () => {
  test('--out-file: the file (mode 0600) holds the key, stdout carries no secret', async () => {
    const w = await world();
    const file = join(tempDir(), 'key.env');
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--out-file', file]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const vars = parseEnvFile(readFileSync(file, 'utf8'));
    const key = w.emu.state.apiKeys()[0];
    assert.equal(vars.YC_API_KEY_ID, key?.id);
    assert.ok(w.emu.secrets().includes(vars.YC_API_KEY ?? ''), 'the file holds the issued secret');
    assert.match(r.stdout, new RegExp(`Secret written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assertNoSecrets(w.emu, r);
  });

  test('--out-file with --json: the file is JSON with the secret, stdout is JSON without it', async () => {
    const w = await world();
    const file = join(tempDir(), 'key.json');
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--out-file', file, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const inFile = JSON.parse(readFileSync(file, 'utf8')) as { secret: string; api_key: { id: string } };
    const onStdout = JSON.parse(r.stdout) as Record<string, unknown> & { api_key: { id: string }; out_file: { path: string } };
    assert.ok(w.emu.secrets().includes(inFile.secret));
    assert.equal(onStdout.secret, undefined);
    assert.equal(onStdout.api_key.id, inFile.api_key.id);
    assert.equal(onStdout.out_file.path, file);
    assertNoSecrets(w.emu, r);
  });

  test('--out-file naming an existing file: exit 2, the file untouched, nothing created in the cloud', async () => {
    const w = await world();
    const file = join(tempDir(), 'key.env');
    writeFileSync(file, 'precious\n');
    const before = w.emu.mutations().length;
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--out-file', file]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /--force/);
    assert.equal(readFileSync(file, 'utf8'), 'precious\n');
    assert.equal(w.emu.mutations().length, before, 'no mutation');
    assert.equal(r.stdout, '');
  });

  test('--to-lockbox: JSON shows lockbox {secret_id, version_id} and no secret; the payload holds the key', async () => {
    const w = await world();
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--to-lockbox', 'ai-studio-key', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { api_key: { id: string }; lockbox: { secret_id: string; version_id: string } };
    assert.equal(doc.secret, undefined);
    const secret = w.emu.state.lockboxSecrets().find((s) => s.name === 'ai-studio-key');
    assert.ok(secret, 'the secret was created');
    assert.equal(doc.lockbox.secret_id, secret.id);
    assert.equal(doc.lockbox.version_id, secret.currentVersionId);
    assert.equal(secret.payload?.['api-key-id'], doc.api_key.id);
    assert.ok(w.emu.secrets().includes(secret.payload?.['api-key'] ?? ''), 'the payload holds the issued secret');
    assertNoSecrets(w.emu, r);
  });

  test('--github-output --json: the mask line first on stderr, stdout one JSON document, the outputs file parsed back', async () => {
    const w = await world();
    const outputs = join(tempDir(), 'github-output');
    writeFileSync(outputs, '');
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--github-output', '--json'], { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputs } });
    assert.equal(r.exitCode, 0, r.stderr);
    const masks = r.stderr.split('\n').filter((l) => l.startsWith('::add-mask::'));
    assert.equal(masks.length, 1, r.stderr);
    const secret = (masks[0] ?? '').replace(/^::add-mask::/, '');
    assert.ok(w.emu.secrets().includes(secret));
    assert.ok(!r.stdout.includes('::'), 'no workflow command on stdout');
    // `> result.json` holds exactly one JSON document.
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { api_key: { id: string } };
    assert.equal(doc.secret, undefined);
    assert.deepEqual(parseGithubOutput(readFileSync(outputs, 'utf8')), { 'api-key-id': doc.api_key.id, 'api-key': secret });
    assertNoSecrets(w.emu, { ...r, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') });
  });

  test('--github-output with GITHUB_OUTPUT in a missing directory: exit 2 before any change, no mask printed', async () => {
    const w = await world();
    const before = w.emu.mutations().length;
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--github-output'], { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: join(tempDir(), 'gone', 'out') } });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /--github-output: .*does not exist/);
    assert.equal(w.emu.mutations().length, before, 'no mutation');
    assert.ok(!r.stderr.includes('::add-mask::'));
  });

  test('--github-output outside GitHub Actions: exit 2, nothing created', async () => {
    const w = await world();
    const before = w.emu.mutations().length;
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--github-output']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(w.emu.mutations().length, before, 'no mutation');
    assert.deepEqual(w.emu.state.serviceAccounts().filter((s) => s.name.startsWith('aistudio-')), []);
    assert.equal(r.stdout, '');
  });

  test('--format dotenv: bare NAME=value lines, read back exactly', async () => {
    const w = await world();
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', 'dotenv']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /'/);
    const vars = parseEnvFile(r.stdout);
    assert.equal(vars.YC_API_KEY_ID, w.emu.state.apiKeys()[0]?.id);
    assert.equal(vars.YC_FOLDER_ID, w.ids.folderId);
    assert.ok(w.emu.secrets().includes(vars.YC_API_KEY ?? ''));
  });

  test('--format dotenv with --out-file: the file is dotenv, stdout omits YC_API_KEY', async () => {
    const w = await world();
    const file = join(tempDir(), '.env');
    const r = await w.run(['create', '--folder-id', w.ids.folderId, '--format', 'dotenv', '--out-file', file]);
    assert.equal(r.exitCode, 0, r.stderr);
    const vars = parseEnvFile(readFileSync(file, 'utf8'));
    assert.ok(w.emu.secrets().includes(vars.YC_API_KEY ?? ''));
    assert.doesNotMatch(r.stdout, /YC_API_KEY=/);
    assert.match(r.stdout, /^YC_API_KEY_ID=/m);
    assertNoSecrets(w.emu, r);
  });
});

describe('rotate with delivery targets', () => {
  test('--out-file: the new key in the file, the old key revoked, stdout without the secret', async () => {
    const w = await world();
    const created = await w.run(['create', '--folder-id', w.ids.folderId, '--json']);
    assert.equal(created.exitCode, 0, created.stderr);
    const oldId = (JSON.parse(created.stdout) as { api_key: { id: string } }).api_key.id;
    const file = join(tempDir(), 'key.json');
    const r = await w.run(['rotate', oldId, '--out-file', file, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const inFile = JSON.parse(readFileSync(file, 'utf8')) as { secret: string; api_key: { id: string } };
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { api_key: { id: string }; revoked: string[] };
    assert.equal(doc.secret, undefined);
    assert.equal(doc.api_key.id, inFile.api_key.id);
    assert.deepEqual(doc.revoked, [oldId]);
    assert.ok(w.emu.secrets().includes(inFile.secret));
    assert.deepEqual(w.emu.state.apiKeys().map((k) => k.id), [inFile.api_key.id]);
    assertNoSecrets(w.emu, r);
  });

  test('--out-file naming an existing file: exit 2 before the new key is issued', async () => {
    const w = await world();
    const created = await w.run(['create', '--folder-id', w.ids.folderId, '--json']);
    const oldId = (JSON.parse(created.stdout) as { api_key: { id: string } }).api_key.id;
    const file = join(tempDir(), 'key.env');
    writeFileSync(file, 'x\n');
    const before = w.emu.mutations().length;
    const r = await w.run(['rotate', oldId, '--out-file', file]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(w.emu.mutations().length, before, 'no mutation');
    assert.equal(readFileSync(file, 'utf8'), 'x\n');
    assert.ok(existsSync(file));
  });
});

/**
 * action.yml's script, run by bash as the Actions runner would: `npx` is a stub that runs this
 * checkout's CLI (from src, through tsx), the GitHub OIDC endpoint a local server, and the federation
 * exchange and the API the emulator. Checks the outputs it sets, that no secret reaches the job log,
 * and that a job without `id-token: write` is told so.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultFixture, startEmulator, type Emulator } from '../emulator/index.js';
import { parseGithubOutput } from '../helpers/github-output.js';
import { tempDir } from '../helpers/run-cli.js';

const ROOT = new URL('../../', import.meta.url);
const running: Emulator[] = [];
const servers: Server[] = [];
after(async () => {
  for (const s of servers) s.close();
  await Promise.all(running.map((e) => e.stop()));
});

interface Action {
  runs: { steps: Array<{ run: string; env: Record<string, string> }> };
}

const action = parse(readFileSync(new URL('action.yml', ROOT), 'utf8')) as Action;
const step = action.runs.steps[0] ?? { run: '', env: {} };

/** `npx --yes aistudio-key@<v> <args>` → this checkout's CLI. */
function stubNpx(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const entry = `const { main } = await import(${JSON.stringify(new URL('src/main.ts', ROOT).href)});
const { createDeps, installProcessGuards } = await import(${JSON.stringify(new URL('src/deps.ts', ROOT).href)});
installProcessGuards();
process.exitCode = await main(process.argv, createDeps());`;
  writeFileSync(join(bin, 'npx'), `#!/usr/bin/env bash\n[ "$1" = --yes ] && shift\ncase "$1" in aistudio-key@*) shift;; *) exit 97;; esac\nexec node --import tsx --input-type=module -e '${entry.replaceAll("'", "'\\''")}' -- aistudio-key "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  return bin;
}

/** Runs the step's script with the inputs mapped the way `env:` in action.yml maps them. */
async function runStep(inputs: Record<string, string>, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const stepEnv: Record<string, string> = {};
  for (const [name, expr] of Object.entries(step.env)) {
    const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expr)?.[1];
    assert.ok(input, `env ${name} maps an input`);
    stepEnv[name] = inputs[input] ?? '';
  }
  const child = spawn('bash', ['--noprofile', '--norc', '-c', step.run], { env: { ...env, ...stepEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

const DEFAULTS = { 'service-account': 'aistudio-ci', 'rotate-before': '14d', 'expires-in': '90d', 'version': '0.1.0', 'lockbox-secret': '', 'lockbox-folder-id': '' };

/** An emulator, a GitHub OIDC endpoint and the job's environment, with an empty $GITHUB_OUTPUT. */
async function actionsJob(): Promise<{ emu: Emulator; ids: ReturnType<typeof defaultFixture>['ids']; env: Record<string, string>; output: string }> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture });
  running.push(emu);
  const oidc = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.headers.authorization === 'bearer request-token' ? JSON.stringify({ value: ids.federatedSubjectToken }) : '{}');
  });
  servers.push(oidc);
  await new Promise<void>((r) => oidc.listen(0, '127.0.0.1', r));
  const port = (oidc.address() as { port: number }).port;
  const dir = tempDir();
  const output = join(dir, 'github_output');
  writeFileSync(output, '');
  const env = {
    PATH: `${stubNpx(dir)}:${process.env.PATH ?? ''}`,
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    YC_TOKEN_EXCHANGE_URL: `${emu.httpUrl}/oauth/token`,
    YC_ENDPOINT: emu.endpoint,
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: emu.caFile,
    YC_METADATA_ADDR: '127.0.0.1:1',
    AISTUDIO_KEY_CONFIG_DIR: join(dir, 'config'),
  };
  return { emu, ids, env, output };
}

test('ensure through workload identity federation: outputs set, nothing secret in the job log', async () => {
  const { emu, ids, env, output } = await actionsJob();
  const inputs = { ...DEFAULTS, 'folder-id': ids.folderId, 'service-account-id': ids.serviceAccountId, 'lockbox-secret': 'ai-studio-key' };
  const r = await runStep(inputs, env);
  assert.equal(r.code, 0, r.stderr);
  const outputs = parseGithubOutput(readFileSync(output, 'utf8'));
  const secret = emu.state.lockboxSecrets()[0];
  assert.deepEqual(outputs, { 'status': 'rotated', 'api-key-id': secret?.payload['api-key-id'], 'lockbox-secret-id': secret?.id, 'lockbox-version-id': secret?.currentVersionId });
  for (const s of emu.secrets()) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'no secret in the job log');
  // The calls were made as the federated service account.
  assert.equal(emu.calls('HTTP POST /oauth/token').length, 1);

  const written = readFileSync(output, 'utf8').length;
  const again = await runStep(inputs, env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(parseGithubOutput(readFileSync(output, 'utf8').slice(written)).status, 'up-to-date');
});

test('without id-token: write the job is told what to add', async () => {
  const r = await runStep({ ...DEFAULTS, 'folder-id': 'b1g', 'service-account-id': 'aje' }, { PATH: process.env.PATH ?? '' });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^::error::.*permissions: id-token: write/m);
});

test('create (no lockbox-secret): the mask reaches the job log on stderr, outputs in heredoc form, no secret elsewhere', async () => {
  const { emu, ids, env, output } = await actionsJob();
  const r = await runStep({ ...DEFAULTS, 'folder-id': ids.folderId, 'service-account-id': ids.serviceAccountId }, env);
  assert.equal(r.code, 0, r.stderr);
  const outputs = parseGithubOutput(readFileSync(output, 'utf8'));
  const [secret = ''] = emu.secrets().filter((s) => s === outputs['api-key']);
  assert.ok(secret, 'api-key is the issued secret');
  assert.equal(outputs.status, 'created');
  assert.match(outputs['api-key-id'] ?? '', /^[a-z][a-z0-9]{19}$/);
  // The runner reads commands on both streams; the step's log is what it sees.
  const log = `${r.stdout}\n${r.stderr}`.split('\n');
  assert.deepEqual(log.filter((l) => l.includes(secret)), [`::add-mask::${secret}`], 'the secret appears only in the mask line');
  assert.ok(log.indexOf(`::add-mask::${secret}`) >= 0);
});

test('a crafted ID in the CLI\'s answer cannot add outputs: every output is a heredoc with a fresh delimiter', async () => {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // A CLI that answers with hostile IDs (the real one refuses them; this checks action.yml alone).
  const doc = { status: 'rotated', api_key: { id: 'aje1\nstatus=pwned' }, lockbox: { secret_id: 'e6q1\nstatus=pwned\nx<<EOF', version_id: '$(touch pwned)' } };
  writeFileSync(join(bin, 'npx'), `#!/usr/bin/env bash\nprintf '%s' ${JSON.stringify(JSON.stringify(doc)).replaceAll('$', '\\$')}\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const output = join(dir, 'github_output');
  writeFileSync(output, '');
  const r = await runStep(
    { ...DEFAULTS, 'folder-id': 'b1g', 'service-account-id': 'aje', 'lockbox-secret': 'x' },
    { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_OUTPUT: output, ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(parseGithubOutput(readFileSync(output, 'utf8')), {
    'status': 'rotated',
    'api-key-id': 'aje1\nstatus=pwned',
    'lockbox-secret-id': 'e6q1\nstatus=pwned\nx<<EOF',
    'lockbox-version-id': '$(touch pwned)',
  });
});

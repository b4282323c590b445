/**
 * Issue #15 item 11: `create --dry-run` shows the whole plan, including where the secret would go
 * (--out-file, --github-output, --to-lockbox, --encrypt-to), with every target preflighted as in a
 * real run (a preflight failure is exit 2), and not one mutating call (the emulator's journal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ageKeyPair } from '../helpers/age.js';
import { assertUsageLine, createWorlds } from '../helpers/create-world.js';
import { tempDir } from '../helpers/run-cli.js';

const world = createWorlds({ folderFlag: true });
const SECRET = /AQVN[A-Za-z0-9_-]{36}/;

interface PlanDoc {
  dry_run: boolean;
  delivery: { to: Array<Record<string, unknown>>; encrypted_for_recipients: number | null };
}

test('--dry-run with --out-file, --to-lockbox and --github-output: each target as its preflight found it; nothing written, nothing changed', async () => {
  const w = await world();
  const dir = tempDir();
  const outFile = join(dir, 'ai.env');
  const ghOutput = join(dir, 'github-output');
  writeFileSync(ghOutput, '');
  const before = w.emu.mutations().length;
  const env = { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: ghOutput };
  const r = await w.create(['--dry-run', '--json', '--out-file', outFile, '--github-output', '--to-lockbox', 'planned-secret'], { env });
  assert.equal(r.exitCode, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as PlanDoc;
  assert.equal(doc.dry_run, true);
  assert.deepEqual(doc.delivery.to, [
    { target: 'file', path: outFile, format: 'json', mode: '0600', replaces_existing: false },
    { target: 'github-output', outputs: ['api-key-id', 'api-key'], file: ghOutput },
    { target: 'lockbox', action: 'create', secret_id: null, name: 'planned-secret', folder_id: w.ids.folderId },
  ]);
  assert.equal(doc.delivery.encrypted_for_recipients, null);
  assert.equal(existsSync(outFile), false, 'no file written');
  assert.deepEqual(readdirSync(dir).sort(), ['github-output'], 'the probe left nothing');
  assert.equal(readFileSync(ghOutput, 'utf8'), '', 'no step output written');
  assert.doesNotMatch(r.stderr, /::add-mask::/);
  assert.equal(w.emu.mutations().length, before, 'no mutating call');
  assert.doesNotMatch(r.stdout + r.stderr, SECRET);
});

test('--dry-run in text: the plan says where the secret would go; an existing Lockbox secret gets a new version; encrypted for N recipients', async () => {
  const w = await world();
  const made = await w.create(['--json', '--to-lockbox', 'existing-secret']);
  assert.equal(made.exitCode, 0, made.stderr);
  const secret = w.emu.state.lockboxSecrets().find((s) => s.name === 'existing-secret');
  assert.ok(secret);
  const before = w.emu.mutations().length;
  const lockbox = await w.create(['--dry-run', '--to-lockbox', 'existing-secret']);
  assert.equal(lockbox.exitCode, 0, lockbox.stderr);
  assert.match(lockbox.stdout, new RegExp(`new version of Lockbox secret existing-secret \\(${secret.id}\\)`));
  const [a, b] = (await Promise.all([ageKeyPair(), ageKeyPair()])).map((k) => k.recipient);
  const sealed = await w.create(['--dry-run', '--format', 'yaml', '--encrypt-to', a ?? '', '--encrypt-to', b ?? '']);
  assert.equal(sealed.exitCode, 0, sealed.stderr);
  assert.deepEqual((parseYaml(sealed.stdout) as PlanDoc).delivery, { to: [{ target: 'stdout', format: 'yaml' }], encrypted_for_recipients: 2 });
  const plain = await w.create(['--dry-run']);
  assert.match(plain.stdout, /The secret would be printed on stdout \(text\)\./);
  const many = await w.create(['--dry-run', '--count', '3', '--json']);
  assert.deepEqual((JSON.parse(many.stdout) as PlanDoc).delivery.to, [{ target: 'stdout', format: 'json' }]);
  assert.equal(w.emu.mutations().length, before, 'no mutating call');
});

test('--dry-run preflights the targets as a real run does: each failure is exit 2, one line, nothing changed', async () => {
  const w = await world();
  const dir = tempDir();
  const taken = join(dir, 'taken.env');
  writeFileSync(taken, 'KEEP=1\n');
  const before = w.emu.mutations().length;
  assertUsageLine(await w.create(['--dry-run', '--out-file', taken]), /^--out-file: ".*taken\.env" already exists; pass --force/, 'existing file');
  assertUsageLine(await w.create(['--dry-run', '--out-file', join(dir, 'missing', 'x.env')]), /^--out-file: directory ".*missing" does not exist/, 'missing directory');
  const gh = await w.create(['--dry-run', '--github-output']);
  assert.equal(gh.exitCode, 2, gh.stderr);
  assert.match(gh.stderr, /--github-output: this is not a GitHub Actions job/);
  assert.equal(readFileSync(taken, 'utf8'), 'KEEP=1\n');
  const forced = await w.create(['--dry-run', '--json', '--out-file', taken, '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.equal((JSON.parse(forced.stdout) as PlanDoc).delivery.to[0]?.replaces_existing, true);
  assert.equal(readFileSync(taken, 'utf8'), 'KEEP=1\n', 'the file a dry run would replace is untouched');
  assert.equal(w.emu.mutations().length, before, 'no mutating call');
});

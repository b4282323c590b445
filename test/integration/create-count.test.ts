/**
 * `create --count N` (issue #8, bulk) for real: the CLI in-process (runCli) -> the SDK over TLS ->
 * the emulator. N accounts and N keys with one UpdateAccessBindings call; the pool bound seen from
 * the server's journal; rate limits retried; a failure midway or a used-up quota leaves nothing;
 * usage errors make no call at all; and a timing sanity check against one create.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { BULK_CONCURRENCY } from '../../src/core/create-keys.js';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import { defaultFixture, type Emulator, type JournalEntry } from '../emulator/index.js';
import { Interrupter, type RunCliOptions } from '../helpers/run-cli.js';
import { count, createWorlds, type CreateWorld } from '../helpers/create-world.js';

const world = createWorlds({ folderFlag: true });
type World = CreateWorld;

/** Retries back off 1–4 ms here, so rate-limit tests take no seconds. */
const FAST_RETRIES: RunCliOptions = { target: { backoff: { baseMs: 1, maxMs: 4 } } };

interface CreatedDoc {
  secret: string;
  api_key: { id: string; service_account_id: string; scopes: string[] };
  service_account: { id: string; name: string; folder_id: string };
  roles: string[];
}

type Delta = { action: string | number; accessBinding: { roleId: string; subject: { type: string; id: string } } };
const deltasOf = (e: JournalEntry): Delta[] => (e.request as { accessBindingDeltas: Delta[] }).accessBindingDeltas;
const isAdd = (d: Delta): boolean => d.action === 'ADD' || d.action === 1;


/** Every issued secret on stdout exactly once, none (nor any token) on stderr. */
function assertSecrets(emu: Emulator, stdout: string, stderr: string, n: number): void {
  const issued = emu.secrets().filter((s) => s.startsWith('AQVN') && stdout.includes(s));
  assert.equal(issued.length, n, `${n} secrets on stdout`);
  for (const s of issued) assert.equal(count(stdout, s), 1, 'each printed once');
  for (const s of emu.secrets()) assert.equal(count(stderr, s), 0, 'no token or secret on stderr');
}

/** The managed accounts the run made: n of them, each with one preset key and the preset roles. */
function assertSets(w: World, before: string[], n: number): Array<{ id: string; name: string }> {
  const mine = w.emu.state.serviceAccounts().filter((s) => s.labels['managed-by'] === 'aistudio-key');
  assert.equal(mine.length, n, `${n} managed accounts`);
  const after = w.bindings();
  const ours = new Set(mine.map((a) => a.id));
  assert.deepEqual(after.filter((b) => !ours.has(b.split(':').pop() ?? '')), before, 'the folder\'s other bindings untouched');
  for (const sa of mine) {
    const keys = w.emu.state.apiKeys().filter((k) => k.serviceAccountId === sa.id);
    assert.equal(keys.length, 1, `one key on ${sa.name}`);
    assert.deepEqual(keys[0]?.scopes, [...PRESET_SCOPES]);
    assert.deepEqual(after.filter((b) => b.endsWith(`:${sa.id}`)), PRESET_ROLES.map((r) => `${r} serviceAccount:${sa.id}`).sort());
  }
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0, 'never SetAccessBindings');
  return mine;
}

/** Nothing made by a failed run remains. */
function assertNothingLeft(w: World, before: { bindings: string[]; accounts: number; keys: number }): void {
  assert.equal(w.emu.state.serviceAccounts().length, before.accounts, 'no account left');
  assert.equal(w.emu.state.apiKeys().length, before.keys, 'no key left');
  assert.deepEqual(w.bindings(), before.bindings, 'bindings as they were');
  assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0, 'never SetAccessBindings');
}

function snapshot(w: World): { bindings: string[]; accounts: number; keys: number } {
  return { bindings: w.bindings(), accounts: w.emu.state.serviceAccounts().length, keys: w.emu.state.apiKeys().length };
}

/**
 * Most calls of these methods the server was handling at once. The journal stamps a call when it
 * arrives; the emulator then sleeps `latencyMs` before answering, so a call is in flight at least
 * over [at, at + latency). A client holding k slots can have at most k such windows overlapping.
 */
function maxInFlight(entries: JournalEntry[], latencyMs: number): number {
  const starts = entries.map((e) => e.at.getTime()).sort((a, b) => a - b);
  let most = 0;
  for (const t of starts) {
    // 1 ms of slack for millisecond stamps: the next call cannot arrive before the answer left.
    const open = starts.filter((s) => s <= t && t < s + latencyMs - 1).length;
    most = Math.max(most, open);
  }
  return most;
}

test('--count 5: five accounts and keys, the preset on each, one UpdateAccessBindings of 25 ADD deltas, a JSON array', async () => {
  const w = await world();
  const before = w.bindings();
  const res = await w.create(['--count', '5', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const docs = JSON.parse(res.stdout) as CreatedDoc[];
  assert.ok(Array.isArray(docs));
  assert.equal(docs.length, 5);
  assertSecrets(w.emu, res.stdout, res.stderr, 5);
  const accounts = assertSets(w, before, 5);
  for (const doc of docs) {
    assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles'], 'each the single-create document');
    assert.deepEqual(doc.roles, [...PRESET_ROLES]);
    assert.equal(doc.api_key.service_account_id, doc.service_account.id);
    assert.equal(doc.service_account.folder_id, w.ids.folderId);
    assert.match(doc.service_account.name, /^aistudio-\d{8}-[a-z0-9]{6}$/);
  }
  assert.deepEqual(new Set(docs.map((d) => d.service_account.id)), new Set(accounts.map((a) => a.id)), 'one document per account');
  const updates = w.emu.calls('FolderService/UpdateAccessBindings');
  assert.equal(updates.length, 1, 'exactly one UpdateAccessBindings');
  const deltas = deltasOf(updates[0] as JournalEntry);
  assert.equal(deltas.length, 25);
  assert.ok(deltas.every(isAdd), 'ADD deltas only');
  assert.deepEqual(
    deltas.map((d) => `${d.accessBinding.roleId} ${d.accessBinding.subject.type}:${d.accessBinding.subject.id}`).sort(),
    accounts.flatMap((a) => PRESET_ROLES.map((r) => `${r} serviceAccount:${a.id}`)).sort(),
  );
  assert.equal(w.emu.calls('ServiceAccountService/Create').length, 5);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 5);
});

test('--name X --count 3: accounts X-1 … X-3; text prints one block per key, yaml a list', async () => {
  const w = await world();
  const before = w.bindings();
  const text = await w.create(['--count', '3', '--name', 'team-bot']);
  assert.equal(text.exitCode, 0, text.stderr);
  assertSecrets(w.emu, text.stdout, text.stderr, 3);
  assert.deepEqual(assertSets(w, before, 3).map((a) => a.name).sort(), ['team-bot-1', 'team-bot-2', 'team-bot-3']);
  const blocks = text.stdout.trimEnd().split('\n\n');
  assert.equal(blocks.length, 3, 'three blocks');
  for (const block of blocks) {
    assert.match(block, /^Service account +team-bot-\d \(\w+\)\n/);
    assert.match(block, /\nAPI key ID +\w+\nSecret +AQVN\S+$/);
  }
  assert.match(text.stderr, /shown only once/);

  const y = await world();
  const yaml = await y.create(['--count', '2', '--format', 'yaml']);
  assert.equal(yaml.exitCode, 0, yaml.stderr);
  const list = parseYaml(yaml.stdout) as CreatedDoc[];
  assert.equal(list.length, 2);
  for (const doc of list) assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles']);
});

test('--count 1 is the single create: one JSON document, not an array', async () => {
  const w = await world();
  const res = await w.create(['--count', '1', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as CreatedDoc;
  assert.ok(!Array.isArray(doc));
  assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles']);
});

test(`--count 12 with latency: never more than ${BULK_CONCURRENCY} Create calls in flight, and they do overlap`, async () => {
  const latencyMs = 80;
  const w = await world({ latencyMs, operationDelayMs: 50 });
  const before = w.bindings();
  const res = await w.create(['--count', '12', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assertSets(w, before, 12);
  for (const method of ['ServiceAccountService/Create', 'ApiKeyService/Create']) {
    const calls = w.emu.calls(method);
    assert.equal(calls.length, 12, method);
    const most = maxInFlight(calls, latencyMs);
    assert.ok(most <= BULK_CONCURRENCY, `${method}: ${most} in flight at once, more than ${BULK_CONCURRENCY}`);
    assert.ok(most >= Math.min(4, BULK_CONCURRENCY), `${method}: only ${most} at once; the calls did not overlap`);
  }
  const updates = w.emu.calls('FolderService/UpdateAccessBindings');
  assert.equal(updates.length, 1);
  assert.equal(deltasOf(updates[0] as JournalEntry).length, 12 * PRESET_ROLES.length);
});

test('more than 1000 deltas (--count 100, 11 roles): split into calls of whole accounts, each at most 1000', async () => {
  const w = await world({ quotas: { serviceAccountsPerCloud: 1000 } });
  const before = w.bindings();
  const roles = [
    'ai.editor', 'ai.viewer', 'ai.languageModels.user', 'ai.imageGeneration.user', 'ai.translate.user', 'ai.vision.user',
    'serverless.mcpGateways.invoker', 'serverless.workflows.executor', 'search-api.webSearch.user', 'monitoring.viewer', 'storage.viewer',
  ];
  const res = await w.create(['--count', '100', '--roles', roles.join(','), '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as CreatedDoc[]).length, 100);
  const calls = w.emu.calls('FolderService/UpdateAccessBindings').map(deltasOf);
  assert.deepEqual(calls.map((c) => c.length), [990, 110], 'two calls: 90 accounts, then 10');
  assert.ok(calls.flat().every(isAdd));
  const mine = w.emu.state.serviceAccounts().filter((a) => a.labels['managed-by'] === 'aistudio-key');
  assert.equal(mine.length, 100);
  const after = w.bindings();
  for (const sa of mine) assert.equal(after.filter((b) => b.endsWith(`:${sa.id}`)).length, roles.length);
  assert.equal(after.length, before.length + 1100);
});

test('stdout gone (EPIPE) after --count 3: nobody holds the secrets, everything is removed, exit 1', async () => {
  const w = await world();
  const before = snapshot(w);
  const res = await w.create(['--count', '3', '--json'], { stdoutError: 'EPIPE' });
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  assert.match(res.stderr, /Nobody received the secrets, so the 3 new API keys were revoked/);
  assertNothingLeft(w, before);
  for (const s of w.emu.secrets()) assert.equal(count(res.stderr, s), 0, 'no secret on stderr');
});

test('RESOURCE_EXHAUSTED (a rate limit) on account and key calls is retried, and the run succeeds', async () => {
  const w = await world();
  const before = w.bindings();
  w.emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'RESOURCE_EXHAUSTED', message: 'Too many requests', times: 2 });
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'RESOURCE_EXHAUSTED', message: 'Too many requests', times: 3 });
  const res = await w.create(['--count', '5', '--json'], FAST_RETRIES);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as CreatedDoc[]).length, 5);
  assertSecrets(w.emu, res.stdout, res.stderr, 5);
  assertSets(w, before, 5);
  const statuses = (method: string) => w.emu.calls(method).map((c) => c.status);
  assert.equal(statuses('ServiceAccountService/Create').filter((s) => s === 'RESOURCE_EXHAUSTED').length, 2);
  assert.equal(statuses('ServiceAccountService/Create').filter((s) => s === 'OK').length, 5);
  assert.equal(statuses('ApiKeyService/Create').filter((s) => s === 'RESOURCE_EXHAUSTED').length, 3);
  assert.equal(statuses('ApiKeyService/Create').filter((s) => s === 'OK').length, 5);
});

test('PERMISSION_DENIED on the 4th API key: exit 3, and no account, key or added binding is left', async () => {
  const w = await world();
  const before = snapshot(w);
  w.emu.inject('ApiKeyService/Create', { kind: 'delay', ms: 1, times: 3 });
  w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'PERMISSION_DENIED', message: 'injected' });
  const res = await w.create(['--count', '5', '--json']);
  assert.equal(res.exitCode, EXIT_CODES.auth, res.stderr);
  assert.equal(res.stdout, '');
  const err = JSON.parse(res.stderr) as { error: { message: string } };
  assert.match(err.error.message, /You may not create an API key/);
  assert.match(err.error.message, /Cleaned up what this run created: 4 API keys, 25 role bindings on folder \w+, 5 service accounts\./);
  assertNothingLeft(w, before);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 5);
  for (const s of w.emu.secrets()) assert.equal(count(res.stderr, s), 0, 'no secret in the error');
});

test('a failure among the accounts: no key is issued and the accounts already made are removed', async () => {
  const w = await world();
  const before = snapshot(w);
  w.emu.inject('ServiceAccountService/Create', { kind: 'delay', ms: 1, times: 2 });
  w.emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'FAILED_PRECONDITION', message: 'injected' });
  const res = await w.create(['--count', '4']);
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /Cleaned up what this run created: 3 service accounts\./);
  assertNothingLeft(w, before);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 0, 'no key call');
  assert.equal(w.emu.calls('FolderService/UpdateAccessBindings').length, 0, 'no bindings call');
});

test('a used-up quota of service accounts: exit 1 saying so, not retried, nothing left', async () => {
  const { fixture } = defaultFixture();
  const seeded = fixture.serviceAccounts?.length ?? 0;
  const w = await world({ quotas: { serviceAccountsPerCloud: seeded + 3 } });
  const before = snapshot(w);
  const res = await w.create(['--count', '5', '--json']);
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  assert.equal(res.stdout, '');
  const err = JSON.parse(res.stderr) as { error: { message: string } };
  assert.match(err.error.message, /a quota of the cloud is used up: Quota limit iam\.serviceAccounts\.count exceeded/);
  assert.match(err.error.message, /Retrying will not help/);
  assertNothingLeft(w, before);
  assert.equal(w.emu.calls('ServiceAccountService/Create').length, 5, 'each account asked for once: a quota is not retried');
});

test('--service-account X --count 3: three keys on X, its missing roles granted once', async () => {
  const w = await world();
  const accounts = w.emu.state.serviceAccounts().length;
  const sa = w.ids.foreignServiceAccountId;
  const res = await w.create(['--service-account', sa, '--adopt', '--count', '3', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const docs = JSON.parse(res.stdout) as CreatedDoc[];
  assert.equal(docs.length, 3);
  assert.ok(docs.every((d) => d.service_account.id === sa && d.api_key.service_account_id === sa));
  assert.equal(new Set(docs.map((d) => d.api_key.id)).size, 3, 'three distinct keys');
  assertSecrets(w.emu, res.stdout, res.stderr, 3);
  assert.equal(w.emu.state.serviceAccounts().length, accounts, 'no account created');
  const updates = w.emu.calls('FolderService/UpdateAccessBindings');
  assert.equal(updates.length, 1);
  assert.deepEqual(deltasOf(updates[0] as JournalEntry).map((d) => d.accessBinding.roleId).sort(), [...PRESET_ROLES].sort());
});

test('--dry-run --count 3: the plan for three, no change', async () => {
  const w = await world();
  const res = await w.create(['--count', '3', '--name', 'plan-bot', '--dry-run', '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const plan = JSON.parse(res.stdout) as { dry_run: boolean; count: number; service_accounts: Array<{ name: string }> };
  assert.equal(plan.dry_run, true);
  assert.equal(plan.count, 3);
  assert.deepEqual(plan.service_accounts.map((a) => a.name), ['plan-bot-1', 'plan-bot-2', 'plan-bot-3']);
  assert.deepEqual(w.emu.mutations(), []);
  const text = await w.create(['--count', '3', '--dry-run']);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /Would create 3 service accounts/);
  assert.match(text.stdout, /one UpdateAccessBindings call of 15 deltas/);
});

test('Ctrl-C while the accounts are being made: all removed, exit 130', async () => {
  const w = await world({ operationDelayMs: 300 });
  const before = snapshot(w);
  const interrupter = new Interrupter();
  const pending = w.create(['--count', '4'], { interrupter });
  const deadline = Date.now() + 10_000;
  while (w.emu.calls('ServiceAccountService/Create').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  interrupter.send('SIGINT');
  const res = await pending;
  assert.equal(res.exitCode, EXIT_CODES.interrupted, res.stderr);
  assert.equal(res.stdout, '');
  assertNothingLeft(w, before);
  assert.equal(w.emu.calls('ApiKeyService/Create').length, 0, 'no new work after Ctrl-C');
});

test('bad --count and combinations: exit 2, one line naming --count, no cloud call at all', async () => {
  const w = await world();
  const cases: Array<[string[], RegExp]> = [
    [['--count', '0'], /^--count: expected a whole number of keys from 1 to 100, got "0"/],
    [['--count', '101'], /^--count: expected a whole number of keys from 1 to 100, got "101"/],
    [['--count', 'abc'], /^--count: expected a whole number/],
    [['--count', '2.5'], /^--count: /],
    [['--count', '3', '--out-file', 'x'], /^--count 3 with --out-file: /],
    [['--count', '3', '--github-output'], /^--count 3 with --github-output: /],
    [['--count', '3', '--to-lockbox', 'ai-key'], /^--count 3 with --to-lockbox: /],
    [['--count', '3', '--format', 'env'], /^--count 3 with --format env: /],
    [['--count', '3', '--format', 'dotenv'], /^--count 3 with --format dotenv: /],
    [['--count', '100', '--name', `a${'b'.repeat(59)}`], /^--name with --count 100: .*longer than 63 characters/],
  ];
  for (const [argv, message] of cases) {
    const res = await w.create(argv);
    assert.equal(res.exitCode, EXIT_CODES.usage, `${argv.join(' ')}: ${res.stderr}`);
    assert.equal(res.stdout, '');
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match((lines[0] ?? '').replace(/^Error: /, ''), message);
    assert.match(lines[0] ?? '', /--count/);
  }
  assert.deepEqual(w.emu.journal, [], 'no call reached the cloud');
});

/**
 * The parse contract of `create`, table-driven: argv in -> the validated input handed to `run` out
 * (a spy passed to main as runOverride); every bad input -> exit 2, one line on stderr naming the
 * flag, and neither `run` nor the cloud reached.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateInput } from '../../src/commands/create.js';
import { DEFAULT_DESCRIPTION, PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { runCli, type RunCliOptions } from '../helpers/run-cli.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const F = 'b1gfolder00000000001';
const C = 'b1gcloud000000000001';
const D = 86_400_000;

const DEFAULTS: CreateInput = {
  folderId: undefined,
  folderName: undefined,
  cloudId: undefined,
  name: undefined,
  serviceAccount: undefined,
  adopt: false,
  description: DEFAULT_DESCRIPTION,
  expiry: undefined,
  roles: [...PRESET_ROLES],
  scopes: [...PRESET_SCOPES],
  dryRun: false,
  targets: { outFile: undefined, force: false, githubOutput: false, toLockbox: undefined, lockboxFolderId: undefined },
  encryptTo: [],
};

/** A plan outcome the renderers accept, returned by the spy. */
const PLAN = {
  kind: 'plan',
  plan: {
    folder: { id: F, name: undefined, cloudId: undefined },
    serviceAccount: { name: 'x-spy', description: 'd', labels: {} },
    roles: ['ai.editor'],
    apiKey: { description: 'd', scopes: ['yc.ai.vision.execute'], expiresAt: undefined },
    existingBindings: 0,
  },
};

async function parse(argv: string[], opts: RunCliOptions = {}) {
  const calls: Array<{ command: string; input: unknown }> = [];
  const res = await runCli(argv, {
    now: () => NOW,
    ...opts,
    runOverride: async (command, input) => {
      calls.push({ command, input });
      return PLAN;
    },
  });
  return { ...res, calls };
}

const GOOD: Array<[string, string[], Partial<CreateInput>, RunCliOptions?]> = [
  ['no flags: the preset, a default description, no folder yet', [], {}],
  ['--folder-id', ['--folder-id', F], { folderId: F }],
  ['--folder-name with --cloud-id', ['--folder-name', 'default', '--cloud-id', C], { folderName: 'default', cloudId: C }],
  ['--name and --description', ['--name', 'my-bot', '--description', 'CI key for app X'], { name: 'my-bot', description: 'CI key for app X' }],
  ['a 256-character description', ['--description', 'я'.repeat(256)], { description: 'я'.repeat(256) }],
  ['--expires-at with a date means 00:00 UTC', ['--expires-at', '2027-01-31'], { expiry: { kind: 'at', at: new Date('2027-01-31T00:00:00Z') } }],
  ['--expires-at with an offset', ['--expires-at', '2027-01-31T21:00:00+03:00'], { expiry: { kind: 'at', at: new Date('2027-01-31T18:00:00Z') } }],
  ['--expires-in', ['--expires-in', '30d'], { expiry: { kind: 'in', ms: 30 * D, text: '30d' } }],
  ['--expires-in with a sum', ['--expires-in', '1d12h'], { expiry: { kind: 'in', ms: 1.5 * D, text: '1d12h' } }],
  ['--no-expiry', ['--no-expiry'], { expiry: { kind: 'never' } }],
  ['--roles replaces the preset, trimmed', ['--roles', 'ai.editor, viewer'], { roles: ['ai.editor', 'viewer'] }],
  ['--add-scopes: on top of the preset', ['--add-scopes', 'yc.serverless.mcpGateways.invoke, yc.serverless.workflows.execute'], { scopes: [...PRESET_SCOPES, 'yc.serverless.mcpGateways.invoke', 'yc.serverless.workflows.execute'] }],
  ['--add-roles: on top of the preset', ['--add-roles', 'viewer'], { roles: [...PRESET_ROLES, 'viewer'] }],
  ['--add-scopes on top of --scopes, --add-roles on top of --roles', ['--scopes', 'yc.ai.languageModels.execute', '--add-scopes', 'yc.ai.vision.execute', '--roles', 'ai.editor', '--add-roles', 'viewer'], { scopes: ['yc.ai.languageModels.execute', 'yc.ai.vision.execute'], roles: ['ai.editor', 'viewer'] }],
  ['--scopes replaces the preset', ['--scopes', 'yc.ai.languageModels.execute,yc.serverless.mcpGateways.invoke'], { scopes: ['yc.ai.languageModels.execute', 'yc.serverless.mcpGateways.invoke'] }],
  ['--dry-run', ['--dry-run'], { dryRun: true }],
  ['--out-file with --force', ['--out-file', 'key.env', '--force'], { targets: { ...DEFAULTS.targets, outFile: 'key.env', force: true } }],
  ['--github-output', ['--github-output'], { targets: { ...DEFAULTS.targets, githubOutput: true } }],
  ['--to-lockbox with --lockbox-folder-id', ['--to-lockbox', 'ai-key', '--lockbox-folder-id', F], { targets: { ...DEFAULTS.targets, toLockbox: 'ai-key', lockboxFolderId: F } }],
  ['--format dotenv does not reach the input', ['--format', 'dotenv'], {}],
  ['global flags after the command are accepted', ['--folder-id', F, '--endpoint', 'localhost:1', '--debug', '--timeout', '5m'], { folderId: F }],
  ['--format and --json do not reach the input', ['--json'], {}],
  ['YC_FOLDER_ID is applied later, with config and the yc profile', [], {}, { env: { YC_FOLDER_ID: F } }],
];

for (const [name, argv, expected, opts] of GOOD) {
  test(`parses: ${name}`, async () => {
    const res = await parse(['create', ...argv], opts);
    assert.equal(res.stderr, '', 'nothing on stderr');
    assert.equal(res.exitCode, 0);
    assert.equal(res.calls.length, 1);
    assert.equal(res.calls[0]?.command, 'create');
    assert.deepEqual(res.calls[0]?.input, { ...DEFAULTS, ...expected });
    assert.equal(res.connects.length, 0, 'the spy replaced run: no connection');
  });
}

test('global flags before the command are accepted too', async () => {
  const res = await parse(['--debug', '--endpoint', 'localhost:1', 'create', '--folder-id', F]);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.deepEqual(res.calls[0]?.input, { ...DEFAULTS, folderId: F });
});

test('short names the API accepts since 2026-05 (1–63) pass: --name a, --folder-name ml', async () => {
  const byName = await parse(['create', '--name', 'a']);
  assert.equal(byName.exitCode, 0, byName.stderr);
  assert.equal((byName.calls[0]?.input as { name?: string }).name, 'a');
  const byFolder = await parse(['create', '--folder-name', 'ml']);
  assert.equal(byFolder.exitCode, 0, byFolder.stderr);
});

test('the spy\'s result is rendered like a real one: --json prints one document', async () => {
  const res = await parse(['create', '--json']);
  assert.equal(JSON.parse(res.stdout).dry_run, true);
});

const BAD: Array<[string[], RegExp, RunCliOptions?]> = [
  [['--force'], /^--force: only means something with --out-file/],
  [['--lockbox-folder-id', F], /^--lockbox-folder-id: only means something with --to-lockbox/],
  [['--folder-id', 'my-folder'], /^--folder-id: expected a folder ID.*use --folder-name my-folder/],
  [['--folder-id', F, '--folder-name', 'default'], /^--folder-id and --folder-name: pass only one/],
  [['--folder-name', 'Bad_Name'], /^--folder-name: expected a folder name/],
  [['--cloud-id', 'nope', '--folder-name', 'default'], /^--cloud-id: expected a cloud ID/],
  [['--name', 'Bot'], /^--name: expected 1–63 lowercase letters/],
  [['--name', 'a-'], /^--name: /],
  [['--name', 'bot-'], /^--name: /],
  [['--description', 'x'.repeat(257)], /^--description: at most 256 characters, got 257/],
  [['--expires-at', '2020-01-01'], /^--expires-at: must be in the future \(now is 2026-11-27T12:00:00Z\)/],
  [['--expires-at', '2027-02-30'], /^--expires-at: expected an RFC 3339 time/],
  [['--expires-at', '2106-01-01'], /^--expires-at: must be no later than 2105-12-31/],
  [['--expires-at', 'next week'], /^--expires-at: /],
  [['--expires-in', '0d'], /^--expires-in: expected a duration like 90d/],
  [['--expires-in', '90 days'], /^--expires-in: /],
  [['--expires-in', '100y'], /^--expires-in: must be no later than 2105-12-31/],
  [['--expires-in', '30d', '--no-expiry'], /^--expires-in and --no-expiry: pass only one of them$/],
  [['--expires-at', '2027-01-01', '--expires-in', '30d'], /^--expires-at and --expires-in: pass only one of them$/],
  [['--roles', ''], /^--roles: give at least one role/],
  [['--roles', 'ai.editor,Bad Role'], /^--roles: "Bad Role" is not a role ID/],
  [['--roles', `ai.${'x'.repeat(62)}`], /^--roles: role "ai\.x+" is longer than 64 characters/],
  [['--scopes', ''], /^--scopes: give at least one scope/],
  [['--scopes', ' , '], /^--scopes: give at least one scope/],
  [['--scopes', 'yc.ai.languageModels.execute,yc.ai.languageModel.execute'], /^--scopes: unknown scope "yc\.ai\.languageModel\.execute" \(did you mean yc\.ai\.languageModels\.execute\?\)/],
  [['--format', 'xml'], /^--format: expected text, json, yaml, env, dotenv, secret, got "xml"/],
  [['--roles', 'ai.editor, viewer,ai.editor'], /^--roles: the role "ai\.editor" is given twice; give each once$/],
  [['--scopes', 'yc.ai.vision.execute,yc.ai.vision.execute'], /^--scopes: the scope "yc\.ai\.vision\.execute" is given twice/],
  [['--add-scopes', 'yc.ai.translate.execute'], /^--add-scopes: the scope "yc\.ai\.translate\.execute" is already in the preset scopes; leave it out$/],
  [['--add-roles', 'ai.editor'], /^--add-roles: the role "ai\.editor" is already in the preset roles/],
  [['--roles', 'viewer', '--add-roles', 'viewer'], /^--add-roles: the role "viewer" is already in --roles/],
  [['--add-scopes', 'yc.serverless.mcpGateways.invoke,yc.serverless.mcpGateways.invoke'], /^--add-scopes: the scope "yc\.serverless\.mcpGateways\.invoke" is given twice/],
  [['--add-scopes', 'yc.ai.languageModel.execute'], /^--add-scopes: unknown scope "yc\.ai\.languageModel\.execute"/],
  [['--add-roles', ''], /^--add-roles: give at least one role/],
  [['--json', '--format', 'yaml'], /^--json: conflicts with --format yaml/],
  [['--bogus'], /^unknown option '--bogus'/],
  [['--folder-idd', F], /^unknown option '--folder-idd'.*Did you mean --folder-id\?/],
  [['extra'], /^too many arguments for 'create'/],
  [['--name'], /^option '--name <name>' argument missing/],
  [['--endpoint', 'https://api.cloud.yandex.net'], /^--endpoint: expected host:port/],
  [[], /^YC_ENDPOINT: expected host:port/, { env: { YC_ENDPOINT: 'api.cloud.yandex.net' } }],
  [['--timeout', 'soon'], /^--timeout: expected a duration/],
  [['--retries', '99'], /^--retries: expected a whole number from 0 to 10/],
  [['--iam-token', ''], /^--iam-token: must not be empty/],
];

for (const [argv, message, opts] of BAD) {
  test(`refuses: create ${argv.map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ') || '(env)'}`, async () => {
    const res = await parse(['create', ...argv], opts);
    assert.equal(res.exitCode, 2, res.stderr);
    assert.equal(res.stdout, '', 'stdout stays empty');
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${res.stderr}`);
    assert.match(lines[0] ?? '', /^Error: /);
    assert.match((lines[0] ?? '').replace(/^Error: /, ''), message);
    assert.equal(res.calls.length, 0, 'run never called');
    assert.equal(res.connects.length, 0, 'no connection opened');
  });
}

test('a bad input under --json is one JSON error object on stderr', async () => {
  const res = await parse(['create', '--json', '--name', 'Bot']);
  assert.equal(res.exitCode, 2);
  assert.equal(res.stdout, '');
  const doc = JSON.parse(res.stderr) as { error: { code: string; message: string } };
  assert.equal(doc.error.code, 'usage');
  assert.match(doc.error.message, /^--name: /);
});

test('a commander error after --format yaml prints YAML', async () => {
  const res = await parse(['create', '--format', 'yaml', '--bogus']);
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /^error:\n {2}code: usage\n {2}message: unknown option '--bogus'/);
});

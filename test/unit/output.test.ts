import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CreateKeyPlan, CreateKeyResult } from '../../src/core/create-key.js';
import { AuthError, CloudError, InternalError, UsageError } from '../../src/errors.js';
import { createDocument, createEnv, createText, type CreateOutcome } from '../../src/output/create.js';
import { formatError } from '../../src/output/errors.js';
import { formatEnv, formatJson, formatYaml, shellQuote } from '../../src/output/formats.js';
import { decideOutputMode } from '../../src/output/mode.js';
import { Redactor } from '../../src/output/redact.js';
import { createStyle } from '../../src/output/style.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret, fakeIamToken } from '../helpers/fakes.js';
const FAKE_1 = fakeApiKeySecret();
const FAKE_2 = fakeIamToken();

const SECRET = FAKE_1;

const result: CreateKeyResult = {
  secret: SECRET,
  apiKey: {
    id: 'ajkkey00000000000001',
    serviceAccountId: 'ajesa000000000000001',
    description: 'for tests',
    scopes: ['yc.ai.languageModels.execute', 'yc.ai.vision.execute'],
    createdAt: new Date('2026-11-27T12:00:00Z'),
    expiresAt: new Date('2027-02-25T12:00:00Z'),
    lastUsedAt: undefined,
  },
  serviceAccount: { id: 'ajesa000000000000001', folderId: 'b1gfolder00000000001', name: 'aistudio-test', description: 'for tests', labels: { 'managed-by': 'aistudio-key' }, createdAt: undefined },
  roles: ['ai.editor', 'search-api.webSearch.user'],
};
const created: CreateOutcome = { kind: 'created', result };

const plan: CreateKeyPlan = {
  folder: { id: 'b1gfolder00000000001', name: 'default', cloudId: 'b1gcloud000000000001' },
  serviceAccount: { name: 'aistudio-test', description: 'for tests', labels: { 'managed-by': 'aistudio-key' } },
  roles: ['ai.editor'],
  apiKey: { description: 'for tests', scopes: ['yc.ai.vision.execute'], expiresAt: undefined },
  existingBindings: 3,
};

test('the JSON document has exactly the contract fields, in order', () => {
  const doc = JSON.parse(formatJson(createDocument(created))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['secret', 'api_key', 'service_account', 'roles']);
  assert.deepEqual(doc, {
    secret: SECRET,
    api_key: {
      id: 'ajkkey00000000000001',
      service_account_id: 'ajesa000000000000001',
      description: 'for tests',
      scopes: ['yc.ai.languageModels.execute', 'yc.ai.vision.execute'],
      created_at: '2026-11-27T12:00:00Z',
      expires_at: '2027-02-25T12:00:00Z',
    },
    service_account: { id: 'ajesa000000000000001', name: 'aistudio-test', folder_id: 'b1gfolder00000000001' },
    roles: ['ai.editor', 'search-api.webSearch.user'],
  });
});

test('a key without expiry has expires_at null', () => {
  const never: CreateOutcome = { kind: 'created', result: { ...result, apiKey: { ...result.apiKey, expiresAt: undefined } } };
  const doc = createDocument(never) as { api_key: { expires_at: unknown } };
  assert.equal(doc.api_key.expires_at, null);
});

test('YAML is the same document', async () => {
  assert.deepEqual(parseYaml(await formatYaml(createDocument(created))), JSON.parse(formatJson(createDocument(created))));
});

test('env prints the three variables, single-quoted', () => {
  assert.equal(createEnv(created), `YC_API_KEY='${SECRET}'\nYC_API_KEY_ID='ajkkey00000000000001'\nYC_FOLDER_ID='b1gfolder00000000001'\n`);
});

test('env quoting round-trips through a real shell, quotes and $ included', () => {
  const tricky = `it's $HOME \`id\` "q" \\ ; echo pwned`;
  const file = join(tempDir(), 'key.env');
  writeFileSync(file, formatEnv([['YC_API_KEY', tricky], ['YC_API_KEY_ID', 'plain']]));
  const out = execFileSync('bash', ['-c', 'set -eu; source "$1"; printf "%s\\n%s" "$YC_API_KEY" "$YC_API_KEY_ID"', 'x', file], { encoding: 'utf8', env: {} });
  assert.equal(out, `${tricky}\nplain`);
  assert.equal(shellQuote("'"), `''\\'''`);
  assert.throws(() => formatEnv([['BAD-NAME', 'x']]));
});

test('text shows the ID and the secret plainly; the once-only note goes to stderr', () => {
  const lines: string[] = [];
  const notes: string[] = [];
  createText(created, { line: (l) => lines.push(l), note: (n) => notes.push(n), style: createStyle(false) });
  const stdout = lines.join('\n');
  assert.match(stdout, /^API key ID +ajkkey00000000000001$/m);
  assert.match(stdout, new RegExp(`^Secret +${SECRET}$`, 'm'));
  assert.match(stdout, /^Expires +2027-02-25T12:00:00Z$/m);
  assert.ok(!stdout.includes('\x1b['), 'no colour codes when colour is off');
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /shown only once/);
  assert.ok(!notes.join('').includes(SECRET));
});

test('a dry run renders as a plan: JSON with dry_run, env as comments only', () => {
  const outcome: CreateOutcome = { kind: 'plan', plan };
  const doc = createDocument(outcome) as Record<string, unknown>;
  assert.equal(doc.dry_run, true);
  assert.ok(!('secret' in doc));
  const env = createEnv(outcome);
  assert.ok(env.split('\n').filter(Boolean).every((l) => l.startsWith('# ')), 'sourcing it sets nothing');
  const out = execFileSync('bash', ['-c', 'source /dev/stdin; echo "[${YC_API_KEY-unset}]"'], { input: env, encoding: 'utf8', env: {} });
  assert.equal(out.trim(), '[unset]');
  const lines: string[] = [];
  createText(outcome, { line: (l) => lines.push(l), note: () => undefined, style: createStyle(false) });
  assert.match(lines.join('\n'), /Dry run: nothing was changed\.[\s\S]*the 3 existing bindings stay/);
});

test('errors: text is "Error: message" plus hints; a usage error stays on one line', async () => {
  const style = createStyle(false);
  const e = new CloudError('It broke.', { hints: ['Cleaned up what this run created: X.'] });
  assert.equal(await formatError(e, { format: 'text', style, debug: false }), 'Error: It broke.\n  Cleaned up what this run created: X.\n');
  const u = new UsageError('--name: bad', { hints: ['ignored'] });
  assert.equal(await formatError(u, { format: 'text', style, debug: false }), 'Error: --name: bad\n');
});

test('errors: json and yaml are one {"error":{"code","message"}} document with hints folded in', async () => {
  const style = createStyle(false);
  const e = new AuthError('Permission denied.', { code: 'permission_denied', hints: ['Ask for admin.'] });
  const json = await formatError(e, { format: 'json', style, debug: false });
  assert.equal(json.trim().split('\n').length, 1);
  assert.deepEqual(JSON.parse(json), { error: { code: 'permission_denied', message: 'Permission denied. Ask for admin.' } });
  assert.deepEqual(parseYaml(await formatError(e, { format: 'yaml', style, debug: false })), { error: { code: 'permission_denied', message: 'Permission denied. Ask for admin.' } });
});

test('errors: an internal error asks for a report; --debug adds the stack', async () => {
  const style = createStyle(false);
  const e = new InternalError('boom', { cause: new TypeError('x is undefined') });
  const plain = await formatError(e, { format: 'text', style, debug: false });
  assert.match(plain, /^Error: Internal error: boom\. This is a bug; please report it/);
  assert.ok(!plain.includes('    at '));
  const debug = await formatError(e, { format: 'text', style, debug: true });
  assert.match(debug, /Caused by: TypeError: x is undefined\n\s+at /);
});

test('mode: human only on a terminal outside CI; spinner and stderr colour need a terminal, no CI, no NO_COLOR', () => {
  const base = { format: 'text' as const, stdoutIsTTY: true, stderrIsTTY: true, stderrColumns: 80 };
  assert.deepEqual(decideOutputMode({ ...base, env: {} }), { format: 'text', human: true, stdoutColor: true, stderrColor: true, spinner: true, quiet: false });
  assert.deepEqual(decideOutputMode({ ...base, env: { CI: 'true' } }), { format: 'text', human: false, stdoutColor: false, stderrColor: false, spinner: false, quiet: false });
  assert.deepEqual(decideOutputMode({ ...base, env: { NO_COLOR: '1' } }), { format: 'text', human: true, stdoutColor: false, stderrColor: false, spinner: false, quiet: false });
  assert.equal(decideOutputMode({ ...base, env: { CI: 'false' } }).spinner, true, 'CI=false is not CI');
  assert.equal(decideOutputMode({ ...base, env: { NO_COLOR: '' } }).stderrColor, true, 'empty NO_COLOR is unset');
  assert.equal(decideOutputMode({ ...base, stdoutIsTTY: false, env: {} }).human, false, 'piped stdout is plain');
  assert.equal(decideOutputMode({ ...base, stderrIsTTY: false, env: {} }).spinner, false);
  assert.equal(decideOutputMode({ ...base, format: 'json', env: {} }).human, false, 'a machine format is never human');
  assert.equal(decideOutputMode({ ...base, format: 'json', env: {} }).spinner, true, 'progress may still go to a terminal stderr');
});

test('the redactor masks registered secrets and ignores short values', () => {
  const r = new Redactor();
  r.add(SECRET);
  r.add('short');
  r.add(undefined);
  assert.equal(r.redact(`key ${SECRET} and ${SECRET}; short stays`), 'key *** and ***; short stays');
});

test('the redactor also masks credential shapes it was never given', () => {
  const r = new Redactor();
  const iam = FAKE_2;
  const key = `AQVN${'x'.repeat(36)}`;
  assert.equal(r.redact(`token ${iam}, key ${key}, header Bearer abc.def-opaque`), 'token t1.***, key AQVN***, header Bearer ***');
  assert.equal(r.redact('ids ajeabc0123456789abcd and b1g0123456789abcdefg stay'), 'ids ajeabc0123456789abcd and b1g0123456789abcdefg stay');
});

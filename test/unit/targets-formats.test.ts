/**
 * The env and dotenv renderings of a key read back exactly: through a real `bash` `source`, Node's
 * own dotenv parser (`util.parseEnv`), the parse rules of the `dotenv` npm package (v16, ported
 * below: it is not a dependency) and GitLab's dotenv report, which keeps quotes as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { CreateKeyResult } from '../../src/core/create-key.js';
import { deliveredDocument, deliveredEnv, deliveredText, keyEnvPairs, secretFileContent } from '../../src/output/delivery.js';
import { createStyle } from '../../src/output/style.js';
import { formatDotenv, formatEnv } from '../../src/output/formats.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret } from '../helpers/fakes.js';
const FAKE_1 = fakeApiKeySecret();

/** `dotenv`'s parse() (lib/main.js, v16): one regex per line, quotes stripped, \n expanded in double quotes only. */
function dotenvParse(src: string): Record<string, string> {
  const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;
  const out: Record<string, string> = {};
  const lines = src.replace(/\r\n?/gm, '\n');
  let match: RegExpExecArray | null;
  while ((match = LINE.exec(lines)) !== null) {
    let value = (match[2] ?? '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out[match[1] ?? ''] = value;
  }
  return out;
}

/** GitLab's dotenv report: KEY=VALUE per line, the value taken as written (quotes are kept). */
function gitlabDotenv(src: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of src.split('\n')) {
    if (!line) continue;
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `line without =: ${line}`);
    const key = line.slice(0, eq);
    assert.match(key, /^[A-Za-z0-9_]+$/, 'GitLab: names are ASCII letters, digits and _');
    out[key] = line.slice(eq + 1);
  }
  return out;
}

/** Sources `file` in a clean bash and reads the variables back (NUL-separated, so newlines survive). */
function bashSource(file: string, names: readonly string[]): Record<string, string> {
  const script = `set -eu; source "$1"; shift; for n in "$@"; do printf '%s\\0' "\${!n}"; done`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', file, ...names], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8' });
  const values = out.split('\0').slice(0, names.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

const RESULT: CreateKeyResult = {
  // The shape of a real secret: AQVN + 36 of [A-Za-z0-9_-].
  secret: FAKE_1,
  apiKey: { id: 'ajeab12cd34ef56gh78i', serviceAccountId: 'ajesa0000000000000001', description: 'd', scopes: ['yc.ai.languageModels.execute'], createdAt: undefined, expiresAt: undefined, lastUsedAt: undefined },
  serviceAccount: { id: 'ajesa0000000000000001', folderId: 'b1gfolder0000000001x', name: 'sa', description: '', labels: {}, createdAt: undefined },
  roles: ['ai.editor'],
};
const EXPECTED = { YC_API_KEY: RESULT.secret, YC_API_KEY_ID: RESULT.apiKey.id, YC_FOLDER_ID: RESULT.serviceAccount.folderId };
const NAMES = Object.keys(EXPECTED);

for (const format of ['env', 'dotenv'] as const) {
  test(`--format ${format}: bash source, util.parseEnv and the dotenv parser read the key back exactly`, async () => {
    const text = await secretFileContent(format, RESULT);
    const file = join(tempDir(), `key.${format}`);
    writeFileSync(file, text);
    assert.deepEqual(bashSource(file, NAMES), EXPECTED, 'bash');
    assert.deepEqual({ ...parseEnv(text) }, EXPECTED, 'util.parseEnv');
    assert.deepEqual(dotenvParse(text), EXPECTED, 'dotenv v16 rules');
  });
}

test('--format dotenv is also what GitLab reads: no quotes, nothing but KEY=value lines', async () => {
  const text = await secretFileContent('dotenv', RESULT);
  assert.deepEqual(gitlabDotenv(text), EXPECTED);
  assert.doesNotMatch(text, /['"\s]=|=['"]|#/);
});

test('env quoting survives anything bash can hold: quotes, $, backticks, spaces, #, newlines', () => {
  const nasty = ["it's", 'a"b', '$HOME `id` $(id)', '  spaced  ', 'hash # not a comment', 'two\nlines', '\\back\\slash', ''];
  const pairs = nasty.map((v, i) => [`V${i}`, v] as const);
  const file = join(tempDir(), 'nasty.env');
  writeFileSync(file, formatEnv(pairs));
  assert.deepEqual(bashSource(file, pairs.map(([n]) => n)), Object.fromEntries(pairs));
  // dotenv loaders agree on every value without a single quote (no POSIX '\'' there).
  const text = formatEnv(pairs.filter(([, v]) => !v.includes("'")));
  const expected = Object.fromEntries(pairs.filter(([, v]) => !v.includes("'")));
  assert.deepEqual(dotenvParse(text), expected);
  assert.deepEqual({ ...parseEnv(text) }, expected);
});

test('formatDotenv refuses a value no spelling carries to every reader unchanged', () => {
  for (const bad of ["it's", 'a"b', 'two\nlines', 'has space', '$HOME', 'a#b', '~user']) {
    assert.throws(() => formatDotenv([['X', bad]]), /cannot carry unquoted/, JSON.stringify(bad));
  }
  assert.throws(() => formatDotenv([['1X', 'v']]), /not a variable name/);
  assert.equal(formatDotenv(keyEnvPairs(RESULT)), `YC_API_KEY=${RESULT.secret}\nYC_API_KEY_ID=${RESULT.apiKey.id}\nYC_FOLDER_ID=${RESULT.serviceAccount.folderId}\n`);
});

test('json and yaml secret files hold the whole result, secret included', async () => {
  const json = JSON.parse(await secretFileContent('json', RESULT)) as { secret: string; api_key: { id: string } };
  assert.equal(json.secret, RESULT.secret);
  assert.equal(json.api_key.id, RESULT.apiKey.id);
  assert.match(await secretFileContent('yaml', RESULT), new RegExp(`secret: ${RESULT.secret}`));
});

test('what stdout shows after a delivery to targets never holds the secret, and says where it went', () => {
  const receipts = [
    { target: 'file' as const, path: '/tmp/key.env', format: 'dotenv', replaced: false },
    { target: 'github-output' as const, outputs: ['api-key-id', 'api-key'], outputFile: '/tmp/out' },
    { target: 'lockbox' as const, secretId: 'e6qsecret00000000001', versionId: 'e6qversion0000000001', folderId: 'b1gfolder0000000001x', createdSecret: true },
  ];
  const doc = deliveredDocument(RESULT, receipts);
  assert.ok(!('secret' in doc));
  assert.deepEqual(doc.lockbox, { secret_id: 'e6qsecret00000000001', version_id: 'e6qversion0000000001', folder_id: 'b1gfolder0000000001x', created: true });
  assert.deepEqual(doc.out_file, { path: '/tmp/key.env', format: 'dotenv' });
  assert.deepEqual(doc.github_output, { outputs: ['api-key-id', 'api-key'] });
  const lines: string[] = [];
  const notes: string[] = [];
  deliveredText(RESULT, receipts, { line: (l) => lines.push(l), note: (n) => notes.push(n), style: createStyle(false) });
  for (const shown of [JSON.stringify(doc), deliveredEnv(RESULT, receipts), deliveredEnv(RESULT, receipts, 'dotenv'), lines.join('\n'), notes.join('\n')]) {
    assert.ok(!shown.includes(RESULT.secret), shown);
  }
  assert.match(deliveredEnv(RESULT, receipts), /^YC_API_KEY_ID='ajeab12cd34ef56gh78i'$/m);
  assert.match(lines.join('\n'), /Secret written to Lockbox secret e6qsecret00000000001 \(new\), version e6qversion0000000001/);
});

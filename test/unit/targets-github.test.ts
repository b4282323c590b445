/**
 * --github-output (src/core/targets/github-output.ts): only in GitHub Actions; the mask goes to
 * stderr before anything else; the outputs are appended in heredoc form, parsed back the way the
 * runner reads $GITHUB_OUTPUT; a failed append leaves the file as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError } from '../../src/core/delivery.js';
import { nodeFileOps, type FileOps } from '../../src/core/targets/file-ops.js';
import { deliverGithubOutput, escapeCommandData, formatGithubOutputs, heredocDelimiter, maskCommand, preflightGithubOutput } from '../../src/core/targets/github-output.js';
import { preflightDelivery } from '../../src/core/targets/index.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret } from '../helpers/fakes.js';
import { parseGithubOutput } from '../helpers/github-output.js';
const FAKE_1 = fakeApiKeySecret();

const KEY = { secret: FAKE_1, apiKeyId: 'ajeab12cd34ef56gh78i', folderId: 'b1gfolder0000000001x' };
const randomInt = (max: number): number => Math.floor(Math.random() * max);

function actionsEnv(): { env: Record<string, string>; file: string } {
  const file = join(tempDir(), 'github_output');
  writeFileSync(file, 'earlier=step output\n');
  return { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: file }, file };
}

test('outside GitHub Actions, or without GITHUB_OUTPUT, it is a usage error at preflight', async () => {
  await assert.rejects(preflightGithubOutput({}), (e: unknown) => e instanceof UsageError && /not a GitHub Actions job/.test(e.message) && /--out-file/.test(e.hints.join(' ')));
  await assert.rejects(preflightGithubOutput({ GITHUB_ACTIONS: 'false', GITHUB_OUTPUT: '/tmp/x' }), /not a GitHub Actions job/);
  await assert.rejects(preflightGithubOutput({ GITHUB_ACTIONS: 'true' }), /GITHUB_OUTPUT is not set/);
  await assert.rejects(preflightGithubOutput({ GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: tempDir() }), /is a directory/);
});

test('prints ::add-mask:: first, then appends api-key-id and api-key in heredoc form', async () => {
  const { env, file } = actionsEnv();
  const events: string[] = [];
  const fs: FileOps = {
    ...nodeFileOps,
    open: async (path, flags, mode) => {
      events.push(`open ${flags}`);
      return nodeFileOps.open(path, flags, mode);
    },
  };
  const plan = await preflightGithubOutput(env);
  const done = await deliverGithubOutput(plan, KEY, {
    fs,
    randomInt,
    writeCommand: async (text) => void events.push(`stderr ${text}`),
  });
  assert.deepEqual(events, [`stderr ::add-mask::${KEY.secret}\n`, 'open a'], 'the mask is the first thing written anywhere');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('earlier=step output\n'), 'appends, never truncates');
  assert.deepEqual(parseGithubOutput(text), { 'earlier': 'step output', 'api-key-id': KEY.apiKeyId, 'api-key': KEY.secret });
  assert.match(text, /^api-key<<ghadelimiter_[a-z0-9]{20}$/m);
  assert.deepEqual(done.receipt, { target: 'github-output', outputs: ['api-key-id', 'api-key'], outputFile: file });
  assert.equal(await done.undo(), undefined);
  assert.equal(readFileSync(file, 'utf8'), 'earlier=step output\n', 'undo cuts the outputs off again');
});

test('the delimiter never occurs in a value, so a value cannot end the heredoc early', () => {
  let calls = 0;
  // The first delimiter drawn ("ghadelimiter_aaaa…") is inside the value: a second is drawn.
  const rigged = (max: number): number => (calls++ < 20 ? 0 : 1 % max);
  const value = `x\nghadelimiter_${'a'.repeat(20)}\ny`;
  const d = heredocDelimiter([value], rigged);
  assert.equal(d, `ghadelimiter_${'b'.repeat(20)}`);
  assert.deepEqual(parseGithubOutput(formatGithubOutputs([['v', value]], randomInt)), { v: value });
});

test('when the mask cannot be printed nothing is appended; when the append fails the file is cut back', async () => {
  const { env, file } = actionsEnv();
  const plan = await preflightGithubOutput(env);
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  await assert.rejects(deliverGithubOutput(plan, KEY, { randomInt, writeCommand: () => Promise.reject(epipe) }), (e: unknown) => e instanceof DeliveryError && /::add-mask::/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), 'earlier=step output\n');

  const fs: FileOps = {
    ...nodeFileOps,
    open: async (path, flags, mode) => {
      const f = await nodeFileOps.open(path, flags, mode);
      return { ...f, write: async (data) => { await f.write(data.slice(0, 30)); throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
    },
  };
  await assert.rejects(deliverGithubOutput(plan, KEY, { fs, randomInt, writeCommand: async () => undefined }), /no space left/);
  assert.equal(readFileSync(file, 'utf8'), 'earlier=step output\n', 'no half heredoc left behind');
});

test('combined targets: a later failure undoes the earlier ones (file removed, outputs cut off)', async () => {
  const { env, file } = actionsEnv();
  const dir = tempDir();
  const outFile = join(dir, 'key.env');
  let stderr = '';
  const prepared = await preflightDelivery(
    {
      keyOf: (k: typeof KEY) => k,
      outFile: { path: outFile, force: false, format: 'env', render: () => `YC_API_KEY='${KEY.secret}'\n` },
      githubOutput: true,
    },
    { env, randomInt, writeCommand: async (t) => void (stderr += t) },
  );
  assert.deepEqual(prepared.targets, ['file', 'github-output']);
  // Make the GitHub append fail after the file was written: GITHUB_OUTPUT turns into a directory.
  rmSync(file);
  mkdirSync(file);
  await assert.rejects(prepared.deliver(KEY), DeliveryError);
  assert.equal(existsSync(outFile), false, 'the file written first was removed');
  assert.equal(stderr, `::add-mask::${KEY.secret}\n`);
});

test('the mask escapes its data as the toolkit does (%, CR, LF), so one command line carries the whole value', () => {
  assert.equal(escapeCommandData('a%b\r\nc\n'), 'a%25b%0D%0Ac%0A');
  const line = maskCommand('x\n::warning::y%0A');
  assert.equal(line, '::add-mask::x%0A::warning::y%250A\n');
  assert.equal(line.split('\n').length, 2, 'one line and its end');
});

test('a GITHUB_OUTPUT in a missing or unwritable directory is a usage error at preflight, leaving nothing', async () => {
  const dir = tempDir();
  const missing = join(dir, 'no-such-dir', 'github_output');
  await assert.rejects(preflightGithubOutput({ GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: missing }), (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
  const fresh = join(dir, 'github_output');
  assert.deepEqual(await preflightGithubOutput({ GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: fresh }), { outputFile: fresh });
  assert.equal(existsSync(fresh), false, 'the probe file was removed again');
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    await assert.rejects(preflightGithubOutput({ GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: join(locked, 'out') }), (e: unknown) => e instanceof UsageError && /cannot append/.test(e.message));
  }
});

/**
 * --github-output (src/core/targets/github-output.ts): only in GitHub Actions; the mask goes to
 * stdout before anything else; the outputs are appended in heredoc form, parsed back the way the
 * runner reads $GITHUB_OUTPUT; a failed append leaves the file as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError } from '../../src/core/delivery.js';
import { nodeFileOps, type FileOps } from '../../src/core/targets/file-ops.js';
import { deliverGithubOutput, formatGithubOutputs, heredocDelimiter, preflightGithubOutput } from '../../src/core/targets/github-output.js';
import { preflightDelivery } from '../../src/core/targets/index.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret } from '../helpers/fakes.js';
const FAKE_1 = fakeApiKeySecret();

const KEY = { secret: FAKE_1, apiKeyId: 'ajeab12cd34ef56gh78i', folderId: 'b1gfolder0000000001x' };
const randomInt = (max: number): number => Math.floor(Math.random() * max);

/** How the Actions runner reads $GITHUB_OUTPUT: `name=value` lines and `name<<DELIM` … `DELIM` blocks. */
function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      assert.ok(i < lines.length, `unterminated heredoc for ${name}`);
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

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
    writeStdout: async (text) => void events.push(`stdout ${text}`),
  });
  assert.deepEqual(events, [`stdout ::add-mask::${KEY.secret}\n`, 'open a'], 'the mask is the first thing written anywhere');
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
  await assert.rejects(deliverGithubOutput(plan, KEY, { randomInt, writeStdout: () => Promise.reject(epipe) }), (e: unknown) => e instanceof DeliveryError && /::add-mask::/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), 'earlier=step output\n');

  const fs: FileOps = {
    ...nodeFileOps,
    open: async (path, flags, mode) => {
      const f = await nodeFileOps.open(path, flags, mode);
      return { ...f, write: async (data) => { await f.write(data.slice(0, 30)); throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
    },
  };
  await assert.rejects(deliverGithubOutput(plan, KEY, { fs, randomInt, writeStdout: async () => undefined }), /no space left/);
  assert.equal(readFileSync(file, 'utf8'), 'earlier=step output\n', 'no half heredoc left behind');
});

test('combined targets: a later failure undoes the earlier ones (file removed, outputs cut off)', async () => {
  const { env, file } = actionsEnv();
  const dir = tempDir();
  const outFile = join(dir, 'key.env');
  let stdout = '';
  const prepared = await preflightDelivery(
    {
      keyOf: (k: typeof KEY) => k,
      outFile: { path: outFile, force: false, format: 'env', render: () => `YC_API_KEY='${KEY.secret}'\n` },
      githubOutput: true,
    },
    { env, randomInt, writeStdout: async (t) => void (stdout += t) },
  );
  assert.deepEqual(prepared.targets, ['file', 'github-output']);
  // Make the GitHub append fail after the file was written: GITHUB_OUTPUT turns into a directory.
  rmSync(file);
  mkdirSync(file);
  await assert.rejects(prepared.deliver(KEY), DeliveryError);
  assert.equal(existsSync(outFile), false, 'the file written first was removed');
  assert.equal(stdout, `::add-mask::${KEY.secret}\n`);
});

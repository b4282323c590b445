/**
 * env/dotenv output is built by encoders that no value can break: comment lines stay comments, and
 * `source` of the output runs nothing (issue #13: a crafted ID once ran shell code through them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatComments, formatEnv } from '../../src/output/formats.js';
import { tempDir } from '../helpers/run-cli.js';

const HOSTILE = ['Secret written to Lockbox secret e6q1\n$(touch pwned)\ntouch pwned2', 'x\r\ntouch pwned3 # \u001b]0;t\u0007', "it's `touch pwned4`"];

test('source of comment lines with newlines, CRs and shell code runs none of it', () => {
  const dir = tempDir();
  const file = join(dir, 'out.env');
  writeFileSync(file, formatComments(HOSTILE) + formatEnv([['YC_API_KEY_ID', "aje'$(touch pwned5)'"]]));
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `set -eu; source ${JSON.stringify(file)}; printf %s "$YC_API_KEY_ID"`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "aje'$(touch pwned5)'", 'the value reads back exactly');
  for (const m of ['pwned', 'pwned2', 'pwned3', 'pwned4', 'pwned5']) assert.equal(existsSync(join(dir, m)), false, `${m} was created`);
  assert.equal(formatComments(HOSTILE).split('\n').length, HOSTILE.length + 1, 'one comment line per line of text');
});

test('a NUL byte cannot be carried by env output: refused, never cut', () => {
  assert.throws(() => formatEnv([['X', 'a\0b']]), /NUL/);
});

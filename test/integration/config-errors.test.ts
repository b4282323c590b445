/**
 * Config errors that help (issue 15, item 9): a bad stored value never blocks the `config set` or
 * `config unset` that fixes it; a config directory that cannot be written, or a HOME that cannot hold
 * one, is a plain message naming the path and what to do (exit 1), never "Internal error … bug"; a
 * file that is not JSON is named. Other commands still refuse a bad value they would use (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../../src/errors.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli, tempDir } from '../helpers/run-cli.js';

const BIN = fileURLToPath(new URL('../../bin/aistudio-key.js', import.meta.url));

function badConfig(content: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), content);
  return dir;
}

test('a bad stored value does not block the config set or unset that fixes it', async () => {
  const configDir = badConfig(JSON.stringify({ format: 'xml', folderId: 'b1gfolder00000000001' }));
  const set = await runCli(['config', 'set', 'format', 'json'], { configDir });
  assert.equal(set.exitCode, 0, set.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')), { format: 'json', folderId: 'b1gfolder00000000001' });

  const again = badConfig(JSON.stringify({ format: 'xml' }));
  const unset = await runCli(['config', 'unset', 'format'], { configDir: again });
  assert.equal(unset.exitCode, 0, unset.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(again, 'config.json'), 'utf8')), {});

  const other = badConfig(JSON.stringify({ format: 'xml' }));
  const setOther = await runCli(['config', 'set', 'expires-in', '30d'], { configDir: other });
  assert.equal(setOther.exitCode, 0, `another key can be set too: ${setOther.stderr}`);
  const get = await runCli(['config', 'get', 'expires-in'], { configDir: other });
  assert.equal(get.exitCode, 0, get.stderr);
  assert.equal(get.stdout, '30d\n');
});

test('a command that would use the bad value refuses it: exit 2, naming the file, the key and the fix', async () => {
  const configDir = badConfig(JSON.stringify({ format: 'xml' }));
  const res = await runCli(['scopes', '--offline'], { configDir });
  assert.equal(res.exitCode, EXIT_CODES.usage, res.stderr);
  assert.match(res.stderr, new RegExp(`config format in ${join(configDir, 'config.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*aistudio-key config set format <value>`));
  const listed = await runCli(['config', 'list'], { configDir });
  assert.equal(listed.exitCode, EXIT_CODES.usage, 'config list shows a bad file as the error it is');
  assert.match(listed.stderr, /config format in .*config\.json/);
});

test('a file that is not JSON is named, whether read or written', async () => {
  const configDir = badConfig('{ not json');
  const path = join(configDir, 'config.json');
  for (const argv of [['scopes', '--offline'], ['config', 'set', 'format', 'json']]) {
    const res = await runCli(argv, { configDir });
    assert.equal(res.exitCode, EXIT_CODES.usage, `${argv.join(' ')}: ${res.stderr}`);
    assert.ok(res.stderr.includes(path), `${argv.join(' ')} names ${path}: ${res.stderr}`);
    assert.match(res.stderr, /not valid JSON/);
  }
});

test('a config directory that cannot be made or written: exit 1, the path and what to do, not "a bug"', async () => {
  // Root may write anywhere, so a file standing where the directory should be plays the read-only directory.
  const blocker = join(tempDir(), 'not-a-dir');
  writeFileSync(blocker, '');
  const configDir = join(blocker, 'aistudio-key');
  const res = await runCli(['config', 'set', 'format', 'json'], { configDir });
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  assert.doesNotMatch(res.stderr, /Internal error|bug/);
  assert.ok(res.stderr.includes(`Cannot write the aistudio-key config file ${join(configDir, 'config.json')}`), res.stderr);
  assert.match(res.stderr, /AISTUDIO_KEY_CONFIG_DIR/);
  // Nothing stored there, nothing to remove: unset and every other command still run.
  assert.equal((await runCli(['config', 'unset', 'format'], { configDir })).exitCode, 0);
  assert.equal((await runCli(['scopes', '--offline'], { configDir })).exitCode, 0);
});

test('a read-only config directory (as a user other than root): exit 1 naming the file', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root writes anywhere; the ENOTDIR case above covers the message');
    return;
  }
  const configDir = tempDir();
  chmodSync(configDir, 0o500);
  const res = await runCli(['config', 'set', 'format', 'json'], { configDir });
  chmodSync(configDir, 0o700);
  assert.equal(res.exitCode, EXIT_CODES.failure, res.stderr);
  assert.match(res.stderr, /Cannot write the aistudio-key config file .*\((EACCES|EPERM)\)/);
});

test('the built bin with a HOME that cannot hold a config directory: exit 1 naming it, not "not valid JSON"', async () => {
  await ensureBuilt();
  const blocker = join(tempDir(), 'home-is-a-file');
  writeFileSync(blocker, '');
  const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'config', 'set', 'format', 'json'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: blocker }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(res.code, EXIT_CODES.failure, res.stderr);
  assert.doesNotMatch(res.stderr, /not valid JSON|Internal error/);
  assert.ok(res.stderr.includes(join(blocker, '.config', 'aistudio-key')), res.stderr);
});

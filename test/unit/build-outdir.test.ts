/** `node scripts/build.mjs --outdir <dir>`: the directory is taken relative to where it is run, like any path argument. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('--outdir is resolved against the current directory, not the repository', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'aistudio-key-build-'));
  const name = `out-${process.pid}`;
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [BUILD, '--outdir', name], { cwd, timeout: 120_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${stdout}${stderr}`)) : resolve())),
    );
    assert.ok(existsSync(join(cwd, name, 'cli.js')), 'the bundle is where --outdir says');
    assert.ok(existsSync(join(cwd, name, 'help.cjs')));
    assert.ok(!existsSync(join(ROOT, name)), 'nothing written into the repository');
  } finally {
    await rm(cwd, { recursive: true, force: true });
    await rm(join(ROOT, name), { recursive: true, force: true });
  }
});

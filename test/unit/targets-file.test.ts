/**
 * --out-file (src/core/targets/out-file.ts) on a real temporary directory: mode 0600, no-clobber at
 * preflight and at commit, --force, and atomicity — whatever step fails, no temporary file is left
 * and the path is as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { DeliveryError } from '../../src/core/delivery.js';
import { nodeFileOps, type FileOps } from '../../src/core/targets/file-ops.js';
import { preflightOutFile, writeOutFile } from '../../src/core/targets/out-file.js';
import { tempDir } from '../helpers/run-cli.js';
import { fakeApiKeySecret } from '../helpers/fakes.js';
const FAKE_1 = fakeApiKeySecret();

let seq = 0;
const randomInt = (max: number): number => (seq++ * 7) % max;
const deps = (fs?: FileOps) => ({ fs, randomInt });
const CONTENT = `YC_API_KEY='${FAKE_1}'\n`;

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

test('writes the file with mode 0600 whatever the umask, and leaves nothing else in the directory', async () => {
  const dir = tempDir();
  const path = join(dir, 'key.env');
  const old = process.umask(0o000);
  try {
    const plan = await preflightOutFile({ path, force: false }, deps());
    assert.deepEqual(readdirSync(dir), [], 'the preflight probe leaves nothing');
    const done = await writeOutFile(plan, CONTENT, deps());
    assert.equal(readFileSync(path, 'utf8'), CONTENT);
    assert.equal(mode(path), 0o600);
    assert.deepEqual(readdirSync(dir), ['key.env']);
    assert.deepEqual(done.receipt, { target: 'file', path, format: '', replaced: false });
  } finally {
    process.umask(old);
  }
});

test('an existing file is refused at preflight unless --force; with --force it is replaced (mode 0600)', async () => {
  const dir = tempDir();
  const path = join(dir, 'key.json');
  writeFileSync(path, 'old', { mode: 0o644 });
  await assert.rejects(preflightOutFile({ path, force: false }, deps()), (e: unknown) => e instanceof UsageError && /already exists; pass --force/.test(e.message));
  const plan = await preflightOutFile({ path, force: true }, deps());
  const done = await writeOutFile(plan, CONTENT, deps());
  assert.equal(readFileSync(path, 'utf8'), CONTENT);
  assert.equal(mode(path), 0o600);
  assert.equal(done.receipt.target === 'file' && done.receipt.replaced, true);
  assert.deepEqual(readdirSync(dir), ['key.json']);
});

test('a directory, a missing directory and an unwritable directory are refused at preflight, leaving nothing', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  await assert.rejects(preflightOutFile({ path: join(dir, 'sub'), force: true }, deps()), /is a directory/);
  await assert.rejects(preflightOutFile({ path: join(dir, 'nope', 'key.env'), force: false }, deps()), /does not exist/);
  await assert.rejects(preflightOutFile({ path: `${dir}/`, force: false }, deps()), /expected a file path/);
  const refusing: FileOps = { ...nodeFileOps, open: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) };
  await assert.rejects(preflightOutFile({ path: join(dir, 'key.env'), force: false }, deps(refusing)), (e: unknown) => e instanceof UsageError && /cannot create files in .*permission denied \(EACCES\)/.test(e.message));
  assert.deepEqual(readdirSync(dir), ['sub']);
});

/** A FileOps whose `step` fails (after the real work, for `write`: a partial file). */
function failing(step: 'write' | 'sync' | 'rename' | 'link' | 'chmod', code = 'ENOSPC'): FileOps {
  const fail = (): Error => Object.assign(new Error(`${code}: failed`), { code });
  return {
    ...nodeFileOps,
    async open(path, flags, m) {
      const f = await nodeFileOps.open(path, flags, m);
      return {
        ...f,
        write: async (data) => {
          if (step === 'write') {
            await f.write(data.slice(0, 5));
            throw fail();
          }
          await f.write(data);
        },
        sync: () => (step === 'sync' ? Promise.reject(fail()) : f.sync()),
        chmod: (x) => (step === 'chmod' ? Promise.reject(fail()) : f.chmod(x)),
      };
    },
    rename: (a, b) => (step === 'rename' ? Promise.reject(fail()) : nodeFileOps.rename(a, b)),
    link: (a, b) => (step === 'link' ? Promise.reject(fail()) : nodeFileOps.link(a, b)),
  };
}

for (const step of ['write', 'sync', 'chmod', 'link', 'rename'] as const) {
  test(`a failure at ${step} throws DeliveryError and leaves no temporary file and no half-written target`, async () => {
    const dir = tempDir();
    const path = join(dir, 'key.env');
    const force = step === 'rename';
    if (force) writeFileSync(path, 'previous');
    const plan = await preflightOutFile({ path, force }, deps());
    await assert.rejects(writeOutFile(plan, CONTENT, deps(failing(step))), (e: unknown) => e instanceof DeliveryError && /no space left on the device/.test(e.message));
    assert.deepEqual(readdirSync(dir), force ? ['key.env'] : []);
    if (force) assert.equal(readFileSync(path, 'utf8'), 'previous', 'the old file is untouched');
  });
}

test('a file that appears between preflight and commit is never overwritten (link is no-clobber)', async () => {
  const dir = tempDir();
  const path = join(dir, 'key.env');
  const plan = await preflightOutFile({ path, force: false }, deps());
  writeFileSync(path, 'someone else');
  await assert.rejects(writeOutFile(plan, CONTENT, deps()), (e: unknown) => e instanceof DeliveryError && /appeared after the check/.test(e.message));
  assert.equal(readFileSync(path, 'utf8'), 'someone else');
  assert.deepEqual(readdirSync(dir), ['key.env']);
});

test('without hard links (EPERM) the commit falls back to check-then-rename, still no-clobber', async () => {
  const dir = tempDir();
  const path = join(dir, 'key.env');
  const noLinks = failing('link', 'EPERM');
  const plan = await preflightOutFile({ path, force: false }, deps(noLinks));
  await writeOutFile(plan, CONTENT, deps(noLinks));
  assert.equal(readFileSync(path, 'utf8'), CONTENT);
  assert.equal(mode(path), 0o600);
  assert.deepEqual(readdirSync(dir), ['key.env']);
  const again = join(dir, 'again.env');
  const plan2 = await preflightOutFile({ path: again, force: false }, deps(noLinks));
  writeFileSync(again, 'raced');
  await assert.rejects(writeOutFile(plan2, CONTENT, deps(noLinks)), /appeared after the check/);
  assert.equal(readFileSync(again, 'utf8'), 'raced');
  assert.deepEqual(readdirSync(dir).sort(), ['again.env', 'key.env']);
});

test('undo removes the written file', async () => {
  const dir = tempDir();
  const path = join(dir, 'key.env');
  const done = await writeOutFile(await preflightOutFile({ path, force: false }, deps()), CONTENT, deps());
  assert.equal(await done.undo(), undefined);
  assert.deepEqual(readdirSync(dir), []);
});

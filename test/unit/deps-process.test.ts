/**
 * What src/deps.ts does to the process. deps.onInterrupt: while a run handles SIGINT/SIGTERM, other
 * libraries' signal hooks are set aside (when-exit, loaded with conf, re-sends the signal to the
 * process, which looked like a second Ctrl-C and ended runs at once), including hooks added during
 * the run; all are put back after (signals simulated with process.emit). installProcessGuards, in a
 * child process: DEP0123 and only it is silenced, and an uncaught error is one redacted line, exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDeps, type InterruptSignal } from '../../src/deps.js';
import { fakeIamToken } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();

const DEPS_MODULE = new URL('../../src/deps.ts', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('installProcessGuards: DEP0123 is dropped, other warnings print; an uncaught error prints redacted and exits 1', async () => {
  const token = FAKE_1;
  const secret = `AQVN${'s'.repeat(36)}`;
  const code = `
    const { installProcessGuards } = await import(${JSON.stringify(DEPS_MODULE)});
    installProcessGuards();
    process.emitWarning('Setting the TLS ServerName to an IP address is not permitted by RFC 6066.', 'DeprecationWarning', 'DEP0123');
    process.emitWarning('ServerName as an option object', { type: 'DeprecationWarning', code: 'DEP0123' });
    process.emitWarning('another warning', 'DeprecationWarning', 'DEP0999');
    setTimeout(() => { throw new Error('boom with ${token} and ${secret}'); }, 20);`;
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT }, (_e, _out, stderr) => resolve({ code: child.exitCode, stderr }));
  });
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stderr, /DEP0123|RFC 6066|ServerName/);
  assert.match(result.stderr, /\[DEP0999\] DeprecationWarning: another warning/);
  assert.match(result.stderr, /^Internal error: Error: boom with t1\.\*\*\* and AQVN\*\*\*\. This is a bug/m);
  assert.ok(!result.stderr.includes(token) && !result.stderr.includes(secret));
});

test('other SIGINT/SIGTERM hooks are set aside during a run and restored after it', async () => {
  const heard: string[] = [];
  const before = (): void => void heard.push('hook added before');
  process.once('SIGINT', before);
  const deps = createDeps();
  const got: InterruptSignal[] = [];
  const unsubscribe = deps.onInterrupt((s) => got.push(s));

  const during = (): void => void heard.push('hook added during');
  process.once('SIGTERM', during);
  await Promise.resolve(); // the hook is taken off in a microtask, before any signal could be dispatched

  process.emit('SIGINT', 'SIGINT');
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(got, ['SIGINT', 'SIGTERM']);
  assert.deepEqual(heard, [], 'no other hook ran while the run owned the signals');
  assert.equal(process.listenerCount('SIGINT'), 1);

  unsubscribe();
  assert.ok(process.listeners('SIGINT').includes(before), 'restored');
  assert.ok(process.listeners('SIGTERM').includes(during), 'restored');
  process.emit('SIGINT', 'SIGINT');
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(got, ['SIGINT', 'SIGTERM'], 'the run\'s handler is gone');
  assert.deepEqual(heard.sort(), ['hook added before', 'hook added during']);
  process.off('SIGINT', before);
  process.off('SIGTERM', during);
});

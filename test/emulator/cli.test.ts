import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { signServiceAccountJwt, type AuthorizedKeyFile, type Emulator } from './index.js';
import { sdkClients, tokenClient } from './sdk-clients.js';
import { PRIVATE_KEY_LABEL } from '../helpers/fakes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = ['--import', 'tsx', 'test/emulator/cli.ts'];

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run emulator (test/emulator/cli.ts)', () => {
  it('prints endpoint, CA file and credentials that work, applies its flags, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [...CLI, '--json', '--latency', '60', '--operation-delay', '5000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = await once(lines, 'line') as [string];
      const info = JSON.parse(line) as {
        endpoint: string; caFile: string; httpUrl: string; startMs: number; iamToken: string; oauthToken: string;
        folderId: string; cloudId: string; serviceAccountKeyFile: string; env: Record<string, string>;
      };
      // The start time itself is asserted in-process (startup.test.ts); a loaded machine slows a child down.
      assert.equal(typeof info.startMs, 'number');
      const emu = { endpoint: info.endpoint, caPem: readFileSync(info.caFile, 'utf8') } as Emulator;
      const c = sdkClients(emu, info.iamToken);

      const t0 = performance.now();
      const op = await c.serviceAccounts.create({ folderId: info.folderId, name: 'from-cli-test', description: '', labels: {} });
      assert.ok(performance.now() - t0 >= 55, '--latency applies');
      assert.equal((await c.operations.get({ operationId: op.id })).done, false, '--operation-delay applies');

      const key = JSON.parse(readFileSync(info.serviceAccountKeyFile, 'utf8')) as AuthorizedKeyFile;
      assert.match(key.private_key, new RegExp(`^PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID ${key.id}\\n-----BEGIN ${PRIVATE_KEY_LABEL}-----`));
      const { client, channel } = tokenClient(emu);
      try {
        const viaKey = await client.create({ jwt: signServiceAccountJwt({ id: key.id, serviceAccountId: key.service_account_id, privateKey: key.private_key }), yandexPassportOauthToken: undefined });
        assert.match(viaKey.iamToken, /^t1\./);
        const viaOauth = await client.create({ yandexPassportOauthToken: info.oauthToken, jwt: undefined });
        assert.match(viaOauth.iamToken, /^t1\./);
      } finally {
        channel.close();
      }
      assert.equal(info.env.YC_ENDPOINT, info.endpoint);
      assert.equal(info.env.YC_TOKEN_EXCHANGE_URL, `${info.httpUrl}/oauth/token`);
      const md = await fetch(`${info.httpUrl}/computeMetadata/v1/yandex/folder-id`, { headers: { 'Metadata-Flavor': 'Google' } });
      assert.equal(await md.text(), info.folderId);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit') as [number | null];
      assert.equal(code, 0);
      assert.equal(existsSync(info.caFile), false, 'temporary files removed');
    } finally {
      // SIGTERM lets the emulator remove its files even when an assertion failed.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(timer);
      }
    }
  });

  it('rejects bad flags with exit code 2 and prints help with -h', async () => {
    const [bad, unknown, help] = await Promise.all([['--latency', 'fast'], ['--bogus'], ['-h']].map((args) => run(args)));
    assert.equal(bad?.code, 2);
    assert.match(bad?.stderr ?? '', /--latency needs a non-negative integer/);
    assert.equal(unknown?.code, 2);
    assert.match(unknown?.stderr ?? '', /Unknown option '--bogus'/);
    assert.equal(help?.code, 0);
    assert.match(help?.stdout ?? '', /--operation-delay <ms>/);
  });
});

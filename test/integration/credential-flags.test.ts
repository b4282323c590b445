/**
 * A credential given as a flag value is visible to every user through `ps`: the run warns on stderr
 * (never echoing the token) and points to the env variable or --iam-token-file - (issue #13 item 8).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFixture, startEmulator, type Emulator } from '../emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

const running: Emulator[] = [];
after(async () => {
  await Promise.all(running.map((e) => e.stop()));
});

async function world(): Promise<{ emu: Emulator; ids: ReturnType<typeof defaultFixture>['ids'] }> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture });
  running.push(emu);
  return { emu, ids };
}

test('--iam-token <value>: a warning on stderr naming YC_IAM_TOKEN and --iam-token-file -, the token never shown', async () => {
  const { emu, ids } = await world();
  const r = await runCli(['whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--iam-token', ids.userIamToken, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Warning: --iam-token puts the token on the command line.*\(ps\).*YC_IAM_TOKEN, or --iam-token-file - \(stdin\)/);
  assert.ok(!r.stderr.includes(ids.userIamToken) && !r.stdout.includes(ids.userIamToken));
  JSON.parse(r.stdout);
});

test('--oauth-token and a bare --federated-token warn too; --iam-token-file -, env and @file do not', async () => {
  const { emu, ids } = await world();
  const base = ['whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile];
  const viaStdin = await runCli([...base, '--iam-token-file', '-'], { stdin: `${ids.userIamToken}\n` });
  assert.equal(viaStdin.exitCode, 0, viaStdin.stderr);
  assert.doesNotMatch(viaStdin.stderr, /Warning/);
  const viaEnv = await runCli(base, { env: { YC_IAM_TOKEN: ids.userIamToken } });
  assert.doesNotMatch(viaEnv.stderr, /Warning/);
  const oauth = await runCli([...base, '--oauth-token', ids.userOauthToken]);
  assert.match(oauth.stderr, /Warning: --oauth-token puts the token on the command line.*YC_OAUTH_TOKEN/);
  assert.ok(!oauth.stderr.includes(ids.userOauthToken));
  const fed = await runCli([...base, '--federated-token', '@/nonexistent', '--service-account-id', ids.serviceAccountId]);
  assert.doesNotMatch(fed.stderr, /Warning: --federated-token/);
});

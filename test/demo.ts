/**
 * `npm run demo`: the main job end to end on a fresh machine. Starts the embedded Yandex Cloud
 * emulator (real gRPC over TLS on loopback, seeded with a cloud, a folder and an admin user),
 * then runs the real CLI — `bin/aistudio-key.js create` as a child process — against it,
 * exactly as a user would against the real cloud.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator, defaultFixture } from './emulator/index.js';

const bin = fileURLToPath(new URL('../bin/aistudio-key.js', import.meta.url));
const { fixture, ids } = defaultFixture();
const emulator = await startEmulator({ fixture, latencyMs: 25, operationDelayMs: 150 });

const extra = process.argv.slice(2);
const argv = ['create', '--folder-id', ids.folderId, '--endpoint', emulator.endpoint, '--ca-file', emulator.caFile, ...extra];
process.stderr.write(`demo: emulator at ${emulator.endpoint} (CA ${emulator.caFile})\n`);
process.stderr.write(`demo: $ aistudio-key ${argv.join(' ')}   # with YC_IAM_TOKEN set to a test token\n\n`);

const child = spawn(process.execPath, [bin, ...argv], {
  stdio: 'inherit',
  env: { ...process.env, YC_IAM_TOKEN: ids.userIamToken, YC_METADATA_ADDR: '127.0.0.1:1' },
});
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 130 : 1))));

const sas = emulator.state.serviceAccounts().filter((sa) => sa.labels['managed-by'] === 'aistudio-key');
process.stderr.write(`\ndemo: the emulator now holds ${sas.length} managed service account(s), ` +
  `${emulator.state.apiKeys().length} API key(s); folder bindings: ${emulator.state.folderBindings(ids.folderId).length}\n`);
await emulator.stop();
process.exitCode = code;

/**
 * Discovery cannot send the IAM token elsewhere: an ApiEndpointService answer naming a host outside
 * the endpoint's domain stops the run (exit 1, both hosts named) before anything connects there.
 * A second loopback listener stands in for the other host and records every connection it gets.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { defaultFixture, startEmulator, type Emulator } from '../emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

const running: Emulator[] = [];
const listeners: net.Server[] = [];
after(async () => {
  await Promise.all(running.map((e) => e.stop()));
  for (const l of listeners) l.close();
});

/** A TCP listener on 127.0.0.1 that counts connections and the bytes they send. */
async function recorder(): Promise<{ port: number; connections: () => number; bytes: () => number }> {
  let connections = 0;
  let bytes = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on('data', (d: Buffer) => (bytes += d.length));
    socket.on('error', () => undefined);
  });
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, bytes: () => bytes };
}

for (const id of ['iam', 'resource-manager', 'operation'] as const) {
  test(`a discovery answer pointing ${id} at another host stops the run before the token goes anywhere`, async () => {
    const other = await recorder();
    const { fixture, ids } = defaultFixture();
    // The emulator is named `localhost` (its certificate covers it), so 127.0.0.1 is another host.
    const emu = await startEmulator({ fixture, host: 'localhost', discoveryAddresses: { [id]: `127.0.0.1:${other.port}` } });
    running.push(emu);
    // --timeout and --retries 0 bound a run that did connect there (the listener never answers TLS).
    const r = await runCli(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--folder-id', ids.folderId, '--json', '--timeout', '3s', '--retries', '0'], { env: { YC_IAM_TOKEN: ids.userIamToken } });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`The endpoint localhost answered discovery with 127\\.0\\.0\\.1 for the ${id} service, which is outside its domain`));
    assert.equal(r.stdout, '');
    assert.ok(!r.stderr.includes(ids.userIamToken));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(other.connections(), 0, 'nothing connected to the other host');
    assert.deepEqual(emu.mutations(), [], 'nothing changed');
    assert.deepEqual(emu.journal.map((e) => e.method), ['ApiEndpointService/List'], 'discovery was the only call');
  });
}

test('an answer naming the endpoint host itself is used', async () => {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, host: 'localhost' });
  running.push(emu);
  const r = await runCli(['whoami', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, '--json'], { env: { YC_IAM_TOKEN: ids.userIamToken } });
  assert.equal(r.exitCode, 0, r.stderr);
});

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ListApiEndpointsRequest } from '@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service';
import { defaultFixture, startEmulator, startStalledEndpoint } from './index.js';
import { sdkClients } from './sdk-clients.js';

/** Connects, sends a TLS-looking byte, and reports whether anything came back within `ms`. */
function answersWithin(endpoint: string, ms: number): Promise<{ connected: boolean; answered: boolean }> {
  const [host = '', port = ''] = endpoint.split(/:(?=\d+$)/);
  return new Promise((resolve) => {
    let connected = false;
    let answered = false;
    const socket = connect(Number(port), host, () => {
      connected = true;
      socket.write(Buffer.from([0x16, 0x03, 0x01]));
    });
    socket.on('data', () => (answered = true));
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
      resolve({ connected, answered });
    }, ms);
  });
}

test('startStalledEndpoint accepts TCP and never answers', async () => {
  const stalled = await startStalledEndpoint();
  try {
    assert.deepEqual(await answersWithin(stalled.endpoint, 300), { connected: true, answered: false });
    assert.equal(stalled.accepted(), 1);
  } finally {
    await stalled.stop();
  }
});

test('stalledServices: discovery points those ids at a stalled listener, the rest at the emulator', async () => {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, stalledServices: ['lockbox'] });
  try {
    const { endpoints } = await sdkClients(emu, ids.userIamToken).endpoints.list(ListApiEndpointsRequest.fromPartial({}));
    const lockbox = endpoints.find((e) => e.id === 'lockbox')?.address ?? '';
    assert.notEqual(lockbox, emu.endpoint);
    assert.equal(endpoints.find((e) => e.id === 'iam')?.address, emu.endpoint);
    assert.deepEqual(await answersWithin(lockbox, 300), { connected: true, answered: false });
  } finally {
    await emu.stop();
  }
});

/**
 * The set-up most emulator and integration tests share: an emulator of the default fixture, its
 * IDs and credentials, and SDK clients acting as its user. Start it in before(), stop it in after():
 *   before(async () => ({ emu, ids, c } = await startDefaultEmulator()));
 */
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { sdkClients, type SdkClients } from '../emulator/sdk-clients.js';

export async function startDefaultEmulator(opts: Omit<EmulatorOptions, 'fixture'> = {}): Promise<{ emu: Emulator; ids: DefaultIds; c: SdkClients }> {
  const d = defaultFixture();
  const emu = await startEmulator({ ...opts, fixture: d.fixture });
  return { emu, ids: d.ids, c: sdkClients(emu, d.ids.userIamToken) };
}

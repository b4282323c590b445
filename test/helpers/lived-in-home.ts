/**
 * A HOME that looks like a user's, for spawned runs (test/helpers/run-bin.ts):
 *
 * - ~/.config/yandex-cloud/config.yaml as `yc init` and `yc config profile create` leave it, with
 *   several profiles. The current one, `prod`, points elsewhere: another cloud and folder, and an
 *   OAuth token the emulator does not know (a run that falls back to it fails with exit 3, as it
 *   would against a cloud that has revoked it). `sandbox` holds the emulator admin's OAuth token,
 *   `robot` an inline service-account key, `vm` uses the metadata service.
 * - ~/.config/aistudio-key/config.json (conf's default place on Linux) with defaults: the emulator's
 *   endpoint, the folder, an expiry and `format: yaml`, so every run that names no format prints YAML.
 *
 * Each call makes a new directory; nothing is shared between tests unless they share the result.
 * Credentials are the emulator's, minted at run time.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { DefaultIds, Emulator } from '../emulator/index.js';

export interface LivedInHome {
  home: string;
  /** ~/.config/yandex-cloud/config.yaml */
  ycConfig: string;
  /** ~/.config/aistudio-key/config.json */
  settingsFile: string;
  /** The environment of a user at this HOME: HOME, USER, LANG, and the emulator's CA as grpc reads it. */
  env: Record<string, string>;
}

const alnum = (n: number): string => Array.from(randomBytes(n), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

export interface LivedInHomeOptions {
  /** aistudio-key settings (camelCase keys as the file stores them); default: endpoint, folder, 30d, yaml. */
  settings?: Record<string, string>;
}

export function livedInHome(emu: Emulator, ids: DefaultIds, opts: LivedInHomeOptions = {}): LivedInHome {
  const home = mkdtempSync(join(tmpdir(), 'aistudio-key-home-'));
  const ycDir = join(home, '.config', 'yandex-cloud');
  mkdirSync(ycDir, { recursive: true, mode: 0o700 });
  const ycConfig = join(ycDir, 'config.yaml');
  writeFileSync(
    ycConfig,
    stringify({
      current: 'prod',
      profiles: {
        prod: { token: `y0_${alnum(55)}`, 'cloud-id': `b1g${alnum(17)}`, 'folder-id': `b1g${alnum(17)}`, 'compute-default-zone': 'ru-central1-d' },
        sandbox: { token: ids.userOauthToken, 'cloud-id': ids.cloudId, 'folder-id': ids.folderId },
        robot: { 'service-account-key': ids.authorizedKey, 'folder-id': ids.folderId },
        vm: { 'instance-service-account': true, 'folder-id': ids.folderId },
      },
    }),
    { mode: 0o600 },
  );
  const settingsDir = join(home, '.config', 'aistudio-key');
  mkdirSync(settingsDir, { recursive: true });
  const settingsFile = join(settingsDir, 'config.json');
  const settings = opts.settings ?? { endpoint: emu.endpoint, folderId: ids.folderId, expiresIn: '30d', format: 'yaml' };
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, '\t')}\n`);
  return {
    home,
    ycConfig,
    settingsFile,
    env: { HOME: home, USER: 'dev', LANG: 'C.UTF-8', GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: emu.caFile },
  };
}

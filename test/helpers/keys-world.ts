/**
 * An emulator seeded for the key-management commands (list, revoke, config precedence): the default
 * fixture plus service accounts labelled managed-by=aistudio-key with API keys and folder bindings,
 * and a `cli()` that runs aistudio-key against it with the admin user's token.
 */
import { httpFetch, type HttpFetch } from '../../src/auth/http-fetch.js';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions, type Fixture, type SeedApiKey } from '../emulator/index.js';
import { runCli, type RunCliOptions, type RunCliResult } from './run-cli.js';

export const DAY = 86_400_000;
export const MANAGED = { 'managed-by': 'aistudio-key' };

/** Seeded ids (20 chars, [a-z0-9]); names say what each one is for. */
export const SEED = {
  botA: 'ajebotaaaaaaaaaaaaa1',
  botB: 'ajebotbbbbbbbbbbbbb1',
  keyA1: 'ajekeya1aaaaaaaaaaa1',
  keyA2: 'ajekeya2aaaaaaaaaaa2',
  keyB1: 'ajekeyb1bbbbbbbbbbb1',
  legacyKey: 'ajekeylegacyllllllll',
} as const;

export interface KeysWorld {
  emu: Emulator;
  ids: DefaultIds;
  /** `aistudio-key <argv>` with --endpoint/--ca-file of this emulator and the admin's YC_IAM_TOKEN (overridable). */
  cli(argv: string[], opts?: RunCliOptions & { endpoint?: false }): Promise<RunCliResult>;
  /** Folder bindings as sorted "role type:id" strings. */
  bindings(folderId?: string): string[];
  /** Asserts that no token or API key secret the emulator knows is on stdout or stderr. */
  assertNoSecrets(res: RunCliResult): void;
}

/** Loopback only: any fetch off 127.0.0.1 fails the test. */
export const loopbackFetch: HttpFetch = async (url, init) => {
  assert.ok(['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), `off-loopback fetch to ${url.href}`);
  return httpFetch(url, init);
};

/**
 * Default fixture plus:
 *   bot-a (managed): keyA1 expires in 5 days, keyA2 in 60 days; roles ai.editor and search-api.webSearch.user on the folder
 *   bot-b (managed): keyB1 never expires, scopes preset + yc.serverless.mcpGateways.invoke; the five preset roles
 *   legacy-bot (the fixture's foreign account, unmanaged): legacyKey expires in 3 days
 */
export function keysFixture(now = Date.now()): { fixture: Fixture; ids: DefaultIds } {
  const { fixture, ids } = defaultFixture();
  fixture.serviceAccounts?.push(
    { id: SEED.botA, folderId: ids.folderId, name: 'bot-a', description: 'managed A', labels: { ...MANAGED } },
    { id: SEED.botB, folderId: ids.folderId, name: 'bot-b', description: 'managed B', labels: { ...MANAGED } },
  );
  const folder = fixture.folders.find((f) => f.id === ids.folderId);
  folder?.bindings?.push(
    { roleId: 'ai.editor', subject: { type: 'serviceAccount', id: SEED.botA } },
    { roleId: 'search-api.webSearch.user', subject: { type: 'serviceAccount', id: SEED.botA } },
    ...PRESET_ROLES.map((roleId) => ({ roleId, subject: { type: 'serviceAccount', id: SEED.botB } })),
  );
  const keys: SeedApiKey[] = [
    { id: SEED.keyA1, serviceAccountId: SEED.botA, description: 'a1', scopes: [...PRESET_SCOPES], expiresAt: new Date(now + 5 * DAY) },
    { id: SEED.keyA2, serviceAccountId: SEED.botA, description: 'a2', scopes: [...PRESET_SCOPES], expiresAt: new Date(now + 60 * DAY) },
    { id: SEED.keyB1, serviceAccountId: SEED.botB, description: 'b1', scopes: [...PRESET_SCOPES, 'yc.serverless.mcpGateways.invoke'] },
    { id: SEED.legacyKey, serviceAccountId: ids.foreignServiceAccountId, description: 'legacy', scopes: ['yc.ai.translate.execute'], expiresAt: new Date(now + 3 * DAY) },
  ];
  (fixture.apiKeys ??= []).push(...keys);
  return { fixture, ids };
}

/** Starts an emulator (stop it with `world.emu.stop()`). */
export async function keysWorld(opts: { fixture?: { fixture: Fixture; ids: DefaultIds }; emulator?: EmulatorOptions } = {}): Promise<KeysWorld> {
  const { fixture, ids } = opts.fixture ?? keysFixture();
  const emu = await startEmulator({ fixture, ...opts.emulator });
  return {
    emu,
    ids,
    cli: (argv, o = {}) => {
      const { endpoint, ...rest } = o;
      const target = endpoint === false ? ['--ca-file', emu.caFile] : ['--endpoint', emu.endpoint, '--ca-file', emu.caFile];
      return runCli([...target, ...argv], { fetch: loopbackFetch, ...rest, env: { YC_IAM_TOKEN: ids.userIamToken, ...rest.env } });
    },
    bindings: (folderId = ids.folderId) => emu.state.folderBindings(folderId).map((b) => `${b.roleId} ${b.subject.type}:${b.subject.id}`).sort(),
    assertNoSecrets(res) {
      for (const s of emu.secrets()) {
        assert.ok(!res.stdout.includes(s), 'no token or secret on stdout');
        assert.ok(!res.stderr.includes(s), 'no token or secret on stderr');
      }
    },
  };
}

/**
 * For tests of commands that change the world (revoke, rotate): a function giving a fresh world
 * each call; every one is stopped after the file's tests. Call it at the top level of a test file.
 */
export function freshWorlds(opts: Parameters<typeof keysWorld>[0] = {}): () => Promise<KeysWorld> {
  const running: KeysWorld[] = [];
  after(() => Promise.all(running.map((w) => w.emu.stop())));
  return async () => {
    const w = await keysWorld(opts);
    running.push(w);
    return w;
  };
}

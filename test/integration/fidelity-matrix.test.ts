/**
 * Issue #14: `create`, `rotate` and `ensure` under every behaviour of the real API that no source
 * rules out. Each setting of the emulator's fidelity switches (test/emulator/fidelity.ts, README
 * "Fidelity switches") runs the same key flows: they must succeed, leave nothing behind on failure,
 * and never make a second account. In-process runCli against one emulator per setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRESET_ROLES } from '../../src/core/preset.js';
import type { EmulatorOptions, FidelityOptions } from '../emulator/index.js';
import { freshWorlds, keysFixture, SEED, type KeysWorld } from '../helpers/keys-world.js';
import type { RunCliOptions, RunCliResult } from '../helpers/run-cli.js';

/** Fast retries: the matrix is about outcomes, not timing. */
const FAST: RunCliOptions = { target: { backoff: { baseMs: 1, maxMs: 4 } } };

const NO_IDEMPOTENCY: FidelityOptions['idempotency'] = { ServiceAccountService: false, FolderService: false, ApiKeyService: false, SecretService: false };

/** One entry per value of each switch (the defaults are the first row). */
const SETTINGS: Array<[string, FidelityOptions]> = [
  ['defaults (grant only held roles, idempotency honoured, AccessBindingsOperationResult, 1–63 names)', {}],
  ['a new account is NOT_FOUND for its first 2 calls', { newAccountLag: { calls: 2 } }],
  ['a new account is INVALID_ARGUMENT (naming it) for its first 2 calls', { newAccountLag: { calls: 2, code: 'INVALID_ARGUMENT' } }],
  ['a new account is NOT_FOUND for 300 ms', { newAccountLag: { ms: 300 } }],
  ['anyone with resource-manager.admin grants any role', { grantOnlyHeldRoles: false }],
  ['no service honours idempotency keys', { idempotency: NO_IDEMPOTENCY }],
  ['the bindings operation answers google.protobuf.Empty', { bindingsResponse: 'empty' }],
  ['a used-up quota comes with a QuotaFailure detail', { quotaError: 'quota-failure' }],
  ['a used-up quota is told only by a metric name', { quotaError: 'wording-metric' }],
  ['service-account names follow the legacy 3–63 pattern', { namePattern: 'legacy' }],
  ['everything unkind at once', { newAccountLag: { calls: 1, code: 'INVALID_ARGUMENT' }, idempotency: NO_IDEMPOTENCY, bindingsResponse: 'empty', quotaError: 'quota-failure', namePattern: 'legacy' }],
];

/** The parts of create's, rotate's and ensure's JSON documents these tests read. */
interface Doc {
  service_account: { id: string; name: string };
  api_key: { id: string };
  roles: string[];
  revoked: string[];
  status: string;
}

function json(r: RunCliResult): Doc {
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Doc;
}

/** What a failed run must leave as it found: accounts, keys and folder bindings. */
function snapshot(w: KeysWorld): string {
  return JSON.stringify([w.emu.state.serviceAccounts().map((a) => a.id).sort(), w.emu.state.apiKeys().map((k) => k.id).sort(), w.bindings()]);
}

function rolesOf(w: KeysWorld, accountId: string): string[] {
  return w.emu.state.folderBindings(w.ids.folderId).filter((b) => b.subject.id === accountId).map((b) => b.roleId).sort();
}

// The settings run side by side (each its own emulator); the flows of one setting in turn. Most of
// a flow's time is waiting (backoff, settling), so this keeps the matrix to a few seconds.
describe('the fidelity matrix', { concurrency: 4 }, () => {
for (const [name, fidelity] of SETTINGS) {
  describe(`key flows when ${name}`, () => {
    const world = freshWorlds({ emulator: { fidelity } satisfies EmulatorOptions });
    const legacyNames = fidelity.namePattern === 'legacy';

    it('create: one account with the five roles and one key', async () => {
      const w = await world();
      const doc = json(await w.cli(['create', '--folder-id', w.ids.folderId, '--json'], FAST));
      const sa = w.emu.state.serviceAccounts().find((a) => a.id === doc.service_account.id);
      assert.equal(sa?.labels['managed-by'], 'aistudio-key');
      assert.deepEqual(rolesOf(w, sa.id), [...PRESET_ROLES].sort());
      assert.deepEqual(w.emu.state.apiKeys().filter((k) => k.serviceAccountId === sa.id).map((k) => k.id), [doc.api_key.id]);
      assert.deepEqual(doc.roles, [...PRESET_ROLES]);
    });

    it('create --name after a lost answer to the account create: still exactly one account, never "taken"', async () => {
      const w = await world();
      w.emu.inject('ServiceAccountService/Create', { kind: 'lost-answer' });
      const before = w.emu.state.serviceAccounts().length;
      const r = await w.cli(['create', '--folder-id', w.ids.folderId, '--name', 'lost-answer-bot', '--json'], FAST);
      const doc = json(r);
      const mine = w.emu.state.serviceAccounts().filter((a) => a.name === 'lost-answer-bot');
      assert.deepEqual(mine.map((a) => a.id), [doc.service_account.id]);
      assert.equal(w.emu.state.serviceAccounts().length, before + 1);
      assert.doesNotMatch(r.stderr, /already exists|taken/);
    });

    it('create with a generated name after a lost answer: no second account', async () => {
      const w = await world();
      w.emu.inject('ServiceAccountService/Create', { kind: 'lost-answer' });
      const before = w.emu.state.serviceAccounts().length;
      const doc = json(await w.cli(['create', '--folder-id', w.ids.folderId, '--json'], FAST));
      assert.equal(w.emu.state.serviceAccounts().length, before + 1);
      assert.ok(w.emu.state.serviceAccounts().some((a) => a.id === doc.service_account.id));
    });

    it('create --count 3: three accounts, each with its roles and key', async () => {
      const w = await world();
      const docs = json(await w.cli(['create', '--folder-id', w.ids.folderId, '--count', '3', '--json'], FAST)) as unknown as Doc[];
      assert.equal(docs.length, 3);
      for (const d of docs) assert.deepEqual(rolesOf(w, d.service_account.id), [...PRESET_ROLES].sort());
    });

    it('create that fails after the account exists leaves nothing behind', async () => {
      const w = await world();
      const before = snapshot(w);
      w.emu.inject('ApiKeyService/Create', { kind: 'error', code: 'PERMISSION_DENIED' });
      const r = await w.cli(['create', '--folder-id', w.ids.folderId, '--json'], FAST);
      assert.equal(r.exitCode, 3, r.stderr);
      assert.equal(snapshot(w), before);
      assert.doesNotMatch(r.stderr, /Could not clean up/);
    });

    it(`create --name with a 2-character name: ${legacyNames ? 'the cloud refuses it, nothing is left' : 'made'}`, async () => {
      const w = await world();
      const before = snapshot(w);
      const r = await w.cli(['create', '--folder-id', w.ids.folderId, '--name', 'z9', '--json'], FAST);
      if (legacyNames) {
        assert.equal(r.exitCode, 1, r.stderr);
        assert.match(r.stderr, /invalid resource name/);
        assert.equal(snapshot(w), before);
      } else {
        assert.equal(json(r).service_account.name, 'z9');
      }
    });

    it('rotate: a new key on the same account, the old one revoked', async () => {
      const w = await world();
      const doc = json(await w.cli(['rotate', SEED.keyA1, '--json'], FAST));
      assert.deepEqual(doc.revoked, [SEED.keyA1]);
      const keys = w.emu.state.apiKeys();
      assert.ok(!keys.some((k) => k.id === SEED.keyA1));
      assert.equal(keys.find((k) => k.id === doc.api_key.id)?.serviceAccountId, SEED.botA);
    });

    it('ensure: creates account, roles, key and secret; the next run changes nothing', async () => {
      const w = await world();
      const argv = ['ensure', '--folder-id', w.ids.folderId, '--service-account', 'ensure-bot', '--to-lockbox', 'ensure-secret', '--json'];
      const first = json(await w.cli(argv, FAST));
      assert.equal(first.status, 'rotated');
      const sa = w.emu.state.serviceAccounts().filter((a) => a.name === 'ensure-bot');
      assert.equal(sa.length, 1);
      assert.deepEqual(rolesOf(w, sa[0]?.id ?? ''), [...PRESET_ROLES].sort());
      const mutations = w.emu.mutations().length;
      assert.equal(json(await w.cli(argv, FAST)).status, 'up-to-date');
      assert.equal(w.emu.mutations().length, mutations);
    });

    it('ensure after a lost answer to the secret create: the secret holds the live key it reports', async () => {
      const w = await world();
      w.emu.inject('SecretService/Create', { kind: 'lost-answer' });
      const doc = json(await w.cli(['ensure', '--folder-id', w.ids.folderId, '--service-account', 'ensure-bot', '--to-lockbox', 'ensure-secret', '--json'], FAST));
      assert.equal(doc.status, 'rotated');
      const held = w.emu.state.lockboxSecrets().filter((s) => s.name === 'ensure-secret').map((s) => s.payload['api-key-id']);
      assert.deepEqual(held, [doc.api_key.id]);
      assert.ok(w.emu.state.apiKeys().some((k) => k.id === doc.api_key.id), 'the key in the secret is live');
    });
  });
}

});

describe('a used-up quota is told from a rate limit in every style', () => {
  for (const quotaError of ['wording', 'quota-failure', 'wording-metric'] as const) {
    const seeded = keysFixture();
    const world = freshWorlds({ fixture: seeded, emulator: { fidelity: { quotaError }, quotas: { serviceAccountsPerCloud: seeded.fixture.serviceAccounts?.length ?? 0 } } });
    it(`${quotaError}: one attempt, exit 1, says a quota is used up`, async () => {
      const w = await world();
      const r = await w.cli(['create', '--folder-id', w.ids.folderId], FAST);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stderr, /a quota of the cloud is used up/);
      assert.equal(w.emu.calls('ServiceAccountService/Create').length, 1, 'a quota is not retried');
    });
  }

  it('a rate limit (RESOURCE_EXHAUSTED "Request limit exceeded") is retried', async () => {
    const w = await freshWorlds()();
    w.emu.inject('ServiceAccountService/Create', { kind: 'error', code: 'RESOURCE_EXHAUSTED' });
    json(await w.cli(['create', '--folder-id', w.ids.folderId, '--json'], { target: { backoff: { baseMs: 1, maxMs: 4 } } }));
    assert.equal(w.emu.calls('ServiceAccountService/Create').length, 2);
  });
});

describe('roles: RoleService before any change, and "you may only grant roles you hold"', () => {
  /** ci-robot holds resource-manager.admin, iam.serviceAccounts.admin and ai.editor instead of admin. */
  function limitedRobot(): ReturnType<typeof keysFixture> {
    const seeded = keysFixture();
    const folder = seeded.fixture.folders.find((f) => f.id === seeded.ids.folderId);
    if (folder?.bindings) {
      folder.bindings = folder.bindings.filter((b) => b.subject.id !== seeded.ids.serviceAccountId);
      for (const roleId of ['resource-manager.admin', 'iam.serviceAccounts.admin', 'ai.editor']) {
        folder.bindings.push({ roleId, subject: { type: 'serviceAccount', id: seeded.ids.serviceAccountId } });
      }
    }
    return seeded;
  }
  const limited = freshWorlds({ fixture: limitedRobot() });
  const admin = freshWorlds();
  const asRobot = (w: KeysWorld): RunCliOptions => ({ ...FAST, env: { YC_IAM_TOKEN: undefined, YC_SERVICE_ACCOUNT_KEY_FILE: JSON.stringify(w.ids.authorizedKey) } });

  it('a role the caller does not hold: exit 3 naming it, nothing left behind', async () => {
    const w = await limited();
    const before = snapshot(w);
    const r = await w.cli(['create', '--folder-id', w.ids.folderId], asRobot(w));
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /You may not grant role serverless\.mcpGateways\.invoker/);
    assert.equal(snapshot(w), before);
  });

  it('only roles it holds: made', async () => {
    const w = await limited();
    const doc = json(await w.cli(['create', '--folder-id', w.ids.folderId, '--roles', 'ai.editor', '--json'], asRobot(w)));
    assert.deepEqual(rolesOf(w, doc.service_account.id), ['ai.editor']);
  });

  it('--dry-run and whoami warn, naming the roles beyond the caller\'s own, and change nothing', async () => {
    const w = await limited();
    const plan = await w.cli(['create', '--folder-id', w.ids.folderId, '--dry-run'], asRobot(w));
    assert.equal(plan.exitCode, 0, plan.stderr);
    assert.match(plan.stderr, /do not include serverless\.mcpGateways\.invoker, serverless\.mcpGateways\.anonymousInvoker, serverless\.workflows\.executor, search-api\.webSearch\.user/);
    assert.doesNotMatch(plan.stderr, /include ai\.editor/);
    const who = await w.cli(['whoami', '--folder-id', w.ids.folderId], asRobot(w));
    assert.equal(who.exitCode, 0, who.stderr);
    assert.match(who.stdout + who.stderr, /do not include serverless\.mcpGateways\.invoker/);
    assert.deepEqual(w.emu.mutations(), []);
  });

  it('an admin gets no such warning', async () => {
    const w = await admin();
    const plan = await w.cli(['create', '--folder-id', w.ids.folderId, '--dry-run'], { ...FAST, env: { YC_IAM_TOKEN: undefined, YC_SERVICE_ACCOUNT_KEY_FILE: JSON.stringify(w.ids.authorizedKey) } });
    assert.equal(plan.exitCode, 0, plan.stderr);
    assert.doesNotMatch(plan.stderr, /do not include/);
  });

  for (const dry of [false, true]) {
    it(`an unknown --roles value is exit 2 naming it before any change${dry ? ' (--dry-run)' : ''}`, async () => {
      const w = await admin();
      const r = await w.cli(['create', '--folder-id', w.ids.folderId, '--roles', 'ai.editor,ai.datasets.editr', ...(dry ? ['--dry-run'] : [])], FAST);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /--roles: the cloud knows no role "ai\.datasets\.editr"/);
      assert.deepEqual(w.emu.mutations(), []);
      assert.equal(w.emu.calls('RoleService/Get').length, 1, 'only the role outside the preset is looked up');
    });
  }

  it('a real role outside the old closed list (ai.datasets.editor) is granted', async () => {
    const w = await admin();
    const doc = json(await w.cli(['create', '--folder-id', w.ids.folderId, '--roles', 'ai.datasets.editor', '--json'], FAST));
    assert.deepEqual(rolesOf(w, doc.service_account.id), ['ai.datasets.editor']);
  });

  it('the preset roles cost no RoleService call', async () => {
    const w = await admin();
    json(await w.cli(['create', '--folder-id', w.ids.folderId, '--json'], FAST));
    assert.equal(w.emu.calls('RoleService/Get').length, 0);
  });
});

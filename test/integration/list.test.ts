/**
 * `list` for real: the CLI in-process -> src/cloud/connect.ts -> the emulator. Managed accounts only
 * by default, --all, --service-account, --expiring-within (exit 5 with the list still on stdout),
 * paging past 100 and past 1,000 keys, no secret anywhere, and never a mutation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_SCOPES } from '../../src/core/preset.js';
import { EXIT_CODES } from '../../src/errors.js';
import type { SeedApiKey } from '../emulator/index.js';
import { DAY, keysFixture, keysWorld, MANAGED, SEED, type KeysWorld } from '../helpers/keys-world.js';

interface KeyDoc {
  id: string;
  service_account_id: string;
  service_account_name: string;
  description: string;
  scopes: string[];
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}

const parse = (stdout: string): KeyDoc[] => JSON.parse(stdout) as KeyDoc[];

describe('aistudio-key list against the emulator', () => {
  let w: KeysWorld;
  before(async () => {
    w = await keysWorld();
  });
  after(() => w.emu.stop());

  /** Every run here must leave the cloud unchanged and print no secret. */
  async function list(argv: string[], opts: Parameters<KeysWorld['cli']>[1] = {}) {
    const res = await w.cli(['list', ...argv], opts);
    assert.deepEqual(w.emu.mutations(), [], 'list changed nothing');
    w.assertNoSecrets(res);
    return res;
  }

  test('prints the keys of managed accounts as JSON: the documented fields, sorted by account', async () => {
    const res = await list(['--folder-id', w.ids.folderId, '--format', 'json']);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(res.stderr, '');
    const docs = parse(res.stdout);
    assert.deepEqual(docs.map((d) => [d.id, d.service_account_name]), [
      [SEED.keyA1, 'bot-a'],
      [SEED.keyA2, 'bot-a'],
      [SEED.keyB1, 'bot-b'],
    ]);
    const a1 = docs[0];
    assert.deepEqual(Object.keys(a1 ?? {}), ['id', 'service_account_id', 'service_account_name', 'description', 'scopes', 'created_at', 'expires_at', 'last_used_at']);
    assert.equal(a1?.service_account_id, SEED.botA);
    assert.equal(a1?.description, 'a1');
    assert.deepEqual(a1?.scopes, [...PRESET_SCOPES]);
    assert.match(a1?.created_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.match(a1?.expires_at ?? '', /Z$/);
    assert.equal(docs[2]?.expires_at, null, 'a key without expiry');
    assert.equal(a1?.last_used_at, null);
    assert.ok(!res.stdout.includes('AQVN'), 'no secret, not even a masked one');
  });

  test('text: an aligned table on stdout, the summary and the --all hint on stderr', async () => {
    const res = await list(['--folder-id', w.ids.folderId]);
    assert.equal(res.exitCode, 0);
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^KEY ID +SERVICE ACCOUNT +DESCRIPTION +SCOPES +CREATED +EXPIRES +LAST USED$/);
    assert.equal(lines.length, 4);
    assert.match(lines[1] ?? '', new RegExp(`^${SEED.keyA1} +bot-a +a1 +preset +\\d{4}-\\d\\d-\\d\\d +\\d{4}-\\d\\d-\\d\\d \\(in [45]d\\) +never$`));
    assert.match(lines[3] ?? '', /bot-b +b1 +preset\+yc\.serverless\.mcpGateways\.invoke .* never +never$/);
    const col = (lines[0] ?? '').indexOf('SCOPES');
    for (const l of lines.slice(1)) assert.equal(l.slice(col, col + 6), 'preset', 'SCOPES column aligned');
    assert.match(res.stderr, /^3 API keys in 2 service accounts made by aistudio-key in folder \w+\.\n2 other service accounts in the folder were not made by aistudio-key; --all lists their keys too\.\n$/);
  });

  test('--all adds the keys of accounts aistudio-key did not make; --folder-name resolves the folder', async () => {
    const res = await list(['--folder-name', w.ids.folderName, '--all', '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.deepEqual(parse(res.stdout).map((d) => d.id), [SEED.keyA1, SEED.keyA2, SEED.keyB1, SEED.legacyKey]);
  });

  test('--service-account by name or by ID (no folder needed by ID); an unknown one is exit 1', async () => {
    let res = await list(['--folder-id', w.ids.folderId, '--service-account', 'bot-b', '--json']);
    assert.deepEqual(parse(res.stdout).map((d) => d.id), [SEED.keyB1]);
    res = await list(['--service-account', w.ids.foreignServiceAccountId, '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.deepEqual(parse(res.stdout).map((d) => d.id), [SEED.legacyKey]);
    res = await list(['--folder-id', w.ids.folderId, '--service-account', 'no-such-bot']);
    assert.equal(res.exitCode, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /No service account with ID or name "no-such-bot" in folder/);
  });

  test('--expiring-within: prints the matching keys, then exits 5 with an alarm on stderr', async () => {
    let res = await list(['--folder-id', w.ids.folderId, '--expiring-within', '7d', '--json']);
    assert.equal(res.exitCode, EXIT_CODES.keysExpiring);
    assert.deepEqual(parse(res.stdout).map((d) => d.id), [SEED.keyA1], 'unmanaged legacy key not included without --all');
    const err = JSON.parse(res.stderr) as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'keys_expiring');
    assert.match(err.error.message, new RegExp(`^1 API key expires within 7d: ${SEED.keyA1} \\(bot-a, expires `));

    res = await list(['--folder-id', w.ids.folderId, '--all', '--expiring-within', '1w']);
    assert.equal(res.exitCode, 5);
    assert.equal(res.stdout.trimEnd().split('\n').length, 3, 'header and two rows');
    assert.match(res.stderr, /^2 API keys of 4 expire within 1w \(by .*\)/m);
    assert.match(res.stderr, /^Error: 2 API keys expire within 1w: /m);

    res = await list(['--folder-id', w.ids.folderId, '--all', '--expiring-within', '2d', '--json']);
    assert.equal(res.exitCode, 0, 'nothing expires within 2 days');
    assert.deepEqual(parse(res.stdout), []);
  });

  test('bad input is exit 2 before any call', async () => {
    const before = w.emu.journal.length;
    for (const [argv, pattern] of [
      [['--expiring-within', 'soon'], /^Error: --expiring-within: expected a duration like 14d/],
      [['--all', '--service-account', 'bot-a'], /^Error: --all and --service-account: pass only one of them/],
      [['--service-account', 'Bot A'], /^Error: --service-account: expected a service account ID/],
      [['--folder-id', 'default'], /^Error: --folder-id: expected a folder ID/],
    ] as Array<[string[], RegExp]>) {
      const res = await list(argv);
      assert.equal(res.exitCode, 2, argv.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, pattern);
    }
    const res = await list([]);
    assert.equal(res.exitCode, 2);
    assert.match(res.stderr, /no folder given; pass --folder-id/);
    assert.equal(w.emu.journal.length, before, 'no call at all');
  });

  test('a viewer may list; an outsider gets exit 3', async () => {
    let res = await list(['--folder-id', w.ids.folderId, '--json'], { env: { YC_IAM_TOKEN: w.ids.viewerIamToken } });
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(parse(res.stdout).length, 3);
    res = await list(['--folder-id', w.ids.folderId], { env: { YC_IAM_TOKEN: w.ids.outsiderIamToken } });
    assert.equal(res.exitCode, 3);
    assert.equal(res.stdout, '');
  });
});

describe('list pages through many keys', () => {
  const running: KeysWorld[] = [];
  after(() => Promise.all(running.map((w) => w.emu.stop())));

  async function bulk(count: number): Promise<KeysWorld> {
    const seeded = keysFixture();
    const bulkSa = 'ajebulkbulkbulkbulk1';
    seeded.fixture.serviceAccounts?.push({ id: bulkSa, folderId: seeded.ids.folderId, name: 'bulk-bot', labels: { ...MANAGED } });
    const keys: SeedApiKey[] = Array.from({ length: count }, (_, i) => ({
      id: `ajebulk${String(i).padStart(13, '0')}`,
      serviceAccountId: bulkSa,
      description: `bulk ${i}`,
      scopes: ['yc.ai.languageModels.execute'],
      expiresAt: new Date(Date.now() + (i + 1) * DAY),
    }));
    seeded.fixture.apiKeys?.push(...keys);
    const w = await keysWorld({ fixture: seeded });
    running.push(w);
    return w;
  }

  test('120 keys on one account: all of them (more than the API default page of 100)', async () => {
    const w = await bulk(120);
    const res = await w.cli(['list', '--service-account', 'bulk-bot', '--folder-id', w.ids.folderId, '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    const docs = parse(res.stdout);
    assert.equal(docs.length, 120);
    assert.equal(new Set(docs.map((d) => d.id)).size, 120);
    assert.deepEqual(w.emu.mutations(), []);
  });

  test('1,050 keys: two ApiKeyService.List pages, the second asked for with the first page\'s token', async () => {
    const w = await bulk(1050);
    const res = await w.cli(['list', '--folder-id', w.ids.folderId, '--json', '--expiring-within', '10d']);
    assert.equal(res.exitCode, 5);
    assert.equal(parse(res.stdout).length, 10 + 1, 'ten bulk keys and bot-a\'s five-day key');
    const pages = w.emu.calls('ApiKeyService/List').filter((e) => (e.request as { serviceAccountId: string }).serviceAccountId === 'ajebulkbulkbulkbulk1');
    assert.equal(pages.length, 2);
    const [first, second] = pages.map((e) => e.request as { pageToken: string; pageSize: string | number });
    assert.equal(first?.pageToken, '');
    assert.notEqual(second?.pageToken, '');
    const all = await w.cli(['list', '--service-account', 'ajebulkbulkbulkbulk1', '--json']);
    assert.equal(parse(all.stdout).length, 1050);
  });
});

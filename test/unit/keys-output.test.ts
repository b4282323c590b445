/** Renderers of list, revoke, scopes and config, the scope report, and the completion scripts' quoting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionScript, type CompletionSpec } from '../../src/core/completion.js';
import type { ListedKey } from '../../src/core/list-keys.js';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import type { RevokeKeysResult } from '../../src/core/revoke-keys.js';
import { describeScopes } from '../../src/core/scopes.js';
import { AuthError } from '../../src/errors.js';
import { configText } from '../../src/output/config.js';
import { listDocument, listText, scopesSummary, type ListOutcome } from '../../src/output/list.js';
import { revokeDocument, revokeText } from '../../src/output/revoke.js';
import { scopesDocument, scopesText } from '../../src/output/scopes.js';
import { createStyle } from '../../src/output/style.js';
import type { TextSink } from '../../src/output/text.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY = 86_400_000;

function sink(): TextSink & { lines: string[]; notes: string[] } {
  const lines: string[] = [];
  const notes: string[] = [];
  return { lines, notes, line: (l) => lines.push(l), note: (n) => notes.push(n), style: createStyle(false) };
}

function listed(over: Partial<ListedKey>): ListedKey {
  return {
    id: 'ajekey00000000000001',
    serviceAccountId: 'ajesa000000000000001',
    serviceAccountName: 'alpha-bot',
    description: 'AI Studio API key (created by aistudio-key)',
    scopes: [...PRESET_SCOPES],
    createdAt: new Date(NOW.getTime() - 30 * DAY),
    expiresAt: new Date(NOW.getTime() + 60 * DAY),
    lastUsedAt: undefined,
    ...over,
  };
}

function outcome(keys: ListedKey[], over: Partial<ListOutcome> = {}): ListOutcome {
  return { selection: { kind: 'managed' }, folderId: 'b1gfolder00000000001', accounts: [], unmanagedAccounts: 2, keys, totalKeys: keys.length, expiring: undefined, now: NOW, expiringText: undefined, ...over };
}

test('list json: the documented fields, RFC 3339 times or null, nothing else', () => {
  const doc = listDocument(outcome([listed({ lastUsedAt: new Date('2026-11-26T08:30:00.000Z'), expiresAt: undefined })]));
  assert.deepEqual(doc, [
    {
      id: 'ajekey00000000000001',
      service_account_id: 'ajesa000000000000001',
      service_account_name: 'alpha-bot',
      description: 'AI Studio API key (created by aistudio-key)',
      scopes: [...PRESET_SCOPES],
      created_at: '2026-10-28T12:00:00Z',
      expires_at: null,
      last_used_at: '2026-11-26T08:30:00Z',
    },
  ]);
});

test('list text: an aligned table on stdout, the summary on stderr', () => {
  const out = sink();
  listText(
    outcome([
      listed({}),
      listed({ id: 'ajekey00000000000002', serviceAccountName: 'a-much-longer-account-name', expiresAt: new Date(NOW.getTime() - 2 * DAY), scopes: ['yc.ai.translate.execute'], description: 'x'.repeat(60) }),
      listed({ id: 'ajekey00000000000003', expiresAt: undefined, lastUsedAt: new Date('2026-11-20T00:00:00Z'), scopes: [...PRESET_SCOPES, 'yc.serverless.mcpGateways.invoke'] }),
    ]),
    out,
  );
  assert.equal(out.lines.length, 4);
  const [header, ...rows] = out.lines;
  assert.match(header ?? '', /^KEY ID +SERVICE ACCOUNT +DESCRIPTION +SCOPES +CREATED +EXPIRES +LAST USED$/);
  const col = (name: string): number => (header ?? '').indexOf(name);
  for (const r of rows) {
    assert.equal(r.indexOf('2026-10-28'), col('CREATED'), 'CREATED column aligned');
    assert.equal(r, r.trimEnd(), 'no trailing blanks');
  }
  assert.match(rows[0] ?? '', /preset +2026-10-28 +2027-01-26 \(in 60d\) +never$/);
  assert.match(rows[1] ?? '', /x{39}… +yc\.ai\.translate\.execute +2026-10-28 +2026-11-25 \(expired 2d ago\)/);
  assert.match(rows[2] ?? '', /preset\+yc\.serverless\.mcpGateways\.invoke +2026-10-28 +never +2026-11-20$/);
  assert.deepEqual(out.notes, [
    '3 API keys in 0 service accounts made by aistudio-key in folder b1gfolder00000000001.',
    '2 other service accounts in the folder were not made by aistudio-key; --all lists their keys too.',
  ]);
});

test('list text: nothing on stdout when there are no keys; the expiry summary names the window', () => {
  const out = sink();
  listText(outcome([], { expiring: { withinMs: 14 * DAY, before: new Date(NOW.getTime() + 14 * DAY) }, expiringText: '14d', totalKeys: 5, unmanagedAccounts: 0 }), out);
  assert.deepEqual(out.lines, []);
  assert.deepEqual(out.notes, ['0 API keys of 5 expire within 14d (by 2026-12-11T12:00:00Z), in 0 service accounts made by aistudio-key in folder b1gfolder00000000001.']);
  assert.equal(scopesSummary([]), '-');
  assert.equal(scopesSummary(['yc.ai.translate.execute', 'yc.ai.vision.execute']), 'yc.ai.translate.execute,yc.ai.vision.execute');
});

const SA = { id: 'ajesa000000000000001', folderId: 'b1gfolder00000000001', name: 'alpha-bot', description: '', labels: {}, createdAt: NOW };
const KEY = { id: 'ajekey00000000000001', serviceAccountId: SA.id, description: '', scopes: [], createdAt: NOW, expiresAt: undefined, lastUsedAt: undefined };

test('revoke: revoked and deleted on stdout; already-gone and kept as notes; json per item', () => {
  const result: RevokeKeysResult = {
    keys: [
      { status: 'revoked', id: KEY.id, apiKey: KEY },
      { status: 'already-gone', id: 'ajekey00000000000009' },
      { status: 'failed', id: 'ajekey00000000000008', error: new AuthError('You may not delete API key ajekey00000000000008.', { code: 'permission_denied' }) },
    ],
    serviceAccounts: [
      { status: 'deleted', serviceAccount: SA, removedBindings: [{ roleId: 'ai.editor', subject: { type: 'serviceAccount', id: SA.id } }] },
      { status: 'kept', serviceAccount: { ...SA, id: 'ajesa000000000000002', name: 'legacy' }, reason: 'not-managed', otherKeys: [] },
      { status: 'kept', serviceAccount: { ...SA, id: 'ajesa000000000000003', name: 'busy' }, reason: 'has-other-keys', otherKeys: ['ajekey00000000000007'] },
    ],
    adoptedRoles: [],
  };
  const out = sink();
  revokeText(result, out);
  assert.deepEqual(out.lines, [
    'Revoked API key ajekey00000000000001 (service account alpha-bot ajesa000000000000001)',
    'Deleted service account alpha-bot (ajesa000000000000001) and its 1 role on folder b1gfolder00000000001 (ai.editor)',
  ]);
  assert.deepEqual(out.notes, [
    'API key ajekey00000000000009 was not found: already revoked, or not visible to this credential. Nothing to do.',
    'Kept service account legacy (ajesa000000000000002): aistudio-key did not make it (it lacks the managed-by=aistudio-key label), so it may serve something else.',
    'Kept service account busy (ajesa000000000000003): it still holds 1 other API key (ajekey00000000000007).',
  ]);
  const doc = revokeDocument(result);
  assert.deepEqual(doc.keys.map((k) => [k.id, k.status, k.service_account_id, k.error?.code ?? null]), [
    ['ajekey00000000000001', 'revoked', SA.id, null],
    ['ajekey00000000000009', 'already-gone', null, null],
    ['ajekey00000000000008', 'failed', null, 'permission_denied'],
  ]);
  assert.deepEqual(doc.service_accounts.map((a) => [a.id, a.status, a.reason, a.removed_roles, a.other_keys]), [
    [SA.id, 'deleted', null, ['ai.editor'], []],
    ['ajesa000000000000002', 'kept', 'not-managed', [], []],
    ['ajesa000000000000003', 'kept', 'has-other-keys', [], ['ajekey00000000000007']],
  ]);
});

test('scopes: the preset with what each unlocks, the MCP/workflows caveat, and the cloud list marked', () => {
  const r = describeScopes([...PRESET_SCOPES, 'yc.monitoring.read', 'yc.brand-new.scope', 'yc.ai.translate.execute']);
  assert.equal(r.source, 'cloud');
  assert.deepEqual(r.preset.scopes.map((s) => s.scope), [...PRESET_SCOPES]);
  for (const s of r.preset.scopes) assert.ok(s.unlocks, `${s.scope} has a description`);
  assert.deepEqual(r.preset.roles.map((x) => x.role), [...PRESET_ROLES]);
  for (const x of r.preset.roles) assert.ok(x.grants, `${x.role} has a description`);
  assert.deepEqual(r.available.map((s) => s.scope), [...[...PRESET_SCOPES].sort(), 'yc.brand-new.scope', 'yc.monitoring.read'], 'preset first, no duplicates');
  assert.deepEqual(r.available.find((s) => s.scope === 'yc.brand-new.scope'), { scope: 'yc.brand-new.scope', inPreset: false, unlocks: undefined, accepted: false });
  assert.deepEqual(r.presetNotOffered, []);
  assert.deepEqual([...new Set(r.roleWithoutScope.map((x) => x.scope))], ['yc.serverless.mcpGateways.invoke', 'yc.serverless.workflows.execute']);
  assert.deepEqual(describeScopes(['yc.ai.translate.execute']).presetNotOffered.length, PRESET_SCOPES.length - 1);

  const doc = scopesDocument(r);
  assert.deepEqual(Object.keys(doc), ['preset', 'available', 'source', 'preset_scopes_not_offered', 'roles_without_scope']);
  assert.deepEqual(doc.available.find((s) => s.scope === 'yc.ai.translate.execute'), { scope: 'yc.ai.translate.execute', in_preset: true, unlocks: 'text translation', accepted_by_create: true });

  const out = sink();
  scopesText(r, out);
  const text = out.lines.join('\n');
  assert.match(text, /^ {2}yc\.ai\.translate\.execute +text translation$/m);
  assert.match(text, /^ {2}ai\.editor +use of Yandex Translate/m);
  assert.match(text, /yc\.serverless\.mcpGateways\.invoke.*not in the preset/);
  assert.match(text, /^ {2}yc\.brand-new\.scope +not accepted by create --scopes yet$/m);
  assert.match(text, /^Every scope the cloud offers \(ApiKeyService\.ListScopes\): 11$/m);
  for (const l of out.lines) assert.equal(l, l.trimEnd());
});

test('config text: get prints the bare value; set and unset only confirm on stderr', () => {
  let out = sink();
  configText({ action: 'get', key: 'folder-id', value: 'b1g0123456789abcdefg', path: '/c.json' }, out);
  assert.deepEqual([out.lines, out.notes], [['b1g0123456789abcdefg'], []]);
  out = sink();
  configText({ action: 'set', key: 'folder-id', value: 'b1g0123456789abcdefg', cleared: 'folder-name', path: '/c.json' }, out);
  assert.deepEqual(out.lines, []);
  assert.equal(out.notes.length, 2);
  out = sink();
  configText({ action: 'list', values: [{ key: 'folder-id', value: 'b1g0123456789abcdefg' }, { key: 'expires-in', value: '30d' }, { key: 'format', value: undefined }], path: '/c.json' }, out);
  assert.deepEqual(out.lines, ['folder-id   b1g0123456789abcdefg', 'expires-in  30d']);
});

test("completion scripts quote descriptions with quotes, brackets and colons", () => {
  const spec: CompletionSpec = {
    program: 'aistudio-key',
    globalOptions: [{ names: ['--weird'], description: `it's [odd]: "very" \\ odd`, value: 'any' }],
    commands: [{ name: 'x', description: "don't: panic", options: [{ names: ['-y', '--yes'], description: 'y', value: 'none' }], args: [{ name: 'what', variadic: false, choices: ['a', 'b'] }] }],
  };
  const zsh = completionScript(spec, 'zsh');
  assert.ok(zsh.includes(`'--weird[it'\\''s \\[odd\\]\\: "very" \\\\ odd]:value: '`), zsh);
  assert.ok(zsh.includes(`'x:don'\\''t: panic'`));
  assert.ok(zsh.includes(`'(-y --yes)'{-y,--yes}'[y]'`));
  assert.ok(zsh.includes(`'1:what:(a b)'`));
  const fish = completionScript(spec, 'fish');
  assert.ok(fish.includes(`-d 'it\\'s [odd]: "very" \\\\ odd'`), fish);
  assert.ok(fish.includes(`complete -c aistudio-key -n '__aistudio_key_arg x 0' -a 'a b'`));
  const bash = completionScript(spec, 'bash');
  assert.ok(bash.includes('--weird) return 0 ;;'));
  assert.ok(bash.includes('0) args="a b" ;;'));
});

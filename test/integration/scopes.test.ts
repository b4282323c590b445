/**
 * `scopes` against the emulator: the preset with what each scope and role is for, and every scope
 * ApiKeyService.ListScopes returns, marked; --offline needs neither a credential nor the cloud.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESET_ROLES, PRESET_SCOPES } from '../../src/core/preset.js';
import { KNOWN_SCOPES as CLOUD_SCOPES } from '../emulator/index.js';
import { keysWorld, type KeysWorld } from '../helpers/keys-world.js';
import { runCli } from '../helpers/run-cli.js';

interface ScopesDoc {
  preset: { scopes: Array<{ scope: string; unlocks: string | null }>; roles: Array<{ role: string; grants: string | null }> };
  available: Array<{ scope: string; in_preset: boolean; unlocks: string | null; accepted_by_create: boolean }>;
  source: string;
  preset_scopes_not_offered: string[];
  roles_without_scope: Array<{ role: string; scope: string }>;
}

describe('aistudio-key scopes', () => {
  let w: KeysWorld;
  before(async () => {
    w = await keysWorld();
  });
  after(() => w.emu.stop());

  test('json: the preset with descriptions, and every scope the cloud lists, preset ones marked', async () => {
    const res = await w.cli(['scopes', '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    const doc = JSON.parse(res.stdout) as ScopesDoc;
    assert.equal(doc.source, 'cloud');
    assert.deepEqual(doc.preset.scopes.map((s) => s.scope), [...PRESET_SCOPES]);
    assert.ok(doc.preset.scopes.every((s) => s.unlocks), 'each preset scope says what it unlocks');
    assert.deepEqual(doc.preset.roles.map((r) => r.role), [...PRESET_ROLES]);
    assert.ok(doc.preset.roles.every((r) => r.grants));
    assert.deepEqual(doc.available.map((s) => s.scope).sort(), [...new Set(CLOUD_SCOPES)].sort());
    assert.deepEqual(doc.available.filter((s) => s.in_preset).map((s) => s.scope).sort(), [...PRESET_SCOPES].sort());
    assert.deepEqual(doc.preset_scopes_not_offered, []);
    assert.deepEqual(
      doc.roles_without_scope.map((r) => `${r.role} -> ${r.scope}`),
      [
        'serverless.mcpGateways.invoker -> yc.serverless.mcpGateways.invoke',
        'serverless.mcpGateways.anonymousInvoker -> yc.serverless.mcpGateways.invoke',
        'serverless.workflows.executor -> yc.serverless.workflows.execute',
      ],
    );
    assert.equal(w.emu.calls('ApiKeyService/ListScopes').length, 1);
    assert.deepEqual(w.emu.mutations(), []);
  });

  test('text: sections for the preset scopes, the roles, the MCP/workflows note and the full list', async () => {
    const res = await w.cli(['scopes']);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.match(res.stdout, /^The AI Studio preset: scopes on the API key\n {2}yc\.ai\.imageGeneration\.execute +image generation\n/);
    assert.match(res.stdout, /^ {2}serverless\.workflows\.executor +running Yandex Workflows workflows$/m);
    assert.match(res.stdout, /^ {4}serverless\.workflows\.executor -> yc\.serverless\.workflows\.execute \(not in the preset\)$/m);
    assert.match(res.stdout, new RegExp(`^Every scope the cloud offers \\(ApiKeyService\\.ListScopes\\): ${new Set(CLOUD_SCOPES).size}$`, 'm'));
    assert.match(res.stdout, /^ {2}yc\.ai\.vision\.execute +image analysis \(Vision OCR\) +in the preset$/m);
    assert.match(res.stdout, /^ {2}yc\.monitoring\.manage$/m);
  });

  test('--offline: the built-in list, no credential and no connection needed', async () => {
    const res = await runCli(['scopes', '--offline', '--format', 'yaml']);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.deepEqual(res.connects, []);
    assert.match(res.stdout, /^source: built-in$/m);
    assert.match(res.stdout, /- scope: yc\.ai\.translate\.execute\n {4}in_preset: true/);
  });

  test('without a credential: exit 3, pointing at --offline', async () => {
    const res = await runCli(['scopes', '--endpoint', w.emu.endpoint, '--ca-file', w.emu.caFile]);
    assert.equal(res.exitCode, 3);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /aistudio-key scopes --offline/);
  });
});

/** How `scopes` looks: the preset (scopes, roles, the MCP/workflows caveat), then every scope on offer. */
import type { ScopesReport } from '../core/scopes.js';
import { table } from './table.js';
import type { TextSink } from './text.js';

export interface ScopesDocument {
  preset: {
    scopes: Array<{ scope: string; unlocks: string | null }>;
    roles: Array<{ role: string; grants: string | null }>;
  };
  available: Array<{ scope: string; in_preset: boolean; unlocks: string | null; accepted_by_create: boolean }>;
  /** "cloud": ApiKeyService.ListScopes; "built-in": aistudio-key's own list (--offline). */
  source: ScopesReport['source'];
  preset_scopes_not_offered: string[];
  roles_without_scope: Array<{ role: string; scope: string }>;
}

export function scopesDocument(r: ScopesReport): ScopesDocument {
  return {
    preset: {
      scopes: r.preset.scopes.map((s) => ({ scope: s.scope, unlocks: s.unlocks ?? null })),
      roles: r.preset.roles.map((x) => ({ role: x.role, grants: x.grants ?? null })),
    },
    available: r.available.map((s) => ({ scope: s.scope, in_preset: s.inPreset, unlocks: s.unlocks ?? null, accepted_by_create: s.accepted })),
    source: r.source,
    preset_scopes_not_offered: [...r.presetNotOffered],
    roles_without_scope: r.roleWithoutScope.map((x) => ({ ...x })),
  };
}

export function scopesText(r: ScopesReport, out: TextSink): void {
  const s = out.style;
  out.line(s.bold('The AI Studio preset: scopes on the API key'));
  for (const l of table(['SCOPE', 'UNLOCKS'], r.preset.scopes.map((x) => [x.scope, x.unlocks ?? '']), s).slice(1)) out.line(`  ${l}`);
  out.line('');
  out.line(s.bold("The AI Studio preset: roles of the service account on the folder"));
  for (const l of table(['ROLE', 'GRANTS'], r.preset.roles.map((x) => [x.role, x.grants ?? '']), s).slice(1)) out.line(`  ${l}`);
  if (r.roleWithoutScope.length > 0) {
    out.line('');
    out.line('  Note: the key lacks scopes that roles of the preset are for:');
    for (const scope of new Set(r.roleWithoutScope.map((x) => x.scope))) {
      const roles = r.roleWithoutScope.filter((x) => x.scope === scope).map((x) => x.role);
      out.line(`    ${roles.join(', ')} -> ${scope} (not in the preset)`);
    }
    out.line('  So the key by itself cannot call MCP gateways or run workflows (an IAM token of the account');
    out.line('  could). Add these scopes with `aistudio-key create --scopes` if it must.');
  }
  out.line('');
  const from = r.source === 'cloud' ? 'the cloud offers (ApiKeyService.ListScopes)' : "aistudio-key knows (built-in list, --offline)";
  out.line(s.bold(`Every scope ${from}: ${r.available.length}`));
  const rows = r.available.map((x) => {
    const marks = [x.inPreset ? 'in the preset' : '', x.accepted ? '' : 'not accepted by create --scopes yet'].filter(Boolean).join('; ');
    return [{ text: x.scope, paint: x.inPreset ? s.green : undefined }, x.unlocks ?? '', marks];
  });
  for (const l of table(['SCOPE', 'UNLOCKS', ''], rows, s).slice(1)) out.line(`  ${l.trimEnd()}`);
  if (r.presetNotOffered.length > 0) out.note(`The cloud did not list these preset scopes: ${r.presetNotOffered.join(', ')}.`);
}

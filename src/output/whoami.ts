/**
 * How `whoami` looks. The JSON document (snake_case, nulls rather than missing keys) is a contract
 * for scripts: `aistudio-key whoami --json | jq -r .create.verdict`.
 */
import { rfc3339 } from '../core/expiry.js';
import type { CreateAssessment, CreateCaveat, CreateNeed, WhoamiCheck, WhoamiResult } from '../core/whoami.js';
import type { TextSink } from './text.js';

export function whoamiDocument(r: WhoamiResult): Record<string, unknown> {
  const c = r.create;
  return {
    credential: { source: r.credential.source, kind: r.credential.kind, key_id: r.credential.keyId ?? null },
    subject: { type: r.subject.type, id: r.subject.id ?? null, name: r.subject.name ?? null },
    token_expires_at: r.tokenExpiresAt ? rfc3339(r.tokenExpiresAt) : null,
    endpoint: { address: r.endpoint.value, source: r.endpoint.source },
    folder: r.folder
      ? { id: r.folder.id ?? null, name: r.folder.name ?? null, cloud_id: r.folder.cloudId ?? null, given_as: r.folder.givenAs, source: r.folder.source }
      : null,
    defaults_from: r.defaultsSource ?? null,
    create: {
      verdict: c.verdict,
      reason: c.reason,
      folder_roles: c.folderRoles ?? null,
      needs: c.needs?.map((n) => ({ need: n.need, held_by: n.heldBy, any_of: [...n.anyOf] })) ?? null,
      capable_subjects: c.capableSubjects ?? null,
      caveats: c.caveats,
      ...(c.ungrantableRoles ? { ungrantable_roles: c.ungrantableRoles } : {}),
    },
    checks: r.checks.map((k) => ({ name: k.name, call: k.call, status: k.status, count: k.count ?? null, message: k.message ?? null })),
    clouds: r.clouds?.map((cl) => ({ id: cl.id, name: cl.name })) ?? null,
    tried: r.tried,
    checked_at: rfc3339(r.checkedAt),
  };
}

export function whoamiText(r: WhoamiResult, out: TextSink): void {
  const s = out.style;
  const rows: Array<[string, string]> = [
    ['Credential', credentialText(r)],
    ['Subject', subjectText(r)],
    ['Token expires', expiryText(r)],
    ['Endpoint', `${r.endpoint.value} (${r.endpoint.source})`],
    ['Folder', folderText(r)],
  ];
  if (r.clouds) rows.push(['Clouds', r.clouds.length ? r.clouds.map((c) => `${c.id} (${c.name})`).join(', ') : 'none visible']);
  rows.push(['Checks', r.checks.map(checkText).join('; ')]);
  const [verdict, ...more] = createLines(r);
  rows.push(['Can create', colourVerdict(r.create.verdict, verdict ?? '', s)]);
  for (const line of more) rows.push(['', line]);
  rows.push(['Tried', r.tried.join(', ')]);
  for (const [k, v] of rows) out.line(`${s.bold(k.padEnd(15))}${v}`);
  for (const caveat of r.create.caveats) out.note(caveatText(caveat, r.create));
  if (r.create.ungrantableRoles?.length) {
    out.note(`Your roles on the folder do not include ${r.create.ungrantableRoles.join(', ')}: the cloud lets you grant only roles you hold, so create may be refused them (roles on the cloud or organization are not visible here).`);
  }
}

const NEED_WORDS: Record<CreateNeed, string> = {
  'create-service-account': 'create the service account',
  'grant-roles': 'grant it roles on the folder',
  'issue-api-key': 'issue its API key',
};

function credentialText(r: WhoamiResult): string {
  const { kind, source, keyId } = r.credential;
  if (kind === 'sa-key') return `authorized key ${keyId ?? ''} from ${source}`;
  return `${kind === 'oauth-token' ? 'OAuth token' : 'IAM token'} from ${source}`;
}

function subjectText(r: WhoamiResult): string {
  const { type, id, name } = r.subject;
  if (type === 'serviceAccount' && id) return `service account ${name ? `${name} (${id})` : id}`;
  if (type === 'userAccount' && id) return `user account ${id}`;
  if (type === 'userAccount') return 'a Yandex account; unknown which (an OAuth token does not say)';
  return 'unknown (an IAM token does not say whose it is)';
}

function expiryText(r: WhoamiResult): string {
  if (!r.tokenExpiresAt) return r.credential.kind === 'iam-token' ? 'unknown (IAM tokens live at most 12 hours)' : 'unknown';
  const ms = r.tokenExpiresAt.getTime() - r.checkedAt.getTime();
  return `${rfc3339(r.tokenExpiresAt)} (${ms > 0 ? `in ${span(ms)}` : `expired ${span(-ms)} ago`})`;
}

function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const h = Math.floor(minutes / 60);
  return h > 0 ? `${h}h ${minutes % 60}m` : `${minutes}m`;
}

function folderText(r: WhoamiResult): string {
  const f = r.folder;
  if (!f) return 'none given';
  const what = f.id ? `${f.id}${f.name ? ` (${f.name})` : ''}` : `"${f.name ?? ''}" (not resolved)`;
  const cloud = f.cloudId ? ` in cloud ${f.cloudId}` : '';
  return `${what}${cloud}, from ${f.source}`;
}

function checkText(k: WhoamiCheck): string {
  if (k.status !== 'ok') return `${k.call}: ${k.status === 'denied' ? 'permission denied' : 'not found'}`;
  if (k.count === undefined) return `${k.call}: ok`;
  const noun = k.name === 'list-clouds' ? 'cloud' : 'binding';
  return `${k.call}: ok, ${k.count} ${noun}${k.count === 1 ? '' : 's'}`;
}

function createLines(r: WhoamiResult): string[] {
  const c = r.create;
  const folder = r.folder?.id ?? r.folder?.name ?? '';
  switch (c.reason) {
    case 'folder-roles-cover':
      return [`yes: roles on the folder: ${(c.folderRoles ?? []).join(', ')} (read-only check)`];
    case 'folder-roles-short': {
      const missing = (c.needs ?? []).filter((n) => n.heldBy.length === 0).map((n) => NEED_WORDS[n.need]);
      const roles = c.folderRoles?.length ? c.folderRoles.join(', ') : 'none';
      return [
        `not by its roles on the folder (${roles}): they do not allow it to ${missing.join(', ')}`,
        'create needs admin on the folder, or resource-manager.admin with editor',
      ];
    }
    case 'no-folder':
      return ['unknown: no folder given (--folder-id, --folder-name, YC_FOLDER_ID, or `aistudio-key config set folder-id`)'];
    case 'folder-not-found':
      return [r.folder?.id ? `no: folder ${folder} does not exist, or you may not see it` : `no: you can see no folder named "${folder}"`];
    case 'folder-denied':
      return [`no: you may not read folder ${folder} (any role that can grant roles on it can read it)`];
    case 'bindings-denied':
      return [`no: you may not read the access list of folder ${folder} (any role that can grant roles on it can read it)`];
    case 'subject-unknown': {
      const who = r.credential.kind === 'oauth-token' ? 'an OAuth token does not say which account it is' : 'an IAM token does not say whose it is';
      const able = c.capableSubjects?.length ? c.capableSubjects.join(', ') : 'nobody on the folder itself';
      return [`unknown: ${who}`, `able to, by the folder's own access list: ${able}`];
    }
  }
}

function colourVerdict(verdict: CreateAssessment['verdict'], text: string, s: TextSink['style']): string {
  if (verdict === 'yes') return s.green(text);
  if (verdict === 'no') return s.red(text);
  return s.yellow(text);
}

function caveatText(caveat: CreateCaveat, c: CreateAssessment): string {
  switch (caveat) {
    case 'inherited-roles':
      return 'Roles held on the cloud or the organization apply to the folder too, but are not in its access list: a read-only check cannot see them.';
    case 'group-bindings':
      return 'The folder grants roles to groups; whether you belong to one cannot be checked read-only.';
    case 'grant-own-permissions': {
      const via = c.needs?.find((n) => n.need === 'grant-roles')?.heldBy.join(', ') ?? '';
      return `You can grant only permissions you hold yourself; with ${via} rather than admin, the cloud may refuse some of the roles create grants.`;
    }
  }
}

/**
 * How `create` looks in each format. The JSON document is a contract: scripts run
 * `aistudio-key create --format json | jq -r .secret`, as with `yc iam api-key create --format json`.
 */
import type { CreateKeyPlan, CreateKeyResult } from '../core/create-key.js';
import type { CreateKeysPlan } from '../core/create-keys.js';
import { rfc3339 } from '../core/expiry.js';
import { formatComments, formatDotenv, formatEnv } from './formats.js';
import type { TextSink } from './text.js';

export type CreateOutcome =
  | { kind: 'created'; result: CreateKeyResult }
  | { kind: 'plan'; plan: CreateKeyPlan }
  /** `create --count N`, N > 1: one result per key, in order. */
  | { kind: 'created-many'; results: CreateKeyResult[] }
  | { kind: 'plan-many'; plan: CreateKeysPlan };

/**
 * A new key as printed. With --encrypt-to, `secretEncrypted` holds the age ciphertext (ASCII armour)
 * and `secret` is empty: every view shows the ciphertext and never the plaintext.
 */
export type Sealable = CreateKeyResult & { secretEncrypted?: string };

export interface CreatedDocument {
  /** Absent when the secret was encrypted (--encrypt-to). */
  secret?: string;
  /** --encrypt-to: the secret, age-encrypted, ASCII-armoured. */
  secret_encrypted?: string;
  api_key: {
    id: string;
    service_account_id: string;
    description: string;
    scopes: string[];
    created_at: string | null;
    expires_at: string | null;
  };
  service_account: { id: string; name: string; folder_id: string };
  roles: string[];
}

export function createdDocument(r: Sealable): CreatedDocument {
  return {
    ...(r.secretEncrypted !== undefined ? { secret_encrypted: r.secretEncrypted } : { secret: r.secret }),
    api_key: {
      id: r.apiKey.id,
      service_account_id: r.apiKey.serviceAccountId,
      description: r.apiKey.description,
      scopes: [...r.apiKey.scopes],
      created_at: r.apiKey.createdAt ? rfc3339(r.apiKey.createdAt) : null,
      expires_at: r.apiKey.expiresAt ? rfc3339(r.apiKey.expiresAt) : null,
    },
    service_account: { id: r.serviceAccount.id, name: r.serviceAccount.name, folder_id: r.serviceAccount.folderId },
    roles: [...r.roles],
  };
}

export function planDocument(p: CreateKeyPlan): Record<string, unknown> {
  return {
    dry_run: true,
    folder: { id: p.folder.id, name: p.folder.name ?? null, cloud_id: p.folder.cloudId ?? null },
    service_account: { name: p.serviceAccount.name, description: p.serviceAccount.description, labels: p.serviceAccount.labels },
    roles: p.roles,
    api_key: { description: p.apiKey.description, scopes: p.apiKey.scopes, expires_at: p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : null },
    checks: { existing_bindings: p.existingBindings },
  };
}

/** `--dry-run --count N`: the single plan with `count` and every account's name. */
export function planManyDocument(p: CreateKeysPlan): Record<string, unknown> {
  return {
    dry_run: true,
    count: p.names.length,
    folder: { id: p.folder.id, name: p.folder.name ?? null, cloud_id: p.folder.cloudId ?? null },
    service_accounts: p.names.map((name) => ({ name, description: p.serviceAccount.description, labels: p.serviceAccount.labels })),
    roles: p.roles,
    api_key: { description: p.apiKey.description, scopes: p.apiKey.scopes, expires_at: p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : null },
    checks: { existing_bindings: p.existingBindings },
  };
}

/** json and yaml: one document; with --count N > 1, an array of N documents of the same shape. */
export function createDocument(o: CreateOutcome): unknown {
  switch (o.kind) {
    case 'created':
      return createdDocument(o.result);
    case 'plan':
      return planDocument(o.plan);
    case 'created-many':
      return o.results.map(createdDocument);
    case 'plan-many':
      return planManyDocument(o.plan);
  }
}

/** env and dotenv hold one key; `create` refuses --count N > 1 with them before anything is made. */
function oneKeyOnly(o: CreateOutcome): never {
  throw new Error(`BUG: ${o.kind} cannot be printed as env/dotenv`);
}

/** YC_API_KEY, YC_API_KEY_ID, YC_FOLDER_ID; a dry run prints only comments, so sourcing it sets nothing. */
export function createEnv(o: CreateOutcome): string {
  if (o.kind === 'plan') return formatComments(planLines(o.plan));
  if (o.kind === 'plan-many') return formatComments(planManyLines(o.plan));
  if (o.kind === 'created-many') return oneKeyOnly(o);
  return formatEnv([
    ['YC_API_KEY', plainOnly(o.result).secret],
    ['YC_API_KEY_ID', o.result.apiKey.id],
    ['YC_FOLDER_ID', o.result.serviceAccount.folderId],
  ]);
}

/** NAME=value lines (`--format dotenv`); a dry run prints only comments. */
export function createDotenv(o: CreateOutcome): string {
  if (o.kind === 'plan') return formatComments(planLines(o.plan));
  if (o.kind === 'plan-many') return formatComments(planManyLines(o.plan));
  if (o.kind === 'created-many') return oneKeyOnly(o);
  return formatDotenv([
    ['YC_API_KEY', plainOnly(o.result).secret],
    ['YC_API_KEY_ID', o.result.apiKey.id],
    ['YC_FOLDER_ID', o.result.serviceAccount.folderId],
  ]);
}

/**
 * `--format secret`: the secret and one newline, nothing else, for `… | gh secret set NAME`. A
 * secret that is not one line of visible characters is refused rather than passed on mangled.
 */
export function secretLine(secret: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this guards against
  if (secret === '' || /[\s\u0000-\u001f\u007f-\u009f]/.test(secret)) throw new Error('the API key secret is not one line of visible characters');
  return `${secret}\n`;
}

/** `--format secret` of create: one key only (create refuses the format for a plan, --count or targets first). */
export function createSecret(o: CreateOutcome): string {
  if (o.kind !== 'created') throw new Error(`BUG: ${o.kind} cannot be printed as secret`);
  return sealedOrLine(o.result);
}

/** `--format secret` of one key: the secret and a newline, or with --encrypt-to the armoured ciphertext. */
export function sealedOrLine(r: Sealable): string {
  return r.secretEncrypted ?? secretLine(r.secret);
}

/** env and dotenv cannot carry a sealed secret; --encrypt-to refuses them before anything is made. */
function plainOnly(r: Sealable): CreateKeyResult {
  if (r.secretEncrypted !== undefined) throw new Error('BUG: an encrypted secret cannot be printed as env/dotenv');
  return r;
}

/** The labelled rows every text view of a new key shows, the secret excepted. */
export function keyRows(r: CreateKeyResult): Array<[string, string]> {
  return [
    ['Service account', `${r.serviceAccount.name} (${r.serviceAccount.id})`],
    ['Folder', r.serviceAccount.folderId],
    ['Roles', r.roles.join(', ')],
    ['Scopes', r.apiKey.scopes.join(', ')],
    ['Expires', r.apiKey.expiresAt ? rfc3339(r.apiKey.expiresAt) : 'never'],
    ['API key ID', r.apiKey.id],
  ];
}

export function createText(o: CreateOutcome, out: TextSink): void {
  switch (o.kind) {
    case 'plan':
      for (const l of planLines(o.plan)) out.line(l);
      return;
    case 'plan-many':
      for (const l of planManyLines(o.plan)) out.line(l);
      return;
    case 'created':
      keyBlock(o.result, out);
      out.note('The secret is shown only once and cannot be retrieved later: store it now.');
      return;
    case 'created-many':
      // One block per key, a blank line between them.
      o.results.forEach((r, i) => {
        if (i > 0) out.line('');
        keyBlock(r, out);
      });
      out.note(`The ${o.results.length} secrets are shown only once and cannot be retrieved later: store them now.`);
      return;
  }
}

function keyBlock(r: Sealable, out: TextSink): void {
  const s = out.style;
  const rows: Array<[string, string]> = [...keyRows(r), ['Secret', r.secretEncrypted !== undefined ? 'age-encrypted (--encrypt-to), below' : r.secret]];
  for (const [k, v] of rows) out.line(`${s.bold(k.padEnd(16))}${k === 'Secret' ? s.green(v) : v}`);
  if (r.secretEncrypted !== undefined) for (const l of r.secretEncrypted.trimEnd().split('\n')) out.line(l);
}

function planLines(p: CreateKeyPlan): string[] {
  const folder = p.folder.name ? `${p.folder.id} (${p.folder.name})` : p.folder.id;
  return [
    'Dry run: nothing was changed.',
    `Would create service account ${p.serviceAccount.name} in folder ${folder}, labelled ${Object.entries(p.serviceAccount.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `Would grant on the folder (one UpdateAccessBindings call, ADD only; the ${p.existingBindings} existing bindings stay): ${p.roles.join(', ')}`,
    `Would issue an API key with scopes: ${p.apiKey.scopes.join(', ')}`,
    `Key expires: ${p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : 'never'}`,
    `Description: ${p.apiKey.description}`,
  ];
}

function planManyLines(p: CreateKeysPlan): string[] {
  const folder = p.folder.name ? `${p.folder.id} (${p.folder.name})` : p.folder.id;
  const n = p.names.length;
  return [
    'Dry run: nothing was changed.',
    `Would create ${n} service accounts in folder ${folder}, labelled ${Object.entries(p.serviceAccount.labels).map(([k, v]) => `${k}=${v}`).join(', ')}: ${p.names.join(', ')}`,
    `Would grant each of them on the folder (${bindingCalls(n, p.roles.length)}, ADD only; the ${p.existingBindings} existing bindings stay): ${p.roles.join(', ')}`,
    `Would issue ${n} API keys, one per account, with scopes: ${p.apiKey.scopes.join(', ')}`,
    `Keys expire: ${p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : 'never'}`,
    `Description: ${p.apiKey.description}`,
  ];
}

/** UpdateAccessBindings takes at most 1000 deltas; a run sends whole accounts' roles per call. */
function bindingCalls(accounts: number, roles: number): string {
  const perCall = Math.max(1, Math.floor(1000 / Math.max(1, roles)));
  const calls = Math.ceil(accounts / perCall);
  return `${calls === 1 ? 'one UpdateAccessBindings call' : `${calls} UpdateAccessBindings calls`} of ${accounts * roles} deltas`;
}

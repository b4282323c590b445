/**
 * How `create` looks in each format. The JSON document is a contract: scripts run
 * `aistudio-key create --format json | jq -r .secret`, as with `yc iam api-key create --format json`.
 */
import type { CreateKeyPlan, CreateKeyResult } from '../core/create-key.js';
import type { CreateKeysPlan } from '../core/create-keys.js';
import { rfc3339 } from '../core/expiry.js';
import type { PlannedTarget } from '../core/targets/index.js';
import { formatComments, formatDotenv, formatEnv } from './formats.js';
import type { TextSink } from './text.js';
import type { OwnText } from './sanitize.js';

export type CreateOutcome =
  | { kind: 'created'; result: CreateKeyResult }
  | { kind: 'plan'; plan: CreateKeyPlan; delivery?: DeliveryPlan }
  /** `create --count N`, N > 1: one result per key, in order. */
  | { kind: 'created-many'; results: CreateKeyResult[] }
  | { kind: 'plan-many'; plan: CreateKeysPlan; delivery?: DeliveryPlan };

/** --dry-run: where the secret would go, each target as its preflight found it. */
export interface DeliveryPlan {
  /** Empty: stdout, in `format`. */
  targets: readonly PlannedTarget[];
  /** The run's output format (an --out-file is written in it, text meaning env). */
  format: string;
  /** --encrypt-to: how many age recipients the secret would be sealed for. */
  recipients: number | undefined;
}

/**
 * A new key as printed. With --encrypt-to, `secretEncrypted` holds the age ciphertext (ASCII armour)
 * and `secret` is empty: every view shows the ciphertext and never the plaintext.
 */
export type Sealable = CreateKeyResult & { secretEncrypted?: OwnText };

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
    ...(r.secretEncrypted !== undefined ? { secret_encrypted: r.secretEncrypted.text } : { secret: r.secret }),
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

/** The `delivery` member of a dry run's document. */
export function deliveryDocument(d: DeliveryPlan): Record<string, unknown> {
  const to = d.targets.length === 0 ? [{ target: 'stdout', format: d.format }] : d.targets.map(plannedTargetDocument);
  return { to, encrypted_for_recipients: d.recipients ?? null };
}

function plannedTargetDocument(t: PlannedTarget): Record<string, unknown> {
  switch (t.target) {
    case 'file':
      return { target: 'file', path: t.path, format: t.format, mode: '0600', replaces_existing: t.replaces };
    case 'github-output':
      return { target: 'github-output', outputs: ['api-key-id', 'api-key'], file: t.outputFile };
    case 'lockbox':
      return { target: 'lockbox', action: t.action, secret_id: t.action === 'add-version' ? t.secretId : null, name: t.name, folder_id: t.folderId };
  }
}

/** The dry run's lines on where the secret would go. */
function deliveryLines(d: DeliveryPlan | undefined): string[] {
  if (!d) return [];
  const lines = d.targets.length === 0 ? [`The secret would be printed on stdout (${d.format}).`] : d.targets.map(plannedTargetLine);
  if (d.recipients !== undefined) lines.push(`The secret would be encrypted with age for ${d.recipients} recipient${d.recipients === 1 ? '' : 's'} (--encrypt-to); no plaintext would be written.`);
  return lines;
}

function plannedTargetLine(t: PlannedTarget): string {
  switch (t.target) {
    case 'file':
      return `The secret would be written to ${t.path} (${t.format}, mode 0600${t.replaces ? ', replacing the file there (--force)' : ', a new file'}); stdout would carry no secret.`;
    case 'github-output':
      return `The secret would be masked and set as step outputs api-key-id and api-key in ${t.outputFile}.`;
    case 'lockbox':
      return t.action === 'add-version'
        ? `The secret would be written as a new version of Lockbox secret ${t.name} (${t.secretId}) in folder ${t.folderId}.`
        : `Lockbox secret ${t.name} would be created in folder ${t.folderId}, holding the secret as its first version.`;
  }
}

export function planDocument(p: CreateKeyPlan, delivery?: DeliveryPlan): Record<string, unknown> {
  return {
    dry_run: true,
    folder: { id: p.folder.id, name: p.folder.name ?? null, cloud_id: p.folder.cloudId ?? null },
    service_account: { name: p.serviceAccount.name, description: p.serviceAccount.description, labels: p.serviceAccount.labels },
    roles: p.roles,
    api_key: { description: p.apiKey.description, scopes: p.apiKey.scopes, expires_at: p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : null },
    checks: { existing_bindings: p.existingBindings },
    ...(delivery ? { delivery: deliveryDocument(delivery) } : {}),
  };
}

/** `--dry-run --count N`: the single plan with `count` and every account's name. */
export function planManyDocument(p: CreateKeysPlan, delivery?: DeliveryPlan): Record<string, unknown> {
  return {
    dry_run: true,
    count: p.names.length,
    folder: { id: p.folder.id, name: p.folder.name ?? null, cloud_id: p.folder.cloudId ?? null },
    service_accounts: p.names.map((name) => ({ name, description: p.serviceAccount.description, labels: p.serviceAccount.labels })),
    roles: p.roles,
    api_key: { description: p.apiKey.description, scopes: p.apiKey.scopes, expires_at: p.apiKey.expiresAt ? rfc3339(p.apiKey.expiresAt) : null },
    checks: { existing_bindings: p.existingBindings },
    ...(delivery ? { delivery: deliveryDocument(delivery) } : {}),
  };
}

/** json and yaml: one document; with --count N > 1, an array of N documents of the same shape. */
export function createDocument(o: CreateOutcome): unknown {
  switch (o.kind) {
    case 'created':
      return createdDocument(o.result);
    case 'plan':
      return planDocument(o.plan, o.delivery);
    case 'created-many':
      return o.results.map(createdDocument);
    case 'plan-many':
      return planManyDocument(o.plan, o.delivery);
  }
}

/** env and dotenv hold one key; `create` refuses --count N > 1 with them before anything is made. */
function oneKeyOnly(o: CreateOutcome): never {
  throw new Error(`BUG: ${o.kind} cannot be printed as env/dotenv`);
}

/** YC_API_KEY, YC_API_KEY_ID, YC_FOLDER_ID; a dry run prints only comments, so sourcing it sets nothing. */
export function createEnv(o: CreateOutcome): string {
  if (o.kind === 'plan') return formatComments([...planLines(o.plan), ...deliveryLines(o.delivery)]);
  if (o.kind === 'plan-many') return formatComments([...planManyLines(o.plan), ...deliveryLines(o.delivery)]);
  if (o.kind === 'created-many') return oneKeyOnly(o);
  return formatEnv([
    ['YC_API_KEY', plainOnly(o.result).secret],
    ['YC_API_KEY_ID', o.result.apiKey.id],
    ['YC_FOLDER_ID', o.result.serviceAccount.folderId],
  ]);
}

/** NAME=value lines (`--format dotenv`); a dry run prints only comments. */
export function createDotenv(o: CreateOutcome): string {
  if (o.kind === 'plan') return formatComments([...planLines(o.plan), ...deliveryLines(o.delivery)]);
  if (o.kind === 'plan-many') return formatComments([...planManyLines(o.plan), ...deliveryLines(o.delivery)]);
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
  return r.secretEncrypted?.text ?? secretLine(r.secret);
}

/** env and dotenv cannot carry a sealed secret; --encrypt-to refuses them before anything is made. */
function plainOnly(r: Sealable): CreateKeyResult {
  if (r.secretEncrypted !== undefined) throw new Error('BUG: an encrypted secret cannot be printed as env/dotenv');
  return r;
}

/**
 * What to do with a new key, for a person at a terminal (stderr, after the key; never with --quiet,
 * never into a pipe). The secret itself is referred to, never repeated. From the AI Studio API
 * authentication page, https://yandex.cloud/en/docs/ai-studio/api-ref/authentication: an API key goes
 * in the `Authorization: Api-Key <API_key>` header; no folder header is sent (the service uses the
 * folder the service account was created in), but the folder ID is part of a model's URI.
 */
export function usageHints(r: CreateKeyResult): string[] {
  const folder = r.serviceAccount.folderId;
  return [
    'Use it: send the secret above in the header "Authorization: Api-Key <secret>" (docs: https://yandex.cloud/en/docs/ai-studio/api-ref/authentication).',
    `In scripts keep it in YC_API_KEY (--format env prints YC_API_KEY=…): curl -H "Authorization: Api-Key $YC_API_KEY" …`,
    `No folder header is needed; model URIs name the folder: gpt://${folder}/yandexgpt/latest (YC_FOLDER_ID=${folder}).`,
  ];
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
      for (const l of [...planLines(o.plan), ...deliveryLines(o.delivery)]) out.line(l);
      return;
    case 'plan-many':
      for (const l of [...planManyLines(o.plan), ...deliveryLines(o.delivery)]) out.line(l);
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
  if (r.secretEncrypted !== undefined) for (const l of r.secretEncrypted.text.trimEnd().split('\n')) out.line(l);
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

/**
 * How a key delivered to targets looks. The secret file gets the full result in its
 * format; stdout gets the same result without the secret, saying where the secret went — in JSON
 * `lockbox: {secret_id, version_id}` (and `out_file`, `github_output`) stand where `secret` stood.
 */
import type { CreateKeyResult } from '../core/create-key.js';
import type { DeliveryReceipt } from '../core/targets/index.js';
import { createdDocument, createEnv, keyRows, type CreatedDocument } from './create.js';
import { formatComments, formatDotenv, formatEnv, formatJson, formatYaml } from './formats.js';
import type { TextSink } from './text.js';

/** Formats a secret file can be written in. */
export const SECRET_FILE_FORMATS = ['json', 'yaml', 'env', 'dotenv'] as const;
export type SecretFileFormat = (typeof SECRET_FILE_FORMATS)[number];

/** YC_API_KEY, YC_API_KEY_ID, YC_FOLDER_ID. */
export function keyEnvPairs(r: CreateKeyResult): Array<readonly [string, string]> {
  return [
    ['YC_API_KEY', r.secret],
    ['YC_API_KEY_ID', r.apiKey.id],
    ['YC_FOLDER_ID', r.serviceAccount.folderId],
  ];
}

/** The content of `--out-file`: the full result, secret included, in `format`. */
export async function secretFileContent(format: SecretFileFormat, r: CreateKeyResult): Promise<string> {
  switch (format) {
    case 'json':
      return formatJson(createdDocument(r));
    case 'yaml':
      return formatYaml(createdDocument(r));
    case 'env':
      return createEnv({ kind: 'created', result: r });
    case 'dotenv':
      return formatDotenv(keyEnvPairs(r));
  }
}

export type DeliveredDocument = Omit<CreatedDocument, 'secret'> & {
  lockbox?: { secret_id: string; version_id: string; folder_id: string; created: boolean };
  out_file?: { path: string; format: string };
  github_output?: { outputs: string[] };
};

/** json and yaml on stdout: the created document, `secret` replaced by where it went. */
export function deliveredDocument(r: CreateKeyResult, receipts: readonly DeliveryReceipt[]): DeliveredDocument {
  const { secret: _secret, ...rest } = createdDocument(r);
  const doc: DeliveredDocument = { ...rest };
  for (const receipt of receipts) {
    switch (receipt.target) {
      case 'lockbox':
        doc.lockbox = { secret_id: receipt.secretId, version_id: receipt.versionId, folder_id: receipt.folderId, created: receipt.createdSecret };
        break;
      case 'file':
        doc.out_file = { path: receipt.path, format: receipt.format };
        break;
      case 'github-output':
        doc.github_output = { outputs: [...receipt.outputs] };
        break;
    }
  }
  return doc;
}

/** A key handed to --out-file/--github-output/--to-lockbox, and the receipts saying where. */
export interface DeliveredOutcome<R extends CreateKeyResult = CreateKeyResult> {
  kind: 'delivered';
  result: R;
  receipts: DeliveryReceipt[];
}

/** Where the secret went, in words (stderr notes and text output). */
export function receiptLines(receipts: readonly DeliveryReceipt[]): string[] {
  return receipts.map((receipt) => {
    switch (receipt.target) {
      case 'lockbox':
        return `Secret written to Lockbox secret ${receipt.secretId}${receipt.createdSecret ? ' (new)' : ''}, version ${receipt.versionId} (entries api-key-id, api-key)`;
      case 'file':
        return `Secret written to ${receipt.path} (${receipt.format}, mode 0600${receipt.replaced ? ', replaced the old file' : ''})`;
      case 'github-output':
        return `Secret masked and set as step outputs ${receipt.outputs.join(', ')}`;
    }
  });
}

/** env/dotenv on stdout: the key ID and folder only (sourcing it never sets YC_API_KEY). */
export function deliveredEnv(r: CreateKeyResult, receipts: readonly DeliveryReceipt[], format: 'env' | 'dotenv' = 'env'): string {
  const pairs = keyEnvPairs(r).filter(([name]) => name !== 'YC_API_KEY');
  const comments = formatComments(receiptLines(receipts));
  return comments + (format === 'dotenv' ? formatDotenv(pairs) : formatEnv(pairs));
}

/** text on stdout: the usual rows without the secret, then where it went. */
export function deliveredText(r: CreateKeyResult, receipts: readonly DeliveryReceipt[], out: TextSink): void {
  const s = out.style;
  for (const [k, v] of keyRows(r)) out.line(`${s.bold(k.padEnd(16))}${v}`);
  for (const l of receiptLines(receipts)) out.line(l);
}

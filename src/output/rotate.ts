/**
 * How `rotate` looks: `create`'s output for the new key, plus what it replaces. JSON and YAML are
 * create's document plus `"revoked": [ids]` (the old key's ID, or [] with --keep-old); env is
 * create's env exactly; text is create's rows plus a `Replaces` row. The result is written before
 * the old key is revoked, so `revoked` names what the run revokes once its output is taken; a
 * non-zero exit says that did not happen (stderr names the key).
 */
import type { RotateKeyOutcome, RotateKeyResult } from '../core/rotate-key.js';
import { isManagedAccount, managedLabelText } from '../core/accounts.js';
import type { DeliveryReceipt } from '../core/targets/index.js';
import { createdDocument, createDotenv, createEnv, createText, sealedOrLine, type CreatedDocument } from './create.js';
import { deliveredDocument, deliveredEnv, deliveredText, type DeliveredDocument } from './delivery.js';
import type { OwnText } from './sanitize.js';
import type { TextSink } from './text.js';

export type RotatedDocument = (CreatedDocument | DeliveredDocument) & { revoked: string[] };

/** A rotation whose new key went to --out-file/--github-output/--to-lockbox carries the receipts. */
export type RotateResultWithReceipts = RotateKeyResult & { receipts?: DeliveryReceipt[]; secretEncrypted?: OwnText };

/** json and yaml (with targets: the secret replaced by where it went, as create's). */
export function rotateDocument(r: RotateResultWithReceipts): RotatedDocument {
  return { ...(r.receipts ? deliveredDocument(r, r.receipts) : createdDocument(r)), revoked: [...r.revoked] };
}

export function rotateEnv(r: RotateResultWithReceipts): string {
  return r.receipts ? deliveredEnv(r, r.receipts, 'env') : createEnv({ kind: 'created', result: r });
}

export function rotateDotenv(r: RotateResultWithReceipts): string {
  return r.receipts ? deliveredEnv(r, r.receipts, 'dotenv') : createDotenv({ kind: 'created', result: r });
}

/** `--format secret`: the new secret and a newline (rotate refuses the format with a target first). */
export function rotateSecret(r: RotateResultWithReceipts): string {
  if (r.receipts) throw new Error('BUG: a key handed to a target cannot be printed as secret');
  return sealedOrLine(r);
}

export function rotateText(r: RotateResultWithReceipts, out: TextSink): void {
  if (r.receipts) deliveredText(r, r.receipts, out);
  else createText({ kind: 'created', result: r }, out);
  const old = r.revoked.includes(r.replaced.id) ? r.replaced.id : `${r.replaced.id} (kept: --keep-old)`;
  out.line(`${out.style.bold('Replaces'.padEnd(16))}${old}`);
}

/**
 * Lines for stderr once the rotation is done. `routine` lines (the old key revoked) are for a person
 * reading text; the others are worth saying in every format.
 */
export function rotateNotes(o: RotateKeyOutcome): Array<{ text: string; routine: boolean }> {
  const notes: Array<{ text: string; routine: boolean }> = [];
  const sa = `${o.serviceAccount.name} (${o.serviceAccount.id})`;
  switch (o.old) {
    case 'revoked':
      notes.push({ text: `Revoked the old API key ${o.replaced.id}; apps still using it stop working now.`, routine: true });
      break;
    case 'already-gone':
      notes.push({ text: `The old API key ${o.replaced.id} was already gone (revoked meanwhile); nothing left to revoke.`, routine: false });
      break;
    case 'kept':
      notes.push({ text: `Kept the old API key ${o.replaced.id} (--keep-old). Once apps use the new key: aistudio-key revoke --yes ${o.replaced.id}`, routine: false });
      break;
  }
  if (!isManagedAccount(o.serviceAccount)) {
    notes.push({
      text: `Service account ${sa} was not made by aistudio-key (no ${managedLabelText()} label); its key was rotated all the same. \`aistudio-key list\` shows its keys with --all or --service-account.`,
      routine: false,
    });
  }
  if (o.rolesUnread !== undefined) notes.push({ text: `Could not read the roles of ${sa} on folder ${o.serviceAccount.folderId} (${o.rolesUnread}); the output lists none. Rotation changes no roles.`, routine: false });
  return notes;
}

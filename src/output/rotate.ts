/**
 * How `rotate` looks: `create`'s output for the new key, plus what it replaces. JSON and YAML are
 * create's document plus `"revoked": [ids]` (the old key's ID once the cloud confirmed its delete,
 * [] with --keep-old, and [] plus `"not_revoked": [{id, reason}]` when the delete failed); env is
 * create's env exactly; text is create's rows plus a `Replaces` row. The document is written before
 * the old key is deleted (a failed hand-over must leave the old key working), all but its last
 * field: `revoked` follows once the delete has answered, so it never claims what did not happen.
 */
import type { RotateKeyOutcome, RotateKeyResult } from '../core/rotate-key.js';
import { isManagedAccount, managedLabelText } from '../core/accounts.js';
import type { DeliveryReceipt } from '../core/targets/index.js';
import { createdDocument, createDotenv, createEnv, createText, sealedOrLine, type CreatedDocument } from './create.js';
import { deliveredDocument, deliveredEnv, deliveredText, type DeliveredDocument } from './delivery.js';
import type { OwnText } from './sanitize.js';
import type { TextSink } from './text.js';

export type RotatedDocument = (CreatedDocument | DeliveredDocument) & { revoked: string[]; not_revoked?: Array<{ id: string; reason: string }> };

/**
 * A rotation whose new key went to --out-file/--github-output/--to-lockbox carries the receipts;
 * one whose old key could not be revoked after the hand-over, the key and why (`notRevoked`).
 */
export type RotateResultWithReceipts = RotateKeyResult & { receipts?: DeliveryReceipt[]; notRevoked?: Array<{ id: string; reason: string }>; secretEncrypted?: OwnText };

/**
 * json and yaml (with targets: the secret replaced by where it went, as create's). `revoked` is the
 * last field: on stdout it is written only once the old key's delete has answered (runner deliverOpen).
 */
export function rotateDocument(r: RotateResultWithReceipts): RotatedDocument {
  const doc: RotatedDocument = { ...(r.receipts ? deliveredDocument(r, r.receipts) : createdDocument(r)), revoked: [...r.revoked] };
  if (r.notRevoked) doc.not_revoked = r.notRevoked.map((k) => ({ ...k }));
  return doc;
}

/** The top-level field of rotateDocument that states what the old key's delete did. */
export const ROTATE_OPEN_FIELD = 'revoked';

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
  const old = r.keepOld ? `${r.replaced.id} (kept: --keep-old)` : r.replaced.id;
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

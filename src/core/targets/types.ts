/**
 * Delivery targets: where a new key's secret goes instead of stdout. Each target has a
 * preflight (read-only, run before anything is created in the cloud, so a doomed delivery costs
 * nothing) and a delivery that either completes or fails leaving nothing of its own behind; the
 * caller then revokes the key (src/core/delivery.ts).
 */

/** What a target needs of a new key. Holds the secret: never log it. */
export interface DeliverableKey {
  secret: string;
  apiKeyId: string;
  /** The folder of the key's service account. */
  folderId: string;
}

/** What a target did, for the result document (never the secret). */
export type DeliveryReceipt =
  | { target: 'file'; path: string; format: string; replaced: boolean }
  | { target: 'github-output'; outputs: string[]; outputFile: string }
  | { target: 'lockbox'; secretId: string; versionId: string; folderId: string; createdSecret: boolean };

/** A finished delivery and how to take it back if a later target fails. */
export interface Delivered {
  receipt: DeliveryReceipt;
  /** Best effort; never throws. Returns a line for the error's hints when it could not undo. */
  undo(): Promise<string | undefined>;
}

/** Entry keys of the Lockbox secret. */
export const LOCKBOX_ENTRY = { apiKeyId: 'api-key-id', apiKey: 'api-key' } as const;

/** GitHub Actions step outputs. */
export const GITHUB_OUTPUT_NAME = { apiKeyId: 'api-key-id', apiKey: 'api-key' } as const;

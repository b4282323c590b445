/**
 * How `ensure` looks. It never prints the secret (that lives in Lockbox). In text mode stdout stays
 * empty and one line says what happened on stderr ("up to date", "rotated", "superseded"); JSON
 * prints one document for scripts.
 */
import type { EnsureReason, EnsureResult } from '../core/ensure.js';
import { rfc3339 } from '../core/expiry.js';
import type { TextSink } from './text.js';

const REASON_TEXT: Record<EnsureReason, string> = {
  'secret-missing': 'the secret did not exist',
  'no-key-in-secret': 'the secret held no api-key-id',
  'account-missing': 'the service account did not exist',
  'key-missing': 'the key the secret named no longer exists',
  'key-of-another-account': 'the key the secret named belongs to another service account',
  'key-expiring': 'the key expires within the rotation window',
};

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) ? `${d}d` : `${Math.round(ms / 3_600_000)}h`;
}

export function ensureDocument(r: EnsureResult): Record<string, unknown> {
  switch (r.status) {
    case 'up-to-date':
      return {
        status: r.status,
        lockbox: { secret_id: r.secret.id, version_id: r.secret.versionId, folder_id: r.secret.folderId },
        api_key: { id: r.apiKey.id, service_account_id: r.apiKey.serviceAccountId, expires_at: r.apiKey.expiresAt ? rfc3339(r.apiKey.expiresAt) : null },
        service_account: { id: r.serviceAccount.id, name: r.serviceAccount.name, folder_id: r.serviceAccount.folderId },
      };
    case 'rotated':
      return {
        status: r.status,
        reason: r.reason,
        lockbox: { secret_id: r.secret.id, version_id: r.secret.versionId, folder_id: r.secret.folderId, created: r.secret.created },
        api_key: {
          id: r.apiKey.id,
          service_account_id: r.apiKey.serviceAccountId,
          scopes: [...r.apiKey.scopes],
          created_at: r.apiKey.createdAt ? rfc3339(r.apiKey.createdAt) : null,
          expires_at: r.apiKey.expiresAt ? rfc3339(r.apiKey.expiresAt) : null,
        },
        service_account: { id: r.serviceAccount.id, name: r.serviceAccount.name, folder_id: r.serviceAccount.folderId, created: r.serviceAccount.created },
        roles_added: [...r.rolesAdded],
        previous_key: r.previousKey ? { id: r.previousKey.id, outcome: r.previousKey.outcome } : null,
      };
    case 'superseded':
      return {
        status: r.status,
        reason: r.reason,
        lockbox: { secret_id: r.secret.id, version_id: r.secret.versionId ?? null, folder_id: r.secret.folderId },
        revoked_key_id: r.revokedKeyId,
        service_account: { id: r.serviceAccount.id, name: r.serviceAccount.name, folder_id: r.serviceAccount.folderId },
      };
  }
}

/** One line (for stderr) saying what happened. */
export function ensureSummary(r: EnsureResult): string {
  switch (r.status) {
    case 'up-to-date':
      return `Up to date: Lockbox secret ${r.secret.id} (version ${r.secret.versionId}) holds API key ${r.apiKey.id}, ${
        r.apiKey.expiresAt ? `expiring ${rfc3339(r.apiKey.expiresAt)}, more than ${days(r.rotateBeforeMs)} away` : 'which never expires'
      }. Nothing was changed.`;
    case 'rotated': {
      const parts = [
        `Rotated (${REASON_TEXT[r.reason]}): Lockbox secret ${r.secret.id}${r.secret.created ? ' (created)' : ''} version ${r.secret.versionId} now holds API key ${r.apiKey.id}`,
      ];
      if (r.serviceAccount.created) parts.push(`service account ${r.serviceAccount.name} (${r.serviceAccount.id}) was created`);
      if (r.rolesAdded.length > 0) parts.push(`roles added: ${r.rolesAdded.join(', ')}`);
      if (r.previousKey) parts.push(r.previousKey.outcome === 'revoked' ? `previous key ${r.previousKey.id} revoked` : `previous key ${r.previousKey.id} was already gone`);
      return `${parts.join('; ')}.`;
    }
    case 'superseded':
      return `Another run rotated Lockbox secret ${r.secret.id} at the same time and won; this run's key ${r.revokedKeyId} was revoked. The secret holds a fresh key.`;
  }
}

export function ensureText(r: EnsureResult, out: TextSink): void {
  out.note(ensureSummary(r));
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import { EmulatorError, notFound, permissionDenied } from './errors.js';
import { newApiKeySecret, newIamToken } from './ids.js';
import { roleAllows } from './catalog.js';
import { Fidelity } from './fidelity.js';
import type { Fixture, Quotas } from './types.js';

/**
 * The emulator's in-memory world: resources, bindings, credentials. Handlers change it
 * synchronously, so one call never sees another half-done.
 */

export interface Binding {
  roleId: string;
  subject: { type: string; id: string };
}

export type PrincipalType = 'userAccount' | 'serviceAccount';

export interface Principal {
  id: string;
  type: PrincipalType;
}

export interface CloudRec { id: string; name: string; organizationId: string; createdAt: Date; bindings: Binding[] }
export interface FolderRec { id: string; cloudId: string; name: string; createdAt: Date; bindings: Binding[] }
export interface SaRec { id: string; folderId: string; name: string; description: string; labels: Record<string, string>; createdAt: Date }
export interface AuthKeyRec { id: string; serviceAccountId: string; publicKey: KeyObject }
export interface ApiKeyRec {
  id: string; serviceAccountId: string; description: string; scopes: string[];
  createdAt: Date; expiresAt: Date | undefined; secret: string;
}
export interface PayloadValue { text?: string; binary?: Buffer }
export interface VersionRec { id: string; secretId: string; createdAt: Date; description: string; entries: Map<string, PayloadValue> }
export interface SecretRec {
  id: string; folderId: string; name: string; description: string; labels: Record<string, string>;
  kmsKeyId: string; createdAt: Date; deletionProtection: boolean; versions: VersionRec[]; currentVersionId: string | undefined;
  /** SecretService.Deactivate was called (and no Activate since): status INACTIVE. */
  deactivated?: boolean;
  /** Until this time (world clock, ms) the secret is CREATING (EmulatorOptions.lockbox.creatingMs). */
  creatingUntil?: number;
}

export const IAM_TOKEN_TTL_MS = 12 * 3600_000;

export const DEFAULT_QUOTAS: Required<Quotas> = {
  serviceAccountsPerCloud: 100,
  apiKeysPerCloud: 1000,
  secretsPerCloud: 10_000,
  versionsPerSecret: 1000,
};

export const sameBinding = (a: Binding, b: Binding): boolean =>
  a.roleId === b.roleId && a.subject.type === b.subject.type && a.subject.id === b.subject.id;

export const copyBinding = (b: Binding): Binding => ({ roleId: b.roleId, subject: { type: b.subject.type, id: b.subject.id } });

/** `****` + the last six characters of the secret (reference §7). */
export const maskSecret = (secret: string): string => '****' + secret.slice(-6);

export class World {
  readonly clouds = new Map<string, CloudRec>();
  readonly folders = new Map<string, FolderRec>();
  /** Users from the fixture (service accounts live in serviceAccounts). */
  readonly users = new Map<string, PrincipalType>();
  readonly serviceAccounts = new Map<string, SaRec>();
  readonly authorizedKeys = new Map<string, AuthKeyRec>();
  readonly apiKeys = new Map<string, ApiKeyRec>();
  /** Masked secrets stay known after a key is deleted (an operation response may still name it). */
  readonly maskedSecrets = new Map<string, string>();
  readonly iamTokens = new Map<string, { subjectId: string; expiresAt: number }>();
  readonly oauthTokens = new Map<string, string>();
  readonly federatedTokens = new Map<string, string>();
  readonly lockbox = new Map<string, SecretRec>();
  readonly quotas: Required<Quotas>;
  /** Behaviours no source settles (fidelity.ts); set by startEmulator from its options. */
  fidelity = new Fidelity();
  metadataServiceAccountId: string | undefined;
  metadataFolderId: string | undefined;
  private readonly secretLog: string[] = [];
  private readonly secretSet = new Set<string>();

  constructor(fixture: Fixture, quotas: Quotas | undefined, readonly now: () => number) {
    this.quotas = { ...DEFAULT_QUOTAS, ...quotas };
    const created = new Date(now());
    for (const c of fixture.clouds) {
      this.clouds.set(c.id, { id: c.id, name: c.name, organizationId: c.organizationId ?? '', createdAt: created, bindings: (c.bindings ?? []).map(copyBinding) });
    }
    for (const f of fixture.folders) {
      if (!this.clouds.has(f.cloudId)) throw new Error(`fixture: folder ${f.id} names unknown cloud ${f.cloudId}`);
      this.folders.set(f.id, { id: f.id, cloudId: f.cloudId, name: f.name, createdAt: created, bindings: (f.bindings ?? []).map(copyBinding) });
    }
    for (const u of fixture.users) this.users.set(u.id, u.type);
    for (const sa of fixture.serviceAccounts ?? []) {
      if (!this.folders.has(sa.folderId)) throw new Error(`fixture: service account ${sa.id} names unknown folder ${sa.folderId}`);
      this.serviceAccounts.set(sa.id, {
        id: sa.id, folderId: sa.folderId, name: sa.name, description: sa.description ?? '', labels: { ...sa.labels }, createdAt: created,
      });
    }
    for (const k of fixture.authorizedKeys ?? []) {
      this.authorizedKeys.set(k.id, { id: k.id, serviceAccountId: k.serviceAccountId, publicKey: createPublicKey(k.publicKey) });
    }
    for (const k of fixture.apiKeys ?? []) {
      if (!this.serviceAccounts.has(k.serviceAccountId)) throw new Error(`fixture: API key ${k.id} names unknown service account ${k.serviceAccountId}`);
      const secret = k.secret ?? newApiKeySecret();
      this.putApiKey({
        id: k.id, serviceAccountId: k.serviceAccountId, description: k.description ?? '', scopes: [...(k.scopes ?? [])],
        createdAt: created, expiresAt: k.expiresAt, secret,
      });
    }
    for (const [token, subject] of Object.entries(fixture.iamTokens ?? {})) {
      this.iamTokens.set(token, { subjectId: subject, expiresAt: now() + IAM_TOKEN_TTL_MS });
      this.rememberSecret(token);
    }
    for (const [token, user] of Object.entries(fixture.oauthTokens ?? {})) {
      this.oauthTokens.set(token, user);
      this.rememberSecret(token);
    }
    for (const [token, sa] of Object.entries(fixture.federatedTokens ?? {})) {
      this.federatedTokens.set(token, sa);
      this.rememberSecret(token);
    }
    this.metadataServiceAccountId = fixture.metadataServiceAccountId;
    this.metadataFolderId = fixture.metadataFolderId;
  }

  rememberSecret(s: string): void {
    if (this.secretSet.has(s)) return;
    this.secretSet.add(s);
    this.secretLog.push(s);
  }

  secrets(): string[] {
    return [...this.secretLog];
  }

  putApiKey(k: ApiKeyRec): void {
    this.apiKeys.set(k.id, k);
    this.maskedSecrets.set(k.id, maskSecret(k.secret));
    this.rememberSecret(k.secret);
  }

  /** users first, then service accounts (which come and go). */
  subjectType(id: string): PrincipalType | undefined {
    return this.users.get(id) ?? (this.serviceAccounts.has(id) ? 'serviceAccount' : undefined);
  }

  issueIamToken(subjectId: string, ttlMs = IAM_TOKEN_TTL_MS): { token: string; expiresAt: Date } {
    if (this.subjectType(subjectId) === undefined) throw new Error(`issueIamToken: unknown subject ${subjectId}`);
    const token = newIamToken();
    const expiresAt = this.now() + ttlMs;
    this.iamTokens.set(token, { subjectId, expiresAt });
    this.rememberSecret(token);
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** The principal behind a token, or undefined when the token is unknown, expired, or its subject is gone. */
  principalForToken(token: string): Principal | undefined {
    const rec = this.iamTokens.get(token);
    if (rec === undefined || rec.expiresAt <= this.now()) return undefined;
    const type = this.subjectType(rec.subjectId);
    return type === undefined ? undefined : { id: rec.subjectId, type };
  }

  folder(id: string): FolderRec {
    const f = this.folders.get(id);
    if (f === undefined) throw notFound('Folder', id);
    return f;
  }

  serviceAccount(id: string): SaRec {
    const sa = this.serviceAccounts.get(id);
    if (sa === undefined) throw notFound('Service account', id);
    return sa;
  }

  cloudOf(folderId: string): CloudRec {
    const cloud = this.clouds.get(this.folder(folderId).cloudId);
    if (cloud === undefined) throw new EmulatorError('INTERNAL', `folder ${folderId} has no cloud`);
    return cloud;
  }

  private static holds(b: Binding, p: Principal): boolean {
    if (b.subject.type === 'system') return b.subject.id === 'allAuthenticatedUsers' || b.subject.id === 'allUsers';
    return b.subject.type === p.type && b.subject.id === p.id;
  }

  /** Roles a principal holds on a folder: the folder's own bindings plus its cloud's. */
  rolesOn(p: Principal, folderId: string): string[] {
    const folder = this.folders.get(folderId);
    if (folder === undefined) return [];
    const cloud = this.clouds.get(folder.cloudId);
    return [...folder.bindings, ...(cloud?.bindings ?? [])].filter((b) => World.holds(b, p)).map((b) => b.roleId);
  }

  allows(p: Principal, permission: string, folderId: string): boolean {
    return this.rolesOn(p, folderId).some((r) => roleAllows(r, permission));
  }

  /** Throws PERMISSION_DENIED naming `resource` (e.g. `resource-manager.folder b1g…`). */
  authorize(p: Principal, permission: string, folderId: string, resource: string): void {
    if (!this.allows(p, permission, folderId)) throw permissionDenied(resource);
  }

  /** A cloud member holds some role on the cloud or on one of its folders. */
  isMember(p: Principal, cloudId: string): boolean {
    const cloud = this.clouds.get(cloudId);
    if (cloud === undefined) return false;
    if (cloud.bindings.some((b) => World.holds(b, p))) return true;
    return [...this.folders.values()].some((f) => f.cloudId === cloudId && f.bindings.some((b) => World.holds(b, p)));
  }

  serviceAccountsInCloud(cloudId: string): SaRec[] {
    return [...this.serviceAccounts.values()].filter((sa) => this.folders.get(sa.folderId)?.cloudId === cloudId);
  }

  apiKeysInCloud(cloudId: string): number {
    let n = 0;
    for (const k of this.apiKeys.values()) {
      const sa = this.serviceAccounts.get(k.serviceAccountId);
      if (sa !== undefined && this.folders.get(sa.folderId)?.cloudId === cloudId) n++;
    }
    return n;
  }

  secretsInCloud(cloudId: string): number {
    return [...this.lockbox.values()].filter((s) => this.folders.get(s.folderId)?.cloudId === cloudId).length;
  }
}

/**
 * An in-memory CloudGateway for unit and CLI tests. It keeps clouds, folders with bindings,
 * service accounts and API keys; records every call in order; can fail any method (before or after
 * doing the work) and can hold any method until the test releases it, to observe concurrency.
 */
import { AlreadyExistsError, NotFoundError } from '../../src/errors.js';
import type {
  AccessBinding,
  AddSecretVersionInput,
  ApiKey,
  CallOptions,
  Cloud,
  CloudGateway,
  Connection,
  CreateApiKeyInput,
  CreateServiceAccountInput,
  Role,
  CreatedApiKey,
  CreateSecretInput,
  Folder,
  LockboxSecret,
  SecretPayload,
  ServiceAccount,
} from '../../src/cloud/types.js';

export type GatewayMethod = Exclude<keyof CloudGateway, 'endpoint' | 'close'>;

export const MUTATING: ReadonlySet<GatewayMethod> = new Set<GatewayMethod>([
  'addFolderAccessBindings',
  'removeFolderAccessBindings',
  'createServiceAccount',
  'deleteServiceAccount',
  'createApiKey',
  'deleteApiKey',
  'createSecret',
  'addSecretVersion',
]);

/** A Lockbox secret as the fake keeps it: every version's entries, the last one current. */
export interface FakeSecret {
  id: string;
  folderId: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  status: string;
  versions: Array<{ id: string; entries: Record<string, string> }>;
  currentVersionId: string | undefined;
}

export interface FakeCall {
  method: GatewayMethod;
  args: unknown[];
  signal: AbortSignal | undefined;
}

interface Fault {
  error: () => Error;
  /** Do the work, then fail (an answer lost on the way back). */
  afterWork: boolean;
}

interface Gate {
  promise: Promise<void>;
  release: () => void;
  entered: Promise<void>;
  markEntered: () => void;
}

export const CLOUD_ID = 'b1gcloud000000000001';
export const FOLDER_ID = 'b1gfolder00000000001';
export const OTHER_FOLDER_ID = 'b1gfolder00000000002';
export const FOREIGN_BINDING: AccessBinding = { roleId: 'editor', subject: { type: 'userAccount', id: 'ajeuser0000000000001' } };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class FakeGateway implements CloudGateway {
  readonly endpoint = 'fake.invalid:443';
  clouds: Cloud[] = [{ id: CLOUD_ID, name: 'my-cloud' }];
  folders = new Map<string, Folder & { bindings: AccessBinding[] }>([
    [FOLDER_ID, { id: FOLDER_ID, cloudId: CLOUD_ID, name: 'default', bindings: [FOREIGN_BINDING] }],
    [OTHER_FOLDER_ID, { id: OTHER_FOLDER_ID, cloudId: CLOUD_ID, name: 'other', bindings: [] }],
  ]);
  serviceAccounts = new Map<string, ServiceAccount>();
  apiKeys = new Map<string, CreatedApiKey>();
  secrets = new Map<string, FakeSecret>();
  /** Every call, in the order it started. */
  readonly calls: FakeCall[] = [];
  /** 'start <method>' and 'end <method>' in the order they happened. */
  readonly log: string[] = [];
  closed = 0;
  /** --retries of the connection (the real default). */
  retries = 3;
  now = (): Date => new Date('2026-11-27T12:00:00Z');

  #seq = 0;
  readonly #faults = new Map<GatewayMethod, Fault[]>();
  readonly #gates = new Map<GatewayMethod, Gate[]>();

  /** The next call(s) of `method` fail with `error()` (a fresh error each time). */
  fail(method: GatewayMethod, error: () => Error, opts: { afterWork?: boolean; times?: number } = {}): void {
    const list = this.#faults.get(method) ?? [];
    for (let i = 0; i < (opts.times ?? 1); i++) list.push({ error, afterWork: opts.afterWork ?? false });
    this.#faults.set(method, list);
  }

  /**
   * The next call of `method` waits until `release()`. `entered` resolves when that call has started.
   */
  hold(method: GatewayMethod): { release: () => void; entered: Promise<void> } {
    const gate = deferred();
    const entered = deferred();
    const g: Gate = { promise: gate.promise, release: gate.resolve, entered: entered.promise, markEntered: entered.resolve };
    const list = this.#gates.get(method) ?? [];
    list.push(g);
    this.#gates.set(method, list);
    return { release: g.release, entered: g.entered };
  }

  callsOf(method: GatewayMethod): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  mutations(): FakeCall[] {
    return this.calls.filter((c) => MUTATING.has(c.method));
  }

  connection(): Connection {
    return { gateway: this, identity: { kind: 'userAccount', id: 'ajeuser0000000000001', tokenExpiresAt: undefined } };
  }

  #id(prefix: string): string {
    this.#seq += 1;
    return `${prefix}${String(this.#seq).padStart(20 - prefix.length, '0')}`;
  }

  async #call<T>(method: GatewayMethod, args: unknown[], opts: CallOptions | undefined, work: () => T): Promise<T> {
    this.calls.push({ method, args, signal: opts?.signal });
    this.log.push(`start ${method}`);
    try {
      await Promise.resolve();
      const gate = this.#gates.get(method)?.shift();
      if (gate) {
        gate.markEntered();
        await gate.promise;
      }
      const fault = this.#faults.get(method)?.shift();
      if (fault && !fault.afterWork) throw fault.error();
      const result = work();
      if (fault) throw fault.error();
      return result;
    } finally {
      this.log.push(`end ${method}`);
    }
  }

  #folder(id: string): Folder & { bindings: AccessBinding[] } {
    const f = this.folders.get(id);
    if (!f) throw new NotFoundError(`Folder ${id} not found`, { status: 'NOT_FOUND' });
    return f;
  }

  listClouds(opts?: CallOptions): Promise<Cloud[]> {
    return this.#call('listClouds', [], opts, () => [...this.clouds]);
  }
  getFolder(folderId: string, opts?: CallOptions): Promise<Folder> {
    return this.#call('getFolder', [folderId], opts, () => {
      const { bindings: _b, ...f } = this.#folder(folderId);
      return f;
    });
  }
  listFolders(cloudId: string, opts?: CallOptions): Promise<Folder[]> {
    return this.#call('listFolders', [cloudId], opts, () => [...this.folders.values()].filter((x) => x.cloudId === cloudId).map(({ bindings: _b, ...rest }) => rest));
  }
  findFolderByName(cloudId: string, name: string, opts?: CallOptions): Promise<Folder | undefined> {
    return this.#call('findFolderByName', [cloudId, name], opts, () => {
      const f = [...this.folders.values()].find((x) => x.cloudId === cloudId && x.name === name);
      if (!f) return undefined;
      const { bindings: _b, ...rest } = f;
      return rest;
    });
  }
  listFolderAccessBindings(folderId: string, opts?: CallOptions): Promise<AccessBinding[]> {
    return this.#call('listFolderAccessBindings', [folderId], opts, () => this.#folder(folderId).bindings.map((b) => structuredClone(b)));
  }
  addFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<AccessBinding[]> {
    return this.#call('addFolderAccessBindings', [folderId, structuredClone(bindings)], opts, () => {
      const f = this.#folder(folderId);
      const effective: AccessBinding[] = [];
      for (const b of bindings) {
        if (!f.bindings.some((x) => sameBinding(x, b))) {
          f.bindings.push(structuredClone(b));
          effective.push(structuredClone(b));
        }
      }
      return effective;
    });
  }
  removeFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<void> {
    return this.#call('removeFolderAccessBindings', [folderId, structuredClone(bindings)], opts, () => {
      const f = this.#folder(folderId);
      f.bindings = f.bindings.filter((x) => !bindings.some((b) => sameBinding(x, b)));
    });
  }
  getServiceAccount(id: string, opts?: CallOptions): Promise<ServiceAccount> {
    return this.#call('getServiceAccount', [id], opts, () => {
      const sa = this.serviceAccounts.get(id);
      if (!sa) throw new NotFoundError(`Service account ${id} not found`, { status: 'NOT_FOUND' });
      return sa;
    });
  }
  findServiceAccountByName(folderId: string, name: string, opts?: CallOptions): Promise<ServiceAccount | undefined> {
    return this.#call('findServiceAccountByName', [folderId, name], opts, () =>
      [...this.serviceAccounts.values()].find((s) => s.folderId === folderId && s.name === name),
    );
  }
  listServiceAccounts(folderId: string, opts?: CallOptions): Promise<ServiceAccount[]> {
    return this.#call('listServiceAccounts', [folderId], opts, () => [...this.serviceAccounts.values()].filter((s) => s.folderId === folderId));
  }
  createServiceAccount(input: CreateServiceAccountInput, opts?: CallOptions): Promise<ServiceAccount> {
    return this.#call('createServiceAccount', [structuredClone(input)], opts, () => {
      const cloudId = this.#folder(input.folderId).cloudId;
      const taken = [...this.serviceAccounts.values()].some((s) => s.name === input.name && this.folders.get(s.folderId)?.cloudId === cloudId);
      if (taken) throw new AlreadyExistsError(`Service account '${input.name}@${cloudId}' already exists`, { status: 'ALREADY_EXISTS' });
      const sa: ServiceAccount = { id: this.#id('aje'), folderId: input.folderId, name: input.name, description: input.description, labels: { ...input.labels }, createdAt: this.now() };
      this.serviceAccounts.set(sa.id, sa);
      return sa;
    });
  }
  deleteServiceAccount(id: string, opts?: CallOptions): Promise<void> {
    return this.#call('deleteServiceAccount', [id], opts, () => {
      if (!this.serviceAccounts.delete(id)) throw new NotFoundError(`Service account ${id} not found`, { status: 'NOT_FOUND' });
      // Deleting an account deletes its keys (reference §5); its folder bindings are left as they are.
      for (const [keyId, k] of this.apiKeys) if (k.apiKey.serviceAccountId === id) this.apiKeys.delete(keyId);
    });
  }
  createApiKey(input: CreateApiKeyInput, opts?: CallOptions): Promise<CreatedApiKey> {
    return this.#call('createApiKey', [structuredClone(input)], opts, () => {
      if (!this.serviceAccounts.has(input.serviceAccountId)) throw new NotFoundError(`Service account ${input.serviceAccountId} not found`, { status: 'NOT_FOUND' });
      const id = this.#id('ajk');
      const apiKey: ApiKey = {
        id,
        serviceAccountId: input.serviceAccountId,
        description: input.description,
        scopes: [...input.scopes],
        createdAt: this.now(),
        expiresAt: input.expiresAt,
        lastUsedAt: undefined,
      };
      const created: CreatedApiKey = { apiKey, secret: `AQVN${id.padEnd(36, 'Z')}` };
      this.apiKeys.set(id, created);
      return structuredClone(created);
    });
  }
  getApiKey(id: string, opts?: CallOptions): Promise<ApiKey> {
    return this.#call('getApiKey', [id], opts, () => {
      const k = this.apiKeys.get(id);
      if (!k) throw new NotFoundError(`API key ${id} not found`, { status: 'NOT_FOUND' });
      return k.apiKey;
    });
  }
  listApiKeys(serviceAccountId: string, opts?: CallOptions): Promise<ApiKey[]> {
    return this.#call('listApiKeys', [serviceAccountId], opts, () => [...this.apiKeys.values()].filter((k) => k.apiKey.serviceAccountId === serviceAccountId).map((k) => k.apiKey));
  }
  deleteApiKey(id: string, opts?: CallOptions): Promise<void> {
    return this.#call('deleteApiKey', [id], opts, () => {
      if (!this.apiKeys.delete(id)) throw new NotFoundError(`API key ${id} not found`, { status: 'NOT_FOUND' });
    });
  }
  listScopes(opts?: CallOptions): Promise<string[]> {
    return this.#call('listScopes', [], opts, () => []);
  }
  /** Every role is known unless listed in `unknownRoles`. */
  readonly unknownRoles = new Set<string>();
  getRole(roleId: string, opts?: CallOptions): Promise<Role | undefined> {
    return this.#call('getRole', [roleId], opts, () => (this.unknownRoles.has(roleId) ? undefined : { id: roleId, description: '' }));
  }
  #secret(id: string): FakeSecret {
    const s = this.secrets.get(id);
    if (!s) throw new NotFoundError(`Secret ${id} not found`, { status: 'NOT_FOUND' });
    return s;
  }
  #secretView(s: FakeSecret): LockboxSecret {
    const current = s.versions.find((v) => v.id === s.currentVersionId);
    return {
      id: s.id, folderId: s.folderId, name: s.name, description: s.description, labels: { ...s.labels }, status: s.status,
      currentVersionId: s.currentVersionId, currentEntryKeys: Object.keys(current?.entries ?? {}),
    };
  }
  getSecret(secretId: string, opts?: CallOptions): Promise<LockboxSecret> {
    return this.#call('getSecret', [secretId], opts, () => this.#secretView(this.#secret(secretId)));
  }
  findSecretByName(folderId: string, name: string, opts?: CallOptions): Promise<LockboxSecret | undefined> {
    return this.#call('findSecretByName', [folderId, name], opts, () => {
      this.#folder(folderId);
      const s = [...this.secrets.values()].find((x) => x.folderId === folderId && x.name === name);
      return s ? this.#secretView(s) : undefined;
    });
  }
  createSecret(input: CreateSecretInput, opts?: CallOptions): Promise<{ secretId: string; versionId: string }> {
    return this.#call('createSecret', [structuredClone(input)], opts, () => {
      this.#folder(input.folderId);
      if (input.name && [...this.secrets.values()].some((x) => x.folderId === input.folderId && x.name === input.name)) {
        throw new AlreadyExistsError(`Secret with name '${input.name}' already exists in folder '${input.folderId}'`, { status: 'ALREADY_EXISTS' });
      }
      const version = { id: this.#id('e6q'), entries: { ...input.entries } };
      const s: FakeSecret = {
        id: this.#id('e6q'), folderId: input.folderId, name: input.name, description: input.description, labels: { ...input.labels },
        status: 'ACTIVE', versions: [version], currentVersionId: version.id,
      };
      this.secrets.set(s.id, s);
      return { secretId: s.id, versionId: version.id };
    });
  }
  addSecretVersion(input: AddSecretVersionInput, opts?: CallOptions): Promise<{ versionId: string }> {
    return this.#call('addSecretVersion', [structuredClone(input)], opts, () => {
      const s = this.#secret(input.secretId);
      const baseId = input.baseVersionId ?? s.currentVersionId;
      const base = baseId === undefined ? undefined : s.versions.find((v) => v.id === baseId);
      if (baseId !== undefined && !base) throw new NotFoundError(`Version ${baseId} not found`, { status: 'NOT_FOUND' });
      const version = { id: this.#id('e6q'), entries: { ...base?.entries, ...input.entries } };
      s.versions.push(version);
      s.currentVersionId = version.id;
      return { versionId: version.id };
    });
  }
  getSecretPayload(secretId: string, versionId?: string, opts?: CallOptions): Promise<SecretPayload> {
    return this.#call('getSecretPayload', [secretId, versionId], opts, () => {
      const s = this.#secret(secretId);
      const id = versionId ?? s.currentVersionId;
      const v = s.versions.find((x) => x.id === id);
      if (!v) throw new NotFoundError(`Version ${id ?? '(current)'} not found`, { status: 'NOT_FOUND' });
      return { versionId: v.id, entries: { ...v.entries } };
    });
  }
  close(): void {
    this.closed += 1;
  }

  /** Bindings on a folder that name this subject. */
  bindingsOf(folderId: string, subjectId: string): AccessBinding[] {
    return (this.folders.get(folderId)?.bindings ?? []).filter((b) => b.subject.id === subjectId);
  }
}

function sameBinding(a: AccessBinding, b: AccessBinding): boolean {
  return a.roleId === b.roleId && a.subject.type === b.subject.type && a.subject.id === b.subject.id;
}

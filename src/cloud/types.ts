/**
 * The cloud gateway in domain words (STYLE.md §7). Core code depends only on these types;
 * nothing here is a protobuf message. Implementations live in src/cloud/ (the only code that
 * imports @yandex-cloud/nodejs-sdk) and in test fakes.
 *
 * Every method throws the classes of src/errors.ts: AuthError (UNAUTHENTICATED, PERMISSION_DENIED),
 * NotFoundError, AlreadyExistsError, CloudError (anything else, INVALID_ARGUMENT included: the server
 * rejected input that our own validation let through).
 * Long-running operations are awaited inside the gateway.
 */
import type { Proxy } from '../config/proxy.js';

export interface Cloud {
  id: string;
  name: string;
}

export interface Folder {
  id: string;
  cloudId: string;
  name: string;
}

export interface Subject {
  /** 'serviceAccount' | 'userAccount' | 'federatedUser' | 'system' | 'group' */
  type: string;
  id: string;
}

export interface AccessBinding {
  roleId: string;
  subject: Subject;
}

export interface ServiceAccount {
  id: string;
  folderId: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  createdAt: Date | undefined;
}

export interface ApiKey {
  id: string;
  serviceAccountId: string;
  description: string;
  scopes: string[];
  createdAt: Date | undefined;
  expiresAt: Date | undefined;
  lastUsedAt: Date | undefined;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** Shown once. Never log it, never put it in an error. */
  secret: string;
}

export interface CreateServiceAccountInput {
  folderId: string;
  name: string;
  description: string;
  labels: Record<string, string>;
}

export interface CreateApiKeyInput {
  serviceAccountId: string;
  description: string;
  /** Never empty: an empty list makes the cloud grant ten default scopes. */
  scopes: string[];
  expiresAt: Date | undefined;
}

/** A role the cloud knows (RoleService). */
export interface Role {
  id: string;
  description: string;
}

/** Who the caller is, as far as the token tells. */
export interface Identity {
  /** 'serviceAccount' | 'userAccount' | 'unknown' */
  kind: string;
  id: string | undefined;
  /** IAM token expiry when known. */
  tokenExpiresAt: Date | undefined;
}

/** An operation the cloud accepted: its id, and the resource it works on when the metadata names one. */
export interface StartedOperation {
  operationId: string;
  /** E.g. the new service account's id, known as soon as the call is accepted. */
  resourceId: string | undefined;
}

/**
 * Per-call options. `signal` aborts waiting (not the server-side work): a read is abandoned at once;
 * an operation-returning call is never cut mid-flight, but waiting for its operation stops.
 */
export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Operation-returning calls: called once the cloud accepted the call, before waiting for the
   * operation, so a caller can say what may exist if the process is killed while waiting.
   */
  onOperation?: (started: StartedOperation) => void;
}

/** A Yandex Lockbox secret (its metadata; never its payload). */
export interface LockboxSecret {
  id: string;
  folderId: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  /** 'CREATING' | 'ACTIVE' | 'INACTIVE' | 'UNSPECIFIED'; only an active secret takes new versions. */
  status: string;
  /** undefined: the secret has no version yet. */
  currentVersionId: string | undefined;
  /** Entry keys of the current version (not their values). */
  currentEntryKeys: string[];
}

export interface CreateSecretInput {
  folderId: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  /** Text entries of the first version. Never logged. */
  entries: Record<string, string>;
}

export interface AddSecretVersionInput {
  secretId: string;
  /**
   * The version the entries are merged onto (keys not named are carried over from it). undefined:
   * the current version at the time the call arrives.
   */
  baseVersionId: string | undefined;
  /** Text entries to set. Never logged. */
  entries: Record<string, string>;
  description?: string;
}

/** A secret version's text entries (binary entries as base64). Holds secrets: never log it. */
export interface SecretPayload {
  versionId: string;
  entries: Record<string, string>;
}

export interface CloudGateway {
  /** The discovery endpoint this gateway was built for (host:port). */
  readonly endpoint: string;

  listClouds(opts?: CallOptions): Promise<Cloud[]>;
  getFolder(folderId: string, opts?: CallOptions): Promise<Folder>;
  /** Every folder of the cloud the caller may see. */
  listFolders(cloudId: string, opts?: CallOptions): Promise<Folder[]>;
  /** Folder names are unique per cloud: 0 or 1 result. */
  findFolderByName(cloudId: string, name: string, opts?: CallOptions): Promise<Folder | undefined>;
  listFolderAccessBindings(folderId: string, opts?: CallOptions): Promise<AccessBinding[]>;
  /** One UpdateAccessBindings call of ADD deltas. Returns the effective deltas. Never SetAccessBindings. */
  addFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<AccessBinding[]>;
  /** One UpdateAccessBindings call of REMOVE deltas (used for rollback). */
  removeFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<void>;

  getServiceAccount(id: string, opts?: CallOptions): Promise<ServiceAccount>;
  findServiceAccountByName(folderId: string, name: string, opts?: CallOptions): Promise<ServiceAccount | undefined>;
  listServiceAccounts(folderId: string, opts?: CallOptions): Promise<ServiceAccount[]>;
  createServiceAccount(input: CreateServiceAccountInput, opts?: CallOptions): Promise<ServiceAccount>;
  deleteServiceAccount(id: string, opts?: CallOptions): Promise<void>;

  createApiKey(input: CreateApiKeyInput, opts?: CallOptions): Promise<CreatedApiKey>;
  getApiKey(id: string, opts?: CallOptions): Promise<ApiKey>;
  listApiKeys(serviceAccountId: string, opts?: CallOptions): Promise<ApiKey[]>;
  deleteApiKey(id: string, opts?: CallOptions): Promise<void>;
  listScopes(opts?: CallOptions): Promise<string[]>;
  /** RoleService.Get; undefined when the cloud knows no such role (NOT_FOUND). */
  getRole(roleId: string, opts?: CallOptions): Promise<Role | undefined>;

  /** Lockbox (endpoints `lockbox`, `lockbox-payload`). SecretService.Get. */
  getSecret(secretId: string, opts?: CallOptions): Promise<LockboxSecret>;
  /** Secret names are unique per folder: 0 or 1 result (SecretService.List, matched client-side). */
  findSecretByName(folderId: string, name: string, opts?: CallOptions): Promise<LockboxSecret | undefined>;
  /** SecretService.Create with a first version holding `entries`; awaits the operation. */
  createSecret(input: CreateSecretInput, opts?: CallOptions): Promise<{ secretId: string; versionId: string }>;
  /** SecretService.AddVersion (the new version becomes current); awaits the operation. */
  addSecretVersion(input: AddSecretVersionInput, opts?: CallOptions): Promise<{ versionId: string }>;
  /** PayloadService.Get of `versionId`, or of the current version when undefined. */
  getSecretPayload(secretId: string, versionId?: string, opts?: CallOptions): Promise<SecretPayload>;

  /**
   * Retries of transient failures per call (--retries). Core loops that must recover between
   * attempts themselves (the key create: key-attempts.ts) spend the same budget.
   */
  readonly retries: number;

  /** Releases channels. Safe to call twice. */
  close(): void;
}

/** An authorized key file as `yc iam key create -o key.json` writes it (already validated). */
export interface AuthorizedKey {
  id: string;
  serviceAccountId: string;
  /** PKCS#8 PEM, possibly preceded by the "PLEASE DO NOT REMOVE THIS LINE!" header line. */
  privateKey: string;
}

/**
 * A credential as found by the auth chain. `source` says where it came from ('flag:--iam-token',
 * 'env:YC_TOKEN', ...). The gateway turns it into an IAM token at the endpoint in use.
 */
export type Credential =
  /**
   * A ready IAM token. The auth chain also produces this kind for sources it exchanges over plain
   * HTTP itself (workload identity federation, the metadata service), with `subject` and `expiresAt` when known.
   */
  | { kind: 'iam-token'; source: string; token: string; expiresAt?: Date; subject?: { type: 'serviceAccount' | 'userAccount'; id: string } }
  /** Legacy OAuth token: the gateway exchanges it at the discovered IAM endpoint. */
  | { kind: 'oauth-token'; source: string; token: string }
  /** Authorized key: the gateway signs a PS256 JWT and exchanges it at the discovered IAM endpoint. */
  | { kind: 'sa-key'; source: string; key: AuthorizedKey };

/** What `connect` needs. Endpoint and CA are resolved once by the caller (flag, env, profile, default). */
export interface ConnectTarget {
  /** Discovery endpoint, host:port. Services are found through ApiEndpointService.List. */
  endpoint: string;
  /** PEM roots for a private CA (--ca-file). Undefined: grpc defaults (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH or public roots). */
  caPem: Buffer | undefined;
  /** The proxy for a connection to host:port (HTTPS_PROXY/NO_PROXY, src/config/proxy.ts); undefined: all direct. */
  proxyFor?: (host: string, port: number) => Proxy | undefined;
  credential: Credential;
  /** Debug sink (stderr under --debug). Receives already-redacted text. */
  debug?: (line: string) => void;
  /** Called once with a one-line warning (e.g. OAuth deprecation). */
  warn?: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Retries for transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, RESOURCE_EXHAUSTED). Default 3. */
  retries?: number;
  /** Deadline of one RPC, ms. Default 30000. */
  callTimeoutMs?: number;
  /** Bound on waiting for one long-running operation, ms. Default 300000. */
  operationTimeoutMs?: number;
  /** Aborts discovery and the token exchange (Ctrl-C, --timeout). */
  signal?: AbortSignal;
  /**
   * Aborted when the run abandons every call still running (after the grace period and the
   * clean-up's bound that follow Ctrl-C, SIGTERM or --timeout): calls in flight are cancelled and
   * none starts after it, so a stalled service cannot hold the run for its per-call deadlines.
   */
  abandonSignal?: AbortSignal;
  /**
   * Backoff between retries (before jitter), ms. Default 200 ms doubling to 4 s (1 s to 8 s for
   * RESOURCE_EXHAUSTED). Tests shrink it.
   */
  backoff?: { baseMs: number; maxMs: number };
  /** Operation poll schedule overrides (tests). */
  poll?: { firstDelayMs?: number; factor?: number; maxDelayMs?: number };
}

export interface Connection {
  gateway: CloudGateway;
  identity: Identity;
  /** Resolved service addresses by endpoint id ('iam', 'resource-manager', 'operation', 'lockbox', ...), for whoami and --debug. */
  services?: Readonly<Record<string, string>>;
}

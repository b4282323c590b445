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

/** Who the caller is, as far as the token tells. */
export interface Identity {
  /** 'serviceAccount' | 'userAccount' | 'unknown' */
  kind: string;
  id: string | undefined;
  /** IAM token expiry when known. */
  tokenExpiresAt: Date | undefined;
}

/** Per-call options. `signal` aborts waiting (not the server-side work). */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface CloudGateway {
  /** The discovery endpoint this gateway was built for (host:port). */
  readonly endpoint: string;

  listClouds(opts?: CallOptions): Promise<Cloud[]>;
  getFolder(folderId: string, opts?: CallOptions): Promise<Folder>;
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
}

export interface Connection {
  gateway: CloudGateway;
  identity: Identity;
  /** Resolved service addresses by endpoint id ('iam', 'resource-manager', 'operation', 'lockbox', ...), for whoami and --debug. */
  services?: Readonly<Record<string, string>>;
}

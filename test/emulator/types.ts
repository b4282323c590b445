/**
 * Public contract of the Yandex Cloud emulator (test/emulator/). Tests, the demo and `npm run emulator`
 * use only this surface. The emulator follows ../shared/reference/yandex-cloud-api.md, not our CLI.
 */

import type { HostileOptions } from './hostile.js';

export type { CraftedIdStyle, HostileOptions, IdKind } from './hostile.js';

export type GrpcStatusName =
  | 'CANCELLED' | 'UNKNOWN' | 'INVALID_ARGUMENT' | 'DEADLINE_EXCEEDED' | 'NOT_FOUND' | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED' | 'RESOURCE_EXHAUSTED' | 'FAILED_PRECONDITION' | 'ABORTED' | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED' | 'INTERNAL' | 'UNAVAILABLE' | 'DATA_LOSS' | 'UNAUTHENTICATED';

import type { FidelityOptions } from './fidelity.js';

/** Short method name as `Service/Method`, e.g. 'ServiceAccountService/Create', 'OperationService/Get'. */
export type MethodName = string;

export type Fault =
  /** Reply with this status `times` times (default 1), without doing the work. */
  | { kind: 'error'; code: GrpcStatusName; message?: string; times?: number }
  /** Do the work, then reply UNAVAILABLE (the answer is lost). */
  | { kind: 'lost-answer'; times?: number }
  /** Operation-returning method: the operation ends with this error (work is undone, like the real rollback). */
  | { kind: 'operation-error'; code: GrpcStatusName; message?: string; times?: number }
  /** Extra latency for this method, in ms. */
  | { kind: 'delay'; ms: number; times?: number };

export interface JournalEntry {
  /** 'ServiceAccountService/Create' */
  method: MethodName;
  /** Full gRPC path '/yandex.cloud.iam.v1.ServiceAccountService/Create', or 'HTTP POST /oauth/token'. */
  path: string;
  /** Decoded request as plain JSON-able object (ts-proto `toJSON` shape). */
  request: unknown;
  /** Lowercased metadata keys -> values (authorization included, as sent). */
  metadata: Record<string, string>;
  /** Status the emulator answered with ('OK' or a status name). */
  status: 'OK' | GrpcStatusName;
  at: Date;
  /** HTTP side channel only: the HTTP status code sent. */
  httpStatus?: number;
  /** The `x-request-id` the emulator answered with (gRPC only). */
  requestId?: string;
}

export interface SeedAuthorizedKey {
  id: string;
  serviceAccountId: string;
  /** SPKI PEM. */
  publicKey: string;
}

/** A role on a resource, as seeded. */
export interface SeedBinding {
  roleId: string;
  subject: { type: string; id: string };
}

/** An API key that exists from the start (counts towards the per-cloud quota). */
export interface SeedApiKey {
  id: string;
  serviceAccountId: string;
  description?: string;
  scopes?: string[];
  expiresAt?: Date;
  /** Secret (listed by secrets()); minted when omitted. */
  secret?: string;
}

export interface Fixture {
  /** `bindings`: roles on the cloud itself; they apply to every folder in it. */
  clouds: Array<{ id: string; name: string; organizationId?: string; bindings?: SeedBinding[] }>;
  folders: Array<{ id: string; cloudId: string; name: string; bindings?: Array<{ roleId: string; subject: { type: string; id: string } }> }>;
  /** Identities that can hold tokens. */
  users: Array<{ id: string; type: 'userAccount' | 'serviceAccount' }>;
  serviceAccounts?: Array<{ id: string; folderId: string; name: string; description?: string; labels?: Record<string, string> }>;
  authorizedKeys?: SeedAuthorizedKey[];
  /** IAM tokens valid from the start, token -> subject id. */
  iamTokens?: Record<string, string>;
  /** Accepted OAuth tokens, token -> user id. */
  oauthTokens?: Record<string, string>;
  /** Workload identity: subject tokens accepted at POST /oauth/token, subject token -> service account id. */
  federatedTokens?: Record<string, string>;
  /** The service account the metadata service hands tokens for (none: 404). */
  metadataServiceAccountId?: string;
  /** Folder id the metadata service reports. */
  metadataFolderId?: string;
  /** API keys that exist from the start (e.g. 999 of them to reach the 1,000-per-cloud quota cheaply). */
  apiKeys?: SeedApiKey[];
}

/** Per-cloud quotas (defaults are the real ones, reference §10). */
export interface Quotas {
  /** iam.serviceAccounts.count, default 100. */
  serviceAccountsPerCloud?: number;
  /** iam.apiKeys.count, default 1000. */
  apiKeysPerCloud?: number;
  /** lockbox secrets per cloud, default 10000. */
  secretsPerCloud?: number;
  /** lockbox versions per secret, default 1000. */
  versionsPerSecret?: number;
}

export interface EmulatorOptions {
  fixture?: Fixture;
  /** Latency added to every gRPC call, ms (default 0). */
  latencyMs?: number;
  /** Time from operation creation to done, ms (default 0 = done on the first Get). */
  operationDelayMs?: number;
  /** The emulator's clock, ms since the epoch (default Date.now): a test moves it to finish operations without waiting. */
  now?: () => number;
  /** Send x-request-id / x-server-trace-id headers before an error (makes the SDK throw ApiError). Default true. */
  sendHeadersBeforeError?: boolean;
  /** First N OperationService.Get calls for a new operation answer NOT_FOUND (default 0). */
  operationNotFoundPolls?: number;
  /** Send x-operation-poll-interval (seconds) on OperationService.Get when set. */
  operationPollIntervalHeader?: number;
  /** Host to bind and advertise (default '127.0.0.1'). The certificate covers localhost, 127.0.0.1 and ::1. */
  host?: string;
  /** Port (default 0 = any free port). */
  port?: number;
  /**
   * Operation-returning calls answer with `done: true` (and the response) right away instead of
   * `done: false` (reference §8 "already done" mode). Default false.
   */
  operationsDoneOnCreate?: boolean;
  /** Override the real per-cloud quotas. */
  quotas?: Quotas;
  /** Port of the HTTP side channel (default 0 = any free port). */
  httpPort?: number;
  /** Hostile mode: crafted IDs and secrets, escapes in text, hostile and huge error messages (hostile.ts). */
  hostile?: HostileOptions;
  /**
   * Discovery answers these addresses for these endpoint ids instead of the emulator's own (a
   * hostile or misconfigured installation pointing a service at another host). Default: none.
   */
  discoveryAddresses?: Readonly<Record<string, string>>;
  /** Behaviours no source settles, one switch each (fidelity.ts; README "Fidelity switches"). */
  fidelity?: FidelityOptions;
  /**
   * Endpoint ids (`iam`, `operation`, `lockbox`, …) that discovery points at a stalled endpoint
   * (TCP accepted, never an answer: startStalledEndpoint), started and stopped with the emulator.
   * The run gets past discovery and stalls at its first call to such a service.
   */
  stalledServices?: string[];
  /** Lockbox secret states the real API has and no source details (README "Lockbox states"). */
  lockbox?: LockboxStateOptions;
}

export interface LockboxStateOptions {
  /**
   * What PayloadService.Get (and AddVersion) answer for a deactivated (INACTIVE) secret. The docs say
   * only that its content is inaccessible; the code is UNCONFIRMED. Default 'FAILED_PRECONDITION'.
   */
  inactiveAnswer?: 'FAILED_PRECONDITION' | 'PERMISSION_DENIED' | 'NOT_FOUND';
  /**
   * A new secret stays CREATING this long (ms) after SecretService.Create, whatever its operation
   * says; meanwhile PayloadService.Get and AddVersion answer FAILED_PRECONDITION. Default 0.
   */
  creatingMs?: number;
}

export interface Emulator {
  /** host:port of the gRPC server: use as --endpoint. */
  readonly endpoint: string;
  /** CA certificate (PEM) that signed the server certificate. */
  readonly caPem: string;
  /** Path of a file holding caPem (for --ca-file / GRPC_DEFAULT_SSL_ROOTS_FILE_PATH). */
  readonly caFile: string;
  /** Base URL of the HTTP side channel: metadata service and POST /oauth/token, e.g. http://127.0.0.1:PORT */
  readonly httpUrl: string;
  readonly journal: JournalEntry[];
  /** Connections the stalled listener of `stalledServices` accepted so far (0 without one). */
  stalledAccepted(): number;
  /** Journal entries of calls that change state (Create/Update/Delete/Set/AddVersion, token exchange excluded). */
  mutations(): JournalEntry[];
  /** Queue a fault for a method ('ServiceAccountService/Create'). Faults queue in order. */
  inject(method: MethodName, fault: Fault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setOperationDelay(ms: number): void;
  /**
   * Mint a valid IAM token for a subject id (user or service account). `ttlMs` defaults to 12 h;
   * a negative value gives an already expired token. Throws for an unknown subject.
   */
  issueIamToken(subjectId: string, opts?: { ttlMs?: number }): string;
  /** Every IAM token, API key secret and OAuth token the emulator issued or accepted (for leak scans). */
  secrets(): string[];
  /** Read-only views of the state for assertions. */
  state: {
    serviceAccounts(): Array<{ id: string; folderId: string; name: string; description: string; labels: Record<string, string> }>;
    apiKeys(): Array<{ id: string; serviceAccountId: string; description: string; scopes: string[]; expiresAt?: Date }>;
    folderBindings(folderId: string): Array<{ roleId: string; subject: { type: string; id: string } }>;
    /** `payload`: entries of the current version; binary values as base64. */
    lockboxSecrets(): Array<{ id: string; folderId: string; name: string; currentVersionId?: string; payload: Record<string, string> }>;
    /** Operations as the server holds them now (done or not). */
    operations(): Array<{ id: string; method: MethodName; description: string; done: boolean; error?: { code: GrpcStatusName; message: string }; createdBy: string }>;
    /** Bindings set on the cloud itself. */
    cloudBindings(cloudId: string): Array<{ roleId: string; subject: { type: string; id: string } }>;
  };
  /** The fixture the emulator was seeded with (the default fixture when none was given). */
  readonly fixture: Fixture;
  /** Temporary directory holding caFile; removed by stop(). Put other throw-away files here. */
  readonly workDir: string;
  /** Journal entries for one method ('ServiceAccountService/Create' or 'HTTP POST /oauth/token'). */
  calls(method: MethodName): JournalEntry[];
  /** Every method name inject() accepts. */
  methods(): MethodName[];
  stop(): Promise<void>;
}

/** The default fixture: see defaultFixture() in test/emulator/fixture.ts. */
export interface DefaultFixtureIds {
  cloudId: string;
  folderId: string;
  otherFolderId: string;
  userId: string;
  /** A user with only viewer on the folder (PERMISSION_DENIED paths). */
  viewerUserId: string;
  userIamToken: string;
  viewerIamToken: string;
  userOauthToken: string;
}

/** An authorized key file in yc's format (`yc iam key create -o key.json`). */
export interface AuthorizedKeyFile {
  id: string;
  service_account_id: string;
  created_at: string;
  key_algorithm: 'RSA_2048' | 'RSA_4096';
  public_key: string;
  /** PKCS#8 PEM preceded by the `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <id>` line. */
  private_key: string;
}

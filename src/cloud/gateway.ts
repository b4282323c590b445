/**
 * CloudGateway over the SDK's generated clients (STYLE.md §7). Returns our domain types; throws
 * the classes of src/errors.ts (mapping in ./errors.ts). Built by `connect()`; not for direct use.
 */
import type { ApiKey as PbApiKey } from '@yandex-cloud/nodejs-sdk/iam-v1/api_key';
import type { ServiceAccount as PbServiceAccount } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import type { Folder as PbFolder } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import type { AccessBindingAction as PbAccessBindingAction } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  access,
  apiKeyService,
  clientFactory,
  cloudService,
  folderService,
  operationService,
  roleService,
  serviceAccount,
  serviceAccountService,
} from './sdk.js';
import { CloudError, NotFoundError, UsageError } from '../errors.js';
import { markStartedOperation, operationErrorToAppError, toAppError, type ErrorContext } from './errors.js';
import { pollOperation, type PollResult } from './poller.js';
import { checkedId, checkedOptionalId, checkedSecret, isResourceId, MalformedAnswerError } from './shapes.js';
import type { EndpointMap } from './endpoints.js';
import type { LockboxApi } from './lockbox.js';
import type { CallOpts, CallSpec, Caller, ChannelPool } from './transport.js';
import type {
  AccessBinding,
  AddSecretVersionInput,
  ApiKey,
  CallOptions,
  Cloud,
  CloudGateway,
  CreateApiKeyInput,
  CreatedApiKey,
  CreateSecretInput,
  CreateServiceAccountInput,
  Folder,
  LockboxSecret,
  Role,
  SecretPayload,
  ServiceAccount,
} from './types.js';

export interface GatewaySettings {
  endpoint: string;
  services: EndpointMap;
  pool: ChannelPool;
  caller: Caller;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  operationTimeoutMs: number;
  /** Hints for UNAUTHENTICATED, specific to the credential in use. */
  authHints: string[];
  /** Poll schedule overrides (tests). */
  poll?: { firstDelayMs?: number | undefined; factor?: number | undefined; maxDelayMs?: number | undefined } | undefined;
}

/** Page size for every List: the API maximum, so most lists are one call. */
const PAGE_SIZE = 1000;
/** A server that keeps handing out page tokens is broken; stop rather than loop forever. */
const MAX_PAGES = 1000;
/** Names the List filter accepts (reference §5); other names are matched client-side. */
const FILTERABLE_NAME = /^[a-z][-a-z0-9]{1,61}[a-z0-9]$/;

function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** Decodes an Any after checking its type; undefined when absent. */
function unpack<T>(any: { typeUrl: string; value: Buffer } | undefined, fullName: string, codec: { decode(b: Uint8Array): T }): T | undefined {
  if (!any || (!any.typeUrl && any.value.length === 0)) return undefined;
  if (typeName(any.typeUrl) !== fullName) {
    throw new CloudError(`The cloud answered with ${typeName(any.typeUrl) || 'an untyped message'} where ${fullName} was expected.`, {
      hints: ['This looks like an API change; please report it with the --debug output.'],
    });
  }
  return codec.decode(any.value);
}

// The converters below are where answers become domain values: every ID is checked here
// (src/cloud/shapes.ts), so the gateway hands out nothing unchecked.

function toServiceAccount(sa: PbServiceAccount): ServiceAccount {
  return {
    id: checkedId(sa.id, 'service account ID'),
    folderId: checkedId(sa.folderId, 'folder ID of a service account'),
    name: sa.name,
    description: sa.description,
    labels: { ...sa.labels },
    createdAt: sa.createdAt,
  };
}

function toApiKey(k: PbApiKey): ApiKey {
  return {
    id: checkedId(k.id, 'API key ID'),
    serviceAccountId: checkedId(k.serviceAccountId, 'service account ID of an API key'),
    description: k.description,
    scopes: k.scopes.length > 0 ? [...k.scopes] : k.scope ? [k.scope] : [],
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
  };
}

function toFolder(f: PbFolder): Folder {
  return { id: checkedId(f.id, 'folder ID'), cloudId: checkedOptionalId(f.cloudId, 'cloud ID of a folder') ?? '', name: f.name };
}

/** What `mutate` may do besides sending and waiting. */
export interface MutateExtra {
  /**
   * When the answer is malformed (the operation's ID, or the ID of what it works on): removes what
   * the finished operation made, from its raw answer, before the MalformedAnswerError is thrown.
   */
  compensate?: (op: Operation) => Promise<void>;
  /** false: no ID checks (a compensating delete, sent with an ID that already failed its check). */
  checkIds?: boolean;
}

function toBinding(b: { roleId: string; subject?: { id: string; type: string } | undefined }): AccessBinding {
  return { roleId: b.roleId, subject: { type: b.subject?.type ?? '', id: b.subject?.id ?? '' } };
}

/** The gateway. One client per service, all over the pool's shared channels. */
export class SdkGateway implements CloudGateway {
  readonly endpoint: string;
  private readonly caller: Caller;
  private readonly serviceAccounts;
  private readonly apiKeys;
  private readonly folders;
  private readonly clouds;
  private readonly operations;
  private readonly roles;
  private closed = false;
  private lockboxApi: Promise<LockboxApi> | undefined;

  constructor(private readonly s: GatewaySettings) {
    this.endpoint = s.endpoint;
    this.caller = s.caller;
    const iam = s.pool.get(s.services.iam);
    const rm = s.pool.get(s.services['resource-manager']);
    this.serviceAccounts = clientFactory.create(serviceAccountService.ServiceAccountServiceService, iam);
    this.apiKeys = clientFactory.create(apiKeyService.ApiKeyServiceService, iam);
    this.roles = clientFactory.create(roleService.RoleServiceService, iam);
    this.folders = clientFactory.create(folderService.FolderServiceService, rm);
    this.clouds = clientFactory.create(cloudService.CloudServiceService, rm);
    this.operations = clientFactory.create(operationService.OperationServiceService, s.pool.get(s.services.operation));
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private ctx(c: ErrorContext): ErrorContext {
    return { authHints: this.s.authHints, redact: (text) => this.caller.redact(text), ...c };
  }

  private read<Res>(method: string, ctx: ErrorContext, opts: CallOptions | undefined, invoke: (o: CallOpts) => Promise<Res>): Promise<Res> {
    return this.caller.run({ method, kind: 'read', ctx: this.ctx(ctx), signal: opts?.signal }, invoke);
  }

  /** Follows next_page_token through every page. */
  private async pages<Item, Res extends { nextPageToken: string }>(
    method: string,
    ctx: ErrorContext,
    opts: CallOptions | undefined,
    fetch: (pageToken: string, o: CallOpts) => Promise<Res>,
    items: (res: Res) => Item[],
  ): Promise<Item[]> {
    const out: Item[] = [];
    const seen = new Set<string>();
    let token = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.read(method, ctx, opts, (o) => fetch(token, o));
      out.push(...items(res));
      if (!res.nextPageToken || seen.has(res.nextPageToken)) return out;
      seen.add(res.nextPageToken);
      token = res.nextPageToken;
    }
    return out;
  }

  /** One OperationService.Get, unmapped (the poller classifies failures), with the poll-interval hint. */
  private async getOperation(operationId: string, signal: AbortSignal | undefined): Promise<PollResult<Operation>> {
    let pollIntervalSeconds: number | undefined;
    const spec: CallSpec = {
      method: 'OperationService/Get',
      kind: 'read',
      ctx: this.ctx({ action: `check operation ${operationId}` }),
      signal,
      onHeader: (h) => {
        const v = h.get('x-operation-poll-interval');
        const n = typeof v === 'string' ? Number(v) : NaN;
        if (Number.isFinite(n) && n >= 0) pollIntervalSeconds = n;
      },
    };
    const operation = await this.caller.attempt(spec, (o) => this.operations.get(operationService.GetOperationRequest.fromPartial({ operationId }), o));
    return { operation, pollIntervalSeconds };
  }

  /**
   * An operation-returning mutation: sent with an idempotency-key (reused across retries), then
   * awaited with our poller. Returns the finished operation. `opts.onOperation` hears of the
   * accepted operation before the wait; an error thrown while waiting is marked with the operation
   * and its resource (markStartedOperation), since the work may still be done.
   * @throws the mapped `op.error`, OperationTimeoutError, OperationInterruptedError, or mapped call errors
   */
  private async mutate(
    method: string,
    ctx: ErrorContext,
    opts: CallOptions | undefined,
    invoke: (o: CallOpts) => Promise<Operation>,
    resourceIdOf?: (op: Operation) => string | undefined,
    extra: MutateExtra = {},
  ): Promise<Operation> {
    const full = this.ctx(ctx);
    const op = await this.caller.run({ method, kind: 'mutation', ctx: full, signal: opts?.signal }, invoke);
    let rawResourceId: string | undefined;
    try {
      rawResourceId = resourceIdOf?.(op) || undefined;
    } catch {
      rawResourceId = undefined;
    }
    // A malformed answer is still waited for (by the raw ID, which goes only back to the cloud), so
    // what it made can be removed; nothing else is done with it.
    const check = extra.checkIds !== false;
    const malformed =
      check && !isResourceId(op.id)
        ? new MalformedAnswerError(`operation ID (${method})`, op.id)
        : check && rawResourceId !== undefined && !isResourceId(rawResourceId)
          ? new MalformedAnswerError(`resource ID (${method})`, rawResourceId)
          : undefined;
    const resourceId = malformed ? undefined : rawResourceId;
    if (!malformed) {
      if (!op.done) this.caller.debug(`operation ${op.id} started (${method}${resourceId ? `, resource ${resourceId}` : ''})`);
      opts?.onOperation?.({ operationId: op.id, resourceId });
    }
    let final: Operation;
    try {
      final = await pollOperation(op, {
        get: (id, signal) => this.getOperation(id, signal),
        sleep: this.s.sleep,
        now: this.s.now,
        signal: opts?.signal,
        timeoutMs: this.s.operationTimeoutMs,
        retries: this.caller.retries,
        resourceId,
        backoff: this.caller.backoff,
        firstDelayMs: this.s.poll?.firstDelayMs,
        factor: this.s.poll?.factor,
        maxDelayMs: this.s.poll?.maxDelayMs,
        onPoll: (e) => {
          if (e.outcome !== 'done' && e.outcome !== 'running') this.caller.debug(`operation ${malformed ? '(malformed ID)' : op.id} poll ${e.poll + 1}: ${e.outcome}, tolerated`);
        },
      });
    } catch (err) {
      if (malformed) throw malformed;
      const mapped = toAppError(err, { ...full, action: `wait for operation ${op.id} to ${ctx.action}`, resource: `operation ${op.id}` });
      throw markStartedOperation(mapped, { operationId: op.id, resourceId });
    }
    if (malformed) {
      if (!final.error) await this.compensate(malformed, final, extra);
      throw malformed;
    }
    if (final.error) throw operationErrorToAppError(final.error, full, final.id);
    return final;
  }

  /**
   * Runs `extra.compensate` for a finished operation whose answer is malformed; what could not be
   * removed becomes a hint of `error`. Never throws.
   */
  private async compensate(error: MalformedAnswerError, op: Operation, extra: MutateExtra): Promise<void> {
    if (!extra.compensate) return;
    try {
      await extra.compensate(op);
      error.hints.push('What the call made was removed again.');
    } catch (e) {
      error.hints.push(`What the call made could not be removed (${e instanceof Error ? e.message : String(e)}).`);
    }
  }

  /**
   * A delete by an ID the cloud gave that failed its check: sent as is (it goes only back to the
   * cloud), no checks on the answer.
   */
  private async deleteUnchecked(method: 'ServiceAccountService/Delete' | 'ApiKeyService/Delete', id: string): Promise<void> {
    const ctx = { action: `delete the ${method === 'ApiKeyService/Delete' ? 'API key' : 'service account'} with the malformed ID` };
    await this.mutate(
      method,
      ctx,
      undefined,
      (o) =>
        method === 'ApiKeyService/Delete'
          ? this.apiKeys.delete(apiKeyService.DeleteApiKeyRequest.fromPartial({ apiKeyId: id }), o)
          : this.serviceAccounts.delete(serviceAccountService.DeleteServiceAccountRequest.fromPartial({ serviceAccountId: id }), o),
      undefined,
      { checkIds: false },
    );
  }

  // ---- resource manager --------------------------------------------------------------------------

  listClouds(opts?: CallOptions): Promise<Cloud[]> {
    return this.pages(
      'CloudService/List',
      { action: 'list clouds', needs: '`resource-manager.clouds.member` or `viewer` on a cloud' },
      opts,
      (pageToken, o) => this.clouds.list(cloudService.ListCloudsRequest.fromPartial({ pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.clouds.map((c) => ({ id: checkedId(c.id, 'cloud ID'), name: c.name })),
    );
  }

  async getFolder(folderId: string, opts?: CallOptions): Promise<Folder> {
    const f = await this.read(
      'FolderService/Get',
      { action: `read folder ${folderId}`, needs: `\`resource-manager.viewer\` or \`viewer\` on folder ${folderId}`, resource: `folder ${folderId}` },
      opts,
      (o) => this.folders.get(folderService.GetFolderRequest.fromPartial({ folderId }), o),
    );
    return toFolder(f);
  }

  listFolders(cloudId: string, opts?: CallOptions): Promise<Folder[]> {
    return this.pages(
      'FolderService/List',
      { action: `list folders in cloud ${cloudId}`, needs: `\`resource-manager.viewer\` or \`viewer\` on cloud ${cloudId}`, resource: `cloud ${cloudId}` },
      opts,
      (pageToken, o) => this.folders.list(folderService.ListFoldersRequest.fromPartial({ cloudId, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.folders.map(toFolder),
    );
  }

  async findFolderByName(cloudId: string, name: string, opts?: CallOptions): Promise<Folder | undefined> {
    const filter = FILTERABLE_NAME.test(name) ? `name="${name}"` : '';
    const all = await this.pages(
      'FolderService/List',
      { action: `list folders in cloud ${cloudId}`, needs: `\`resource-manager.viewer\` or \`viewer\` on cloud ${cloudId}`, resource: `cloud ${cloudId}` },
      opts,
      (pageToken, o) => this.folders.list(folderService.ListFoldersRequest.fromPartial({ cloudId, filter, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.folders,
    );
    const hit = all.find((f) => f.name === name);
    return hit ? toFolder(hit) : undefined;
  }

  listFolderAccessBindings(folderId: string, opts?: CallOptions): Promise<AccessBinding[]> {
    return this.pages(
      'FolderService/ListAccessBindings',
      {
        action: `list the access bindings of folder ${folderId}`,
        needs: `\`resource-manager.auditor\`, \`viewer\` or \`admin\` on folder ${folderId}`,
        resource: `folder ${folderId}`,
      },
      opts,
      (pageToken, o) => this.folders.listAccessBindings(access.ListAccessBindingsRequest.fromPartial({ resourceId: folderId, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.accessBindings.map(toBinding),
    );
  }

  private async updateBindings(folderId: string, bindings: AccessBinding[], action: PbAccessBindingAction, opts?: CallOptions): Promise<AccessBinding[]> {
    if (bindings.length === 0) return [];
    const verb = action === access.AccessBindingAction.ADD ? 'grant roles on' : 'revoke roles on';
    const op = await this.mutate(
      'FolderService/UpdateAccessBindings',
      {
        action: `${verb} folder ${folderId}`,
        needs: `\`admin\` or \`resource-manager.admin\` on it (and you can only grant roles you hold yourself)`,
        resource: `folder ${folderId} (or a subject or role in the request)`,
      },
      opts,
      (o) =>
        this.folders.updateAccessBindings(
          access.UpdateAccessBindingsRequest.fromPartial({
            resourceId: folderId,
            accessBindingDeltas: bindings.map((b) => ({ action, accessBinding: { roleId: b.roleId, subject: { id: b.subject.id, type: b.subject.type } } })),
          }),
          o,
        ),
      (op) => unpack(op.metadata, 'yandex.cloud.access.UpdateAccessBindingsMetadata', access.UpdateAccessBindingsMetadata)?.resourceId,
    );
    const resultType = 'yandex.cloud.access.AccessBindingsOperationResult';
    if (op.response && typeName(op.response.typeUrl) === resultType) {
      const result = unpack(op.response, resultType, access.AccessBindingsOperationResult);
      return (result?.effectiveDeltas ?? [])
        .filter((d) => d.action === action && d.accessBinding)
        .map((d) => toBinding(d.accessBinding ?? { roleId: '' }));
    }
    // google.protobuf.Empty (folder_service.proto before cloudapi 807f2a1) or any other answer: the
    // change is done but its effective deltas are not told. What the folder's list shows now is
    // what the cloud confirms: the requested bindings present after an ADD, absent after a REMOVE.
    this.caller.debug(`operation ${op.id} answered ${op.response ? typeName(op.response.typeUrl) || 'an untyped message' : 'nothing'}; reading the folder's bindings to see what changed`);
    const now = await this.listFolderAccessBindings(folderId);
    const present = (b: AccessBinding): boolean => now.some((x) => x.roleId === b.roleId && x.subject.type === b.subject.type && x.subject.id === b.subject.id);
    return bindings.filter((b) => (action === access.AccessBindingAction.ADD ? present(b) : !present(b)));
  }

  addFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<AccessBinding[]> {
    return this.updateBindings(folderId, bindings, access.AccessBindingAction.ADD, opts);
  }

  async removeFolderAccessBindings(folderId: string, bindings: AccessBinding[], opts?: CallOptions): Promise<void> {
    await this.updateBindings(folderId, bindings, access.AccessBindingAction.REMOVE, opts);
  }

  // ---- service accounts --------------------------------------------------------------------------

  async getServiceAccount(id: string, opts?: CallOptions): Promise<ServiceAccount> {
    const sa = await this.read(
      'ServiceAccountService/Get',
      { action: `read service account ${id}`, needs: '`iam.serviceAccounts.user` or `viewer` on its folder', resource: `service account ${id}` },
      opts,
      (o) => this.serviceAccounts.get(serviceAccountService.GetServiceAccountRequest.fromPartial({ serviceAccountId: id }), o),
    );
    return toServiceAccount(sa);
  }

  private listAccounts(folderId: string, filter: string, opts?: CallOptions): Promise<PbServiceAccount[]> {
    return this.pages(
      'ServiceAccountService/List',
      { action: `list service accounts in folder ${folderId}`, needs: `\`viewer\` on folder ${folderId}`, resource: `folder ${folderId}` },
      opts,
      (pageToken, o) => this.serviceAccounts.list(serviceAccountService.ListServiceAccountsRequest.fromPartial({ folderId, filter, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.serviceAccounts,
    );
  }

  async findServiceAccountByName(folderId: string, name: string, opts?: CallOptions): Promise<ServiceAccount | undefined> {
    const found = await this.listAccounts(folderId, FILTERABLE_NAME.test(name) ? `name="${name}"` : '', opts);
    const hit = found.find((sa) => sa.name === name);
    return hit ? toServiceAccount(hit) : undefined;
  }

  async listServiceAccounts(folderId: string, opts?: CallOptions): Promise<ServiceAccount[]> {
    return (await this.listAccounts(folderId, '', opts)).map(toServiceAccount);
  }

  async createServiceAccount(input: CreateServiceAccountInput, opts?: CallOptions): Promise<ServiceAccount> {
    const metadataOf = (op: Operation) =>
      unpack(op.metadata, 'yandex.cloud.iam.v1.CreateServiceAccountMetadata', serviceAccountService.CreateServiceAccountMetadata)?.serviceAccountId;
    const responseOf = (op: Operation) => unpack(op.response, 'yandex.cloud.iam.v1.ServiceAccount', serviceAccount.ServiceAccount);
    // A malformed answer: the account it names is deleted by that name (the raw ID goes only back to the cloud).
    const compensate = async (op: Operation): Promise<void> => {
      const raw = responseOf(op)?.id || metadataOf(op);
      if (raw) await this.deleteUnchecked('ServiceAccountService/Delete', raw);
    };
    const op = await this.mutate(
      'ServiceAccountService/Create',
      {
        action: `create service account "${input.name}" in folder ${input.folderId}`,
        needs: `\`iam.serviceAccounts.admin\` or \`editor\` on folder ${input.folderId}`,
        resource: `folder ${input.folderId}`,
        existsHints: ['Service account names are unique in the whole cloud, not just the folder: choose another --name.'],
      },
      opts,
      (o) =>
        this.serviceAccounts.create(
          serviceAccountService.CreateServiceAccountRequest.fromPartial({ folderId: input.folderId, name: input.name, description: input.description, labels: input.labels }),
          o,
        ),
      metadataOf,
      { compensate },
    );
    const sa = responseOf(op);
    if (sa) {
      try {
        return toServiceAccount(sa);
      } catch (error) {
        if (error instanceof MalformedAnswerError) await this.compensate(error, op, { compensate });
        throw error;
      }
    }
    // Done without a response body: read the account the metadata names (checked by mutate).
    const id = metadataOf(op);
    if (!id) throw new CloudError(`Operation ${op.id} finished without naming the new service account.`);
    return this.getServiceAccount(id, opts);
  }

  async deleteServiceAccount(id: string, opts?: CallOptions): Promise<void> {
    await this.mutate(
      'ServiceAccountService/Delete',
      { action: `delete service account ${id}`, needs: '`iam.serviceAccounts.admin` or `editor` on its folder', resource: `service account ${id}` },
      opts,
      (o) => this.serviceAccounts.delete(serviceAccountService.DeleteServiceAccountRequest.fromPartial({ serviceAccountId: id }), o),
      (op) => unpack(op.metadata, 'yandex.cloud.iam.v1.DeleteServiceAccountMetadata', serviceAccountService.DeleteServiceAccountMetadata)?.serviceAccountId,
    );
  }

  // ---- API keys ----------------------------------------------------------------------------------

  /**
   * ApiKeyService.Create returns the secret directly, no operation, and is not known to honour an
   * idempotency-key. So it is never repeated blindly: a failure after which the key may exist
   * throws AmbiguousOutcomeError (the caller lists the account's keys, deletes the ones it marked,
   * and tries again: core/create-key.ts).
   * @throws UsageError for an empty scope list (the cloud would grant ten default scopes)
   */
  async createApiKey(input: CreateApiKeyInput, opts?: CallOptions): Promise<CreatedApiKey> {
    if (input.scopes.length === 0) {
      throw new UsageError('Refusing to create an API key with no scopes: the cloud would grant ten default scopes. Name the scopes with --scopes.');
    }
    const res = await this.caller.run(
      {
        method: 'ApiKeyService/Create',
        kind: 'once',
        ctx: this.ctx({
          action: `create an API key for service account ${input.serviceAccountId}`,
          needs: `\`iam.serviceAccounts.apiKeyAdmin\`, \`iam.serviceAccounts.admin\` or \`editor\` on service account ${input.serviceAccountId} or its folder`,
          resource: `service account ${input.serviceAccountId}`,
        }),
        signal: opts?.signal,
      },
      (o) =>
        this.apiKeys.create(
          apiKeyService.CreateApiKeyRequest.fromPartial({
            serviceAccountId: input.serviceAccountId,
            description: input.description,
            scopes: input.scopes,
            expiresAt: input.expiresAt,
          }),
          o,
        ),
    );
    if (!res.apiKey || !res.secret) throw new CloudError('The cloud created an API key but returned no key or no secret.');
    // From now on the secret is blanked wherever it might surface (debug lines, error text).
    this.caller.remember(res.secret);
    try {
      const apiKey = toApiKey(res.apiKey);
      if (apiKey.serviceAccountId !== input.serviceAccountId) throw new MalformedAnswerError(`service account ID of the new API key (not ${input.serviceAccountId})`, apiKey.serviceAccountId);
      return { apiKey, secret: checkedSecret(res.secret) };
    } catch (error) {
      if (!(error instanceof MalformedAnswerError)) throw error;
      // Nobody may use a key whose answer is malformed: delete it by the ID it came with.
      const raw = res.apiKey.id;
      try {
        if (!raw) throw new Error('the answer named no key ID');
        await this.deleteUnchecked('ApiKeyService/Delete', raw);
        error.hints.push('The API key it made was deleted again.');
      } catch (e) {
        error.hints.push(`The API key it made could not be deleted (${e instanceof Error ? e.message : String(e)}); deleting its service account removes it.`);
      }
      throw error;
    }
  }

  async getApiKey(id: string, opts?: CallOptions): Promise<ApiKey> {
    const k = await this.read(
      'ApiKeyService/Get',
      { action: `read API key ${id}`, needs: '`iam.serviceAccounts.apiKeyAdmin`, `viewer` or `editor` on its service account or folder', resource: `API key ${id}` },
      opts,
      (o) => this.apiKeys.get(apiKeyService.GetApiKeyRequest.fromPartial({ apiKeyId: id }), o),
    );
    return toApiKey(k);
  }

  listApiKeys(serviceAccountId: string, opts?: CallOptions): Promise<ApiKey[]> {
    return this.pages(
      'ApiKeyService/List',
      {
        action: `list the API keys of service account ${serviceAccountId}`,
        needs: `\`viewer\` on service account ${serviceAccountId} or its folder`,
        resource: `service account ${serviceAccountId}`,
      },
      opts,
      (pageToken, o) => this.apiKeys.list(apiKeyService.ListApiKeysRequest.fromPartial({ serviceAccountId, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.apiKeys.map(toApiKey),
    );
  }

  async deleteApiKey(id: string, opts?: CallOptions): Promise<void> {
    await this.mutate(
      'ApiKeyService/Delete',
      { action: `delete API key ${id}`, needs: '`iam.serviceAccounts.apiKeyAdmin`, `iam.serviceAccounts.admin` or `editor` on its service account or folder', resource: `API key ${id}` },
      opts,
      (o) => this.apiKeys.delete(apiKeyService.DeleteApiKeyRequest.fromPartial({ apiKeyId: id }), o),
    );
  }

  listScopes(opts?: CallOptions): Promise<string[]> {
    return this.pages(
      'ApiKeyService/ListScopes',
      { action: 'list API key scopes' },
      opts,
      (pageToken, o) => this.apiKeys.listScopes(apiKeyService.ListApiKeyScopesRequest.fromPartial({ pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.scopes,
    );
  }

  async getRole(roleId: string, opts?: CallOptions): Promise<Role | undefined> {
    try {
      const role = await this.read(
        'RoleService/Get',
        { action: `look up role ${roleId}`, resource: `role ${roleId}` },
        opts,
        (o) => this.roles.get(roleService.GetRoleRequest.fromPartial({ roleId }), o),
      );
      return { id: role.id, description: role.description };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  // ---- Lockbox (src/cloud/lockbox.ts, loaded and built on first use) -------------------------------
  // A dynamic import: the SDK's Lockbox files are ~100 KB that `create` without --to-lockbox never needs.

  private lockbox(): Promise<LockboxApi> {
    return (this.lockboxApi ??= import('./lockbox.js').then(
      ({ LockboxApi }) =>
        new LockboxApi({
          endpoint: this.endpoint,
          address: (id) => this.s.services[id],
          channel: (address) => this.s.pool.get(address),
          read: (method, ctx, opts, invoke) => this.read(method, ctx, opts, invoke),
          pages: (method, ctx, opts, fetch, items) => this.pages(method, ctx, opts, fetch, items),
          mutate: (method, ctx, opts, invoke, resourceIdOf, extra) => this.mutate(method, ctx, opts, invoke, resourceIdOf, extra),
          unpack,
          remember: (secret) => this.caller.remember(secret),
        }),
    ));
  }

  async getSecret(secretId: string, opts?: CallOptions): Promise<LockboxSecret> {
    return (await this.lockbox()).getSecret(secretId, opts);
  }

  async findSecretByName(folderId: string, name: string, opts?: CallOptions): Promise<LockboxSecret | undefined> {
    return (await this.lockbox()).findSecretByName(folderId, name, opts);
  }

  async createSecret(input: CreateSecretInput, opts?: CallOptions): Promise<{ secretId: string; versionId: string }> {
    return (await this.lockbox()).createSecret(input, opts);
  }

  async addSecretVersion(input: AddSecretVersionInput, opts?: CallOptions): Promise<{ versionId: string }> {
    return (await this.lockbox()).addSecretVersion(input, opts);
  }

  async getSecretPayload(secretId: string, versionId?: string, opts?: CallOptions): Promise<SecretPayload> {
    return (await this.lockbox()).getSecretPayload(secretId, versionId, opts);
  }

  get retries(): number {
    return this.caller.retries;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.s.pool.close();
  }
}

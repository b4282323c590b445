import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import { ApiKey } from '@yandex-cloud/nodejs-sdk/iam-v1/api_key';
import {
  ApiKeyServiceService,
  DeleteApiKeyMetadata,
  UpdateApiKeyMetadata,
  type CreateApiKeyResponse,
  type ListApiKeysResponse,
} from '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';
import { DEFAULT_SCOPES, KNOWN_SCOPES } from '../catalog.js';
import { notFound } from '../errors.js';
import { newApiKeySecret, newId } from '../ids.js';
import { packAny, packRaw, type Operations } from '../operations.js';
import { bytesField } from '../proto-extra.js';
import { caller, defineService, type CallContext, type ServiceSpec } from '../rpc.js';
import type { ApiKeyRec, Principal, SaRec, World } from '../state.js';
import { invalid, maskPaths, maxLength, paginate, required, timestampInRange } from '../validation.js';

export function toApiKey(k: ApiKeyRec): ApiKey {
  return {
    id: k.id, serviceAccountId: k.serviceAccountId, createdAt: k.createdAt, description: k.description,
    lastUsedAt: undefined, scope: '', scopes: [...k.scopes], expiresAt: k.expiresAt,
  };
}

/**
 * ApiKeyService: List, Get, Create (synchronous, the only place the secret appears), Update and Delete
 * (Operations), ListOperations, ListScopes. Empty `scopes` gives the ten default scopes; the deprecated
 * singular `scope` is used when `scopes` is empty. An empty service_account_id means the caller, which
 * must then be a service account; a service account may always read its own keys.
 */
export function apiKeyService(world: World, ops: Operations): ServiceSpec {
  /** ApiKey plus `masked_secret` (field 9, newer than SDK 3.2.0). */
  const encodeKey = (k: ApiKey): Buffer => {
    const masked = world.maskedSecrets.get(k.id);
    const base = Buffer.from(ApiKey.encode(k).finish());
    return masked === undefined ? base : Buffer.concat([base, bytesField(9, masked)]);
  };
  const encodeList = (res: ListApiKeysResponse): Buffer => Buffer.concat([
    ...res.apiKeys.map((k) => bytesField(1, encodeKey(k))),
    res.nextPageToken === '' ? Buffer.alloc(0) : bytesField(2, res.nextPageToken),
  ]);
  const encodeCreated = (res: CreateApiKeyResponse): Buffer => Buffer.concat([
    res.apiKey === undefined ? Buffer.alloc(0) : bytesField(1, encodeKey(res.apiKey)),
    res.secret === '' ? Buffer.alloc(0) : bytesField(2, res.secret),
  ]);

  /** The SA a request is about: the given one, or the caller when empty. */
  const targetAccount = (ctx: CallContext, id: string): SaRec => {
    maxLength('service_account_id', id, 50);
    const me = caller(ctx);
    if (id === '') {
      if (me.type !== 'serviceAccount') throw invalid('service_account_id', 'required when the caller is not a service account');
      return world.serviceAccount(me.id);
    }
    return world.serviceAccount(id);
  };
  const authorize = (p: Principal, permission: string, sa: SaRec, allowSelf: boolean): void => {
    if (allowSelf && p.type === 'serviceAccount' && p.id === sa.id) return;
    world.authorize(p, permission, sa.folderId, `iam.serviceAccount ${sa.id}`);
  };
  const findKey = (id: string): { key: ApiKeyRec; sa: SaRec } => {
    required('api_key_id', id, 50);
    const key = world.apiKeys.get(id);
    const sa = key === undefined ? undefined : world.serviceAccounts.get(key.serviceAccountId);
    if (key === undefined || sa === undefined) throw notFound('API key', id);
    return { key, sa };
  };
  const checkScopes = (scopes: readonly string[], allowEmpty: boolean): void => {
    if (!allowEmpty && scopes.length === 0) throw invalid('scopes', 'at least 1 scope required');
    if (scopes.length > 100) throw invalid('scopes', `at most 100 scopes allowed (got ${scopes.length})`);
    const seen = new Set<string>();
    scopes.forEach((s, i) => {
      maxLength(`scopes[${i}]`, s, 256);
      if (seen.has(s)) throw invalid(`scopes[${i}]`, `duplicate scope "${s}"`);
      seen.add(s);
      if (!KNOWN_SCOPES.includes(s)) throw invalid(`scopes[${i}]`, `unknown scope "${s}"`);
    });
  };
  const checkExpiry = (expiresAt: Date | undefined): void => {
    if (expiresAt === undefined) return;
    timestampInRange('expires_at', expiresAt);
    if (expiresAt.getTime() <= world.now()) throw invalid('expires_at', 'must be in the future');
  };

  return defineService(ApiKeyServiceService, {
    list(ctx, req) {
      const sa = targetAccount(ctx, req.serviceAccountId);
      authorize(caller(ctx), 'iam.apiKeys.list', sa, true);
      const all = [...world.apiKeys.values()].filter((k) => k.serviceAccountId === sa.id);
      const { page, next } = paginate(all, req.pageSize, req.pageToken);
      return { apiKeys: page.map(toApiKey), nextPageToken: next };
    },

    get(ctx, req) {
      const { key, sa } = findKey(req.apiKeyId);
      authorize(caller(ctx), 'iam.apiKeys.get', sa, true);
      return toApiKey(key);
    },

    create(ctx, req) {
      maxLength('service_account_id', req.serviceAccountId, 50);
      maxLength('description', req.description, 256);
      maxLength('scope', req.scope, 256);
      checkScopes(req.scopes, true);
      if (req.scopes.length === 0 && req.scope !== '') checkScopes([req.scope], false);
      checkExpiry(req.expiresAt);
      const sa = targetAccount(ctx, req.serviceAccountId);
      authorize(caller(ctx), 'iam.apiKeys.create', sa, false);
      world.fidelity.checkSettled(sa.id, 'service_account_id');
      const cloudId = world.cloudOf(sa.folderId).id;
      if (world.apiKeysInCloud(cloudId) >= world.quotas.apiKeysPerCloud) throw world.fidelity.quotaExceeded('iam.apiKeys.count', world.quotas.apiKeysPerCloud);
      const scopes = req.scopes.length > 0 ? [...req.scopes] : req.scope !== '' ? [req.scope] : [...DEFAULT_SCOPES];
      const key: ApiKeyRec = {
        id: newId('aje', 'api-key'), serviceAccountId: sa.id, description: req.description, scopes,
        createdAt: new Date(world.now()), expiresAt: req.expiresAt, secret: newApiKeySecret(),
      };
      world.putApiKey(key);
      return { apiKey: toApiKey(key), secret: key.secret };
    },

    update(ctx, req) {
      const mask = maskPaths(req.updateMask?.paths, ['description', 'scopes', 'expires_at']);
      required('api_key_id', req.apiKeyId, 50);
      // Without a mask: description always, scopes when given, expires_at when given.
      const setDescription = mask === undefined || mask.has('description');
      const setScopes = mask === undefined ? req.scopes.length > 0 : mask.has('scopes');
      const setExpiry = mask === undefined ? req.expiresAt !== undefined : mask.has('expires_at');
      if (setDescription) maxLength('description', req.description, 256);
      if (setScopes) checkScopes(req.scopes, false);
      if (setExpiry) checkExpiry(req.expiresAt);
      const { key, sa } = findKey(req.apiKeyId);
      authorize(caller(ctx), 'iam.apiKeys.update', sa, false);
      const before = { description: key.description, scopes: [...key.scopes], expiresAt: key.expiresAt };
      if (setDescription) key.description = req.description;
      if (setScopes) key.scopes = [...req.scopes];
      if (setExpiry) key.expiresAt = req.expiresAt;
      return ops.start({
        method: ctx.method, createdBy: caller(ctx).id, idPrefix: 'aje', description: 'Update API key',
        metadata: packAny('yandex.cloud.iam.v1.UpdateApiKeyMetadata', UpdateApiKeyMetadata, { apiKeyId: key.id }),
        folderId: sa.folderId, resourceIds: [key.id],
        complete: () => packRaw('yandex.cloud.iam.v1.ApiKey', encodeKey(toApiKey(world.apiKeys.get(key.id) ?? key))),
        rollback: () => Object.assign(key, before),
        fault: ctx.operationFault,
      });
    },

    delete(ctx, req) {
      const { key, sa } = findKey(req.apiKeyId);
      authorize(caller(ctx), 'iam.apiKeys.delete', sa, false);
      world.apiKeys.delete(key.id);
      return ops.start({
        method: ctx.method, createdBy: caller(ctx).id, idPrefix: 'aje', description: 'Delete API key',
        metadata: packAny('yandex.cloud.iam.v1.DeleteApiKeyMetadata', DeleteApiKeyMetadata, { apiKeyId: key.id }),
        folderId: sa.folderId, resourceIds: [key.id],
        complete: () => packAny('google.protobuf.Empty', Empty, {}),
        rollback: () => {
          if (world.serviceAccounts.has(key.serviceAccountId)) world.apiKeys.set(key.id, key);
        },
        fault: ctx.operationFault,
      });
    },

    listOperations(ctx, req) {
      const { key, sa } = findKey(req.apiKeyId);
      authorize(caller(ctx), 'iam.apiKeys.listOperations', sa, true);
      const { page, next } = paginate(ops.forResource(key.id), req.pageSize, req.pageToken);
      return { operations: page, nextPageToken: next };
    },

    listScopes(_ctx, req) {
      const { page, next } = paginate(KNOWN_SCOPES, req.pageSize, req.pageToken);
      return { scopes: page, nextPageToken: next };
    },
  }, { serializers: { get: encodeKey, list: encodeList, create: encodeCreated } });
}


import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import { ServiceAccount } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import {
  CreateServiceAccountMetadata,
  DeleteServiceAccountMetadata,
  ServiceAccountServiceService,
  UpdateServiceAccountMetadata,
  type ListServiceAccountsResponse,
} from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import { EmulatorError } from '../errors.js';
import { newId } from '../ids.js';
import { packAny, packRaw, type Operations } from '../operations.js';
import { bytesField, varintField } from '../proto-extra.js';
import { caller, defineService, type CallContext, type ServiceSpec } from '../rpc.js';
import { copyBinding, type ApiKeyRec, type AuthKeyRec, type Binding, type SaRec, type World } from '../state.js';
import { labels, maskPaths, maxLength, nameFilter, paginate, required, resourceName } from '../validation.js';

const SA_TYPE = 'yandex.cloud.iam.v1.ServiceAccount';

export function toServiceAccount(sa: SaRec): ServiceAccount {
  return {
    id: sa.id, folderId: sa.folderId, createdAt: sa.createdAt, name: sa.name, description: sa.description,
    labels: { ...sa.labels }, lastAuthenticatedAt: undefined,
  };
}

/** ServiceAccount plus `status = ACTIVE` (field 8, newer than SDK 3.2.0; old decoders skip it). */
export function encodeServiceAccount(sa: ServiceAccount): Buffer {
  return Buffer.concat([ServiceAccount.encode(sa).finish(), varintField(8, 2)]);
}

function encodeList(res: ListServiceAccountsResponse): Buffer {
  return Buffer.concat([
    ...res.serviceAccounts.map((sa) => bytesField(1, encodeServiceAccount(sa))),
    res.nextPageToken === '' ? Buffer.alloc(0) : bytesField(2, res.nextPageToken),
  ]);
}

const saResource = (id: string): string => `iam.serviceAccount ${id}`;
const folderResource = (id: string): string => `resource-manager.folder ${id}`;

function assertNameFree(world: World, cloudId: string, name: string, exceptId?: string): void {
  const clash = world.serviceAccountsInCloud(cloudId).find((sa) => sa.name === name && sa.id !== exceptId);
  if (clash !== undefined) throw new EmulatorError('ALREADY_EXISTS', `Service account '${name}@${cloudId}' already exists`);
}

/**
 * ServiceAccountService: Get, List (`name="…"` filter), Create, Update, Delete, ListOperations.
 * Names are unique per cloud (synchronous ALREADY_EXISTS). Delete also removes the account's API keys,
 * authorized keys and every access binding naming it (folder and cloud); a rolled-back delete restores them.
 */
export function serviceAccountService(world: World, ops: Operations): ServiceSpec {
  const start = (ctx: CallContext, spec: {
    description: string; metadata: Any; folderId: string; id: string;
    complete: () => Any; rollback: () => void;
  }) => ops.start({
    method: ctx.method, createdBy: caller(ctx).id, idPrefix: 'aje', description: spec.description, metadata: spec.metadata,
    folderId: spec.folderId, resourceIds: [spec.id], complete: spec.complete, rollback: spec.rollback, fault: ctx.operationFault,
  });
  const saAny = (sa: SaRec) => packRaw(SA_TYPE, encodeServiceAccount(toServiceAccount(sa)));

  return defineService(ServiceAccountServiceService, {
    get(ctx, req) {
      required('service_account_id', req.serviceAccountId, 50);
      const sa = world.serviceAccount(req.serviceAccountId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.get', sa.folderId, saResource(sa.id));
      return toServiceAccount(sa);
    },

    list(ctx, req) {
      required('folder_id', req.folderId, 50);
      const name = nameFilter(req.filter, world.fidelity.namePattern);
      const folder = world.folder(req.folderId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.list', folder.id, folderResource(folder.id));
      const all = [...world.serviceAccounts.values()].filter((sa) => sa.folderId === folder.id && (name === undefined || sa.name === name));
      const { page, next } = paginate(all, req.pageSize, req.pageToken);
      return { serviceAccounts: page.map(toServiceAccount), nextPageToken: next };
    },

    create(ctx, req) {
      required('folder_id', req.folderId, 50);
      resourceName('name', req.name, world.fidelity.namePattern);
      maxLength('description', req.description, 256);
      labels('labels', req.labels);
      const folder = world.folder(req.folderId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.create', folder.id, folderResource(folder.id));
      assertNameFree(world, folder.cloudId, req.name);
      if (world.serviceAccountsInCloud(folder.cloudId).length >= world.quotas.serviceAccountsPerCloud) {
        throw world.fidelity.quotaExceeded('iam.serviceAccounts.count', world.quotas.serviceAccountsPerCloud);
      }
      const sa: SaRec = {
        id: newId('aje', 'service-account'), folderId: folder.id, name: req.name, description: req.description, labels: { ...req.labels },
        createdAt: new Date(world.now()),
      };
      world.serviceAccounts.set(sa.id, sa);
      const op = start(ctx, {
        description: 'Create service account', folderId: folder.id, id: sa.id,
        metadata: packAny('yandex.cloud.iam.v1.CreateServiceAccountMetadata', CreateServiceAccountMetadata, { serviceAccountId: sa.id }),
        complete: () => saAny(world.serviceAccounts.get(sa.id) ?? sa),
        rollback: () => { world.serviceAccounts.delete(sa.id); },
      });
      // Fidelity switch (1): the lag runs from when the operation is done.
      world.fidelity.accountCreated(sa.id, ops.readyAt(op.id) ?? world.now());
      return op;
    },

    update(ctx, req) {
      required('service_account_id', req.serviceAccountId, 50);
      const mask = maskPaths(req.updateMask?.paths, ['name', 'description', 'labels']);
      const touches = (f: string): boolean => mask === undefined || mask.has(f);
      // Without a mask every field is replaced, except an empty name (which means "keep").
      const setName = mask === undefined ? req.name !== '' : mask.has('name');
      if (setName) resourceName('name', req.name, world.fidelity.namePattern);
      if (touches('description')) maxLength('description', req.description, 256);
      if (touches('labels')) labels('labels', req.labels);
      const sa = world.serviceAccount(req.serviceAccountId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.update', sa.folderId, saResource(sa.id));
      if (setName && req.name !== sa.name) assertNameFree(world, world.cloudOf(sa.folderId).id, req.name, sa.id);
      const before = { name: sa.name, description: sa.description, labels: { ...sa.labels } };
      if (setName) sa.name = req.name;
      if (touches('description')) sa.description = req.description;
      if (touches('labels')) sa.labels = { ...req.labels };
      return start(ctx, {
        description: 'Update service account', folderId: sa.folderId, id: sa.id,
        metadata: packAny('yandex.cloud.iam.v1.UpdateServiceAccountMetadata', UpdateServiceAccountMetadata, { serviceAccountId: sa.id }),
        complete: () => saAny(world.serviceAccounts.get(sa.id) ?? sa),
        rollback: () => Object.assign(sa, before),
      });
    },

    delete(ctx, req) {
      required('service_account_id', req.serviceAccountId, 50);
      const sa = world.serviceAccount(req.serviceAccountId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.delete', sa.folderId, saResource(sa.id));
      const removed = removeServiceAccount(world, sa);
      return start(ctx, {
        description: 'Delete service account', folderId: sa.folderId, id: sa.id,
        metadata: packAny('yandex.cloud.iam.v1.DeleteServiceAccountMetadata', DeleteServiceAccountMetadata, { serviceAccountId: sa.id }),
        complete: () => packAny('google.protobuf.Empty', Empty, {}),
        rollback: removed.restore,
      });
    },

    listOperations(ctx, req) {
      required('service_account_id', req.serviceAccountId, 50);
      const sa = world.serviceAccount(req.serviceAccountId);
      world.authorize(caller(ctx), 'iam.serviceAccounts.listOperations', sa.folderId, saResource(sa.id));
      const { page, next } = paginate(ops.forResource(sa.id), req.pageSize, req.pageToken);
      return { operations: page, nextPageToken: next };
    },
  }, { serializers: { get: encodeServiceAccount, list: encodeList } });
}

/** Removes an SA with everything hanging off it; `restore` puts it all back. */
function removeServiceAccount(world: World, sa: SaRec): { restore: () => void } {
  const apiKeys: ApiKeyRec[] = [...world.apiKeys.values()].filter((k) => k.serviceAccountId === sa.id);
  const authKeys: AuthKeyRec[] = [...world.authorizedKeys.values()].filter((k) => k.serviceAccountId === sa.id);
  const holders = [...world.folders.values(), ...world.clouds.values()];
  const names = (b: Binding): boolean => b.subject.type === 'serviceAccount' && b.subject.id === sa.id;
  const savedBindings = holders.map((h) => ({ holder: h, bindings: h.bindings.map(copyBinding) }));

  world.serviceAccounts.delete(sa.id);
  for (const k of apiKeys) world.apiKeys.delete(k.id);
  for (const k of authKeys) world.authorizedKeys.delete(k.id);
  for (const h of holders) h.bindings = h.bindings.filter((b) => !names(b));

  return {
    restore: () => {
      world.serviceAccounts.set(sa.id, sa);
      for (const k of apiKeys) world.apiKeys.set(k.id, k);
      for (const k of authKeys) world.authorizedKeys.set(k.id, k);
      // Put back only the SA's own bindings; changes made to others meanwhile stay.
      for (const { holder, bindings } of savedBindings) {
        const mine = bindings.filter(names).filter((b) => !holder.bindings.some((x) => x.roleId === b.roleId && names(x)));
        holder.bindings.push(...mine);
      }
    },
  };
}

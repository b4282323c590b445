import {
  AccessBindingAction,
  AccessBindingsOperationResult,
  SetAccessBindingsMetadata,
  UpdateAccessBindingsMetadata,
  type AccessBinding,
  type AccessBindingDelta,
} from '@yandex-cloud/nodejs-sdk/proto/access/access';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import { Folder_Status, type Folder } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder';
import type { Cloud } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud';
import { CloudServiceService } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import { FolderServiceService } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import { SUBJECT_TYPES, isKnownRole } from '../catalog.js';
import { EmulatorError, notFound, permissionDenied } from '../errors.js';
import { covers } from '../fidelity.js';
import { packAny, type Operations } from '../operations.js';
import { caller, defineService, type CallContext, type ServiceSpec } from '../rpc.js';
import { copyBinding, sameBinding, type Binding, type CloudRec, type FolderRec, type Principal, type World } from '../state.js';
import { invalid, maxLength, nameFilter, paginate, required } from '../validation.js';

const toFolder = (f: FolderRec): Folder => ({
  id: f.id, cloudId: f.cloudId, createdAt: f.createdAt, name: f.name, description: '', labels: {}, status: Folder_Status.ACTIVE,
});
const toCloud = (c: CloudRec): Cloud => ({
  id: c.id, createdAt: c.createdAt, name: c.name, description: '', organizationId: c.organizationId, labels: {},
});
const toAccessBinding = (b: Binding): AccessBinding => ({ roleId: b.roleId, subject: { id: b.subject.id, type: b.subject.type } });
const fromAccessBinding = (b: AccessBinding | undefined): Binding =>
  ({ roleId: b?.roleId ?? '', subject: { id: b?.subject?.id ?? '', type: b?.subject?.type ?? '' } });
const folderResource = (id: string): string => `resource-manager.folder ${id}`;

/** Validates one binding of a request; `path` is its proto path. */
function checkBinding(path: string, b: AccessBinding | undefined): Binding {
  if (b === undefined) throw invalid(path, 'required');
  required(`${path}.role_id`, b.roleId, 64);
  if (!isKnownRole(b.roleId)) throw invalid(`${path}.role_id`, `unknown role "${b.roleId}"`);
  if (b.subject === undefined) throw invalid(`${path}.subject`, 'required');
  required(`${path}.subject.id`, b.subject.id, 100);
  required(`${path}.subject.type`, b.subject.type, 100);
  if (!SUBJECT_TYPES.includes(b.subject.type)) throw invalid(`${path}.subject.type`, `unknown subject type "${b.subject.type}"`);
  return { roleId: b.roleId, subject: { id: b.subject.id, type: b.subject.type } };
}

/** A binding for a service account that does not exist is NOT_FOUND (reference §6.4, UNCONFIRMED). */
function checkSubjectExists(world: World, b: Binding): void {
  if (b.subject.type === 'serviceAccount' && !world.serviceAccounts.has(b.subject.id)) throw notFound('Service account', b.subject.id);
}

/**
 * Fidelity switch (2), "you can only grant roles you hold" (access-control docs): the caller's roles on
 * the folder (its own and its cloud's) must cover the role (fidelity.ts `covers`).
 */
function checkMayGrant(world: World, me: Principal, folderId: string, roleId: string): void {
  if (!world.fidelity.grantOnlyHeldRoles) return;
  if (world.rolesOn(me, folderId).some((held) => covers(held, roleId))) return;
  throw new EmulatorError('PERMISSION_DENIED', `Permission denied to grant role ${roleId}: you can only grant roles you have`);
}

/**
 * FolderService: Get, List (`name="…"` filter; only folders the caller may see), ListAccessBindings,
 * UpdateAccessBindings (atomic deltas: ADD of a present binding and REMOVE of an absent one are
 * no-ops left out of effective_deltas) and SetAccessBindings (replaces every binding, the owner's and
 * other people's included). Other methods are UNIMPLEMENTED.
 */
export function folderService(world: World, ops: Operations): ServiceSpec {
  const startBindingsOp = (ctx: CallContext, folder: FolderRec, kind: 'update' | 'set', effective: AccessBindingDelta[], rollback: () => void) =>
    ops.start({
      method: ctx.method, createdBy: caller(ctx).id, idPrefix: 'b1g',
      description: kind === 'update' ? 'Update access bindings' : 'Set access bindings',
      metadata: kind === 'update'
        ? packAny('yandex.cloud.access.UpdateAccessBindingsMetadata', UpdateAccessBindingsMetadata, { resourceId: folder.id })
        : packAny('yandex.cloud.access.SetAccessBindingsMetadata', SetAccessBindingsMetadata, { resourceId: folder.id }),
      folderId: folder.id, resourceIds: [folder.id],
      // Fidelity switch (4): before cloudapi 807f2a1 these operations answered google.protobuf.Empty.
      complete: () => (world.fidelity.bindingsResponse === 'empty'
        ? packAny('google.protobuf.Empty', Empty, {})
        : packAny('yandex.cloud.access.AccessBindingsOperationResult', AccessBindingsOperationResult, { effectiveDeltas: effective })),
      rollback,
      fault: ctx.operationFault,
    });

  return defineService(FolderServiceService, {
    get(ctx, req) {
      required('folder_id', req.folderId, 50);
      const folder = world.folder(req.folderId);
      world.authorize(caller(ctx), 'resource-manager.folders.get', folder.id, folderResource(folder.id));
      return toFolder(folder);
    },

    list(ctx, req) {
      required('cloud_id', req.cloudId, 50);
      const name = nameFilter(req.filter, world.fidelity.namePattern);
      const cloud = world.clouds.get(req.cloudId);
      if (cloud === undefined) throw notFound('Cloud', req.cloudId);
      const me = caller(ctx);
      if (!world.isMember(me, cloud.id)) throw permissionDenied(`resource-manager.cloud ${cloud.id}`);
      const visible = [...world.folders.values()].filter((f) =>
        f.cloudId === cloud.id && (name === undefined || f.name === name) && world.allows(me, 'resource-manager.folders.get', f.id));
      const { page, next } = paginate(visible, req.pageSize, req.pageToken);
      return { folders: page.map(toFolder), nextPageToken: next };
    },

    listAccessBindings(ctx, req) {
      required('resource_id', req.resourceId, 64);
      const folder = world.folder(req.resourceId);
      world.authorize(caller(ctx), 'resource-manager.folders.listAccessBindings', folder.id, folderResource(folder.id));
      const { page, next } = paginate(folder.bindings, req.pageSize, req.pageToken, 100);
      return { accessBindings: page.map(toAccessBinding), nextPageToken: next };
    },

    updateAccessBindings(ctx, req) {
      required('resource_id', req.resourceId, 64);
      const deltas = req.accessBindingDeltas;
      if (deltas.length < 1 || deltas.length > 1000) throw invalid('access_binding_deltas', `must hold 1 to 1000 deltas (got ${deltas.length})`);
      const parsed = deltas.map((d, i) => {
        if (d.action !== AccessBindingAction.ADD && d.action !== AccessBindingAction.REMOVE) {
          throw invalid(`access_binding_deltas[${i}].action`, 'must be ADD or REMOVE');
        }
        return { action: d.action, binding: checkBinding(`access_binding_deltas[${i}].access_binding`, d.accessBinding) };
      });
      const folder = world.folder(req.resourceId);
      const me = caller(ctx);
      world.authorize(me, 'resource-manager.folders.updateAccessBindings', folder.id, folderResource(folder.id));
      parsed.forEach((d, i) => {
        if (d.action !== AccessBindingAction.ADD) return;
        checkSubjectExists(world, d.binding);
        if (d.binding.subject.type === 'serviceAccount') world.fidelity.checkSettled(d.binding.subject.id, `access_binding_deltas[${i}].access_binding.subject.id`);
        checkMayGrant(world, me, folder.id, d.binding.roleId);
      });
      const next = folder.bindings.map(copyBinding);
      const effective: AccessBindingDelta[] = [];
      /** Where each effective REMOVE took its binding from, so an undo puts it back in place. */
      const removedAt: number[] = [];
      for (const d of parsed) {
        const at = next.findIndex((b) => sameBinding(b, d.binding));
        if (d.action === AccessBindingAction.ADD && at === -1) next.push(d.binding);
        else if (d.action === AccessBindingAction.REMOVE && at !== -1) next.splice(at, 1);
        else continue;
        removedAt.push(at);
        effective.push({ action: d.action, accessBinding: toAccessBinding(d.binding) });
      }
      folder.bindings = next;
      // Undo only what this call changed, newest first; other changes made meanwhile stay.
      const undo = (): void => {
        for (let i = effective.length - 1; i >= 0; i--) {
          const d = effective[i];
          const b = fromAccessBinding(d?.accessBinding);
          if (d?.action === AccessBindingAction.ADD) folder.bindings = folder.bindings.filter((x) => !sameBinding(x, b));
          else if (!folder.bindings.some((x) => sameBinding(x, b))) folder.bindings.splice(Math.min(removedAt[i] ?? Infinity, folder.bindings.length), 0, b);
        }
      };
      return startBindingsOp(ctx, folder, 'update', effective, undo);
    },

    setAccessBindings(ctx, req) {
      required('resource_id', req.resourceId, 64);
      if (req.accessBindings.length > 1000) throw invalid('access_bindings', `at most 1000 bindings allowed (got ${req.accessBindings.length})`);
      const wanted = req.accessBindings.map((b, i) => checkBinding(`access_bindings[${i}]`, b));
      const folder = world.folder(req.resourceId);
      world.authorize(caller(ctx), 'resource-manager.folders.setAccessBindings', folder.id, folderResource(folder.id));
      for (const b of wanted) checkSubjectExists(world, b);
      for (const b of wanted) if (!folder.bindings.some((x) => sameBinding(x, b))) checkMayGrant(world, caller(ctx), folder.id, b.roleId);
      const before = folder.bindings.map(copyBinding);
      const next: Binding[] = [];
      for (const b of wanted) if (!next.some((x) => sameBinding(x, b))) next.push(b);
      const effective: AccessBindingDelta[] = [
        ...before.filter((b) => !next.some((x) => sameBinding(x, b))).map((b) => ({ action: AccessBindingAction.REMOVE, accessBinding: toAccessBinding(b) })),
        ...next.filter((b) => !before.some((x) => sameBinding(x, b))).map((b) => ({ action: AccessBindingAction.ADD, accessBinding: toAccessBinding(b) })),
      ];
      folder.bindings = next;
      return startBindingsOp(ctx, folder, 'set', effective, () => { folder.bindings = before; });
    },
  });
}

/** CloudService: Get and List; a caller sees the clouds it holds some role in (on the cloud or a folder). */
export function cloudService(world: World): ServiceSpec {
  return defineService(CloudServiceService, {
    get(ctx, req) {
      required('cloud_id', req.cloudId, 50);
      const cloud = world.clouds.get(req.cloudId);
      if (cloud === undefined) throw notFound('Cloud', req.cloudId);
      if (!world.isMember(caller(ctx), cloud.id)) throw permissionDenied(`resource-manager.cloud ${cloud.id}`);
      return toCloud(cloud);
    },

    list(ctx, req) {
      maxLength('organization_id', req.organizationId, 50);
      const name = nameFilter(req.filter, world.fidelity.namePattern);
      const me = caller(ctx);
      const visible = [...world.clouds.values()].filter((c) =>
        world.isMember(me, c.id)
        && (req.organizationId === '' || c.organizationId === req.organizationId)
        && (name === undefined || c.name === name));
      const { page, next } = paginate(visible, req.pageSize, req.pageToken);
      return { clouds: page.map(toCloud), nextPageToken: next };
    },
  });
}


import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { permissionDenied } from '../errors.js';
import type { Operations } from '../operations.js';
import { caller, defineService, type ServiceSpec } from '../rpc.js';
import type { World } from '../state.js';
import { required } from '../validation.js';

/**
 * OperationService.Get. The creator may always read an operation; anyone else needs read access to
 * its folder. Sends `x-operation-poll-interval` when configured. Cancel is UNIMPLEMENTED.
 */
export function operationService(world: World, ops: Operations, pollIntervalSeconds: () => number | undefined): ServiceSpec {
  return defineService(OperationServiceService, {
    get(ctx, req) {
      required('operation_id', req.operationId, 50);
      const { op, folderId } = ops.observe(req.operationId);
      const me = caller(ctx);
      if (op.createdBy !== me.id && !world.allows(me, 'resource-manager.folders.get', folderId)) {
        throw permissionDenied(`operation ${op.id}`);
      }
      const interval = pollIntervalSeconds();
      if (interval !== undefined) ctx.responseHeaders['x-operation-poll-interval'] = String(interval);
      return op;
    },
  });
}

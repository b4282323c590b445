import { RoleServiceService } from '@yandex-cloud/nodejs-sdk/iam-v1/role_service';
import { ROLE_CATALOGUE } from '../catalog.js';
import { notFound } from '../errors.js';
import { defineService, type ServiceSpec } from '../rpc.js';
import { invalid, maxLength, paginate, required } from '../validation.js';

/**
 * RoleService: Get and List over the role catalogue (catalog.ts ROLE_CATALOGUE). Any authenticated
 * caller may read it. List accepts an empty filter or `id="<role>"` (the proto documents a filter
 * without its grammar; this is our guess).
 */
export function roleService(): ServiceSpec {
  const all = [...ROLE_CATALOGUE].map(([id, description]) => ({ id, description }));
  return defineService(RoleServiceService, {
    get(_ctx, req) {
      required('role_id', req.roleId, 50);
      const description = ROLE_CATALOGUE.get(req.roleId);
      if (description === undefined) throw notFound('Role', req.roleId);
      return { id: req.roleId, description };
    },

    list(_ctx, req) {
      maxLength('filter', req.filter, 1000);
      let roles = all;
      if (req.filter.trim() !== '') {
        const m = /^\s*id\s*=\s*"([^"]*)"\s*$/.exec(req.filter);
        if (m === null) throw invalid('filter', 'invalid filter expression, expected id="<role>"');
        roles = all.filter((r) => r.id === m[1]);
      }
      const { page, next } = paginate(roles, req.pageSize, req.pageToken);
      return { roles: page, nextPageToken: next };
    },
  });
}

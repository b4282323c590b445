/**
 * Service addresses (reference §1). The default installation's map is known and fixed, so for
 * `api.cloud.yandex.net:443` discovery is skipped: one round trip less on every run's critical
 * path (issue #8). Any other endpoint is discovered through ApiEndpointService.List, as yc does.
 */
import { CloudError } from '../errors.js';

export const DEFAULT_ENDPOINT = 'api.cloud.yandex.net:443';

/** The endpoint ids this tool routes by. */
export type ServiceId = 'endpoint' | 'iam' | 'resource-manager' | 'operation' | 'lockbox' | 'lockbox-payload';

export type EndpointMap = Readonly<Record<ServiceId, string>>;

/** Addresses of the default installation (reference §1 table). */
export const DEFAULT_ENDPOINTS: EndpointMap = {
  'endpoint': DEFAULT_ENDPOINT,
  'iam': 'iam.api.cloud.yandex.net:443',
  'resource-manager': 'resource-manager.api.cloud.yandex.net:443',
  'operation': 'operation.api.cloud.yandex.net:443',
  'lockbox': 'lockbox.api.cloud.yandex.net:443',
  'lockbox-payload': 'payload.lockbox.api.cloud.yandex.net:443',
};

/** Services the gateway cannot work without. */
const REQUIRED: readonly ServiceId[] = ['iam', 'resource-manager', 'operation'];

/**
 * `host:port` form of an endpoint: strips a scheme and a trailing slash, adds :443 when no port is
 * given. IPv6 literals must be bracketed (`[::1]:443`).
 */
export function normalizeEndpoint(endpoint: string): string {
  let e = endpoint.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  if (!/:\d+$/.test(e) || (e.startsWith('[') && e.endsWith(']'))) e = `${e}:443`;
  return e;
}

/** True for the public installation, whose addresses need no discovery. */
export function isDefaultEndpoint(endpoint: string): boolean {
  return normalizeEndpoint(endpoint) === DEFAULT_ENDPOINT;
}

/**
 * Builds the map from an ApiEndpointService.List answer. `resourcemanager` is accepted as an
 * alias of `resource-manager`. The discovery endpoint serves itself.
 * @throws CloudError when iam, resource-manager or operation is missing
 */
export function endpointMapFromList(list: ReadonlyArray<{ id: string; address: string }>, discoveryEndpoint: string): EndpointMap {
  const found = new Map<string, string>();
  for (const { id, address } of list) {
    if (!address) continue;
    const key = id === 'resourcemanager' ? 'resource-manager' : id;
    if (!found.has(key)) found.set(key, normalizeEndpoint(address));
  }
  const missing = REQUIRED.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new CloudError(`The endpoint ${discoveryEndpoint} does not list the ${missing.join(', ')} service${missing.length > 1 ? 's' : ''}.`, {
      hints: ['Check --endpoint (YC_ENDPOINT): it must be the API endpoint of a Yandex Cloud installation, such as api.cloud.yandex.net:443.'],
    });
  }
  const get = (id: ServiceId): string => found.get(id) ?? '';
  return {
    'endpoint': normalizeEndpoint(discoveryEndpoint),
    'iam': get('iam'),
    'resource-manager': get('resource-manager'),
    'operation': get('operation'),
    'lockbox': get('lockbox'),
    'lockbox-payload': get('lockbox-payload'),
  };
}

/**
 * Service addresses (reference §1). The default installation's map is known and fixed, so for
 * `api.cloud.yandex.net:443` discovery is skipped: one round trip less on every run's critical
 * path. Any other endpoint is discovered through ApiEndpointService.List, as yc does.
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

/** Every service this tool routes by, in the map's order. */
const SERVICE_IDS: readonly ServiceId[] = ['iam', 'resource-manager', 'operation', 'lockbox', 'lockbox-payload'];

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

/** The host of a `host:port` address, lower-case, without IPv6 brackets or a trailing dot. */
export function hostOf(address: string): string {
  const hostPort = normalizeEndpoint(address);
  const host = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.slice(0, hostPort.lastIndexOf(':'));
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * True when a discovered `address` lies within the discovery endpoint's own domain: the endpoint's
 * host itself (any port) or a name under it (`iam.api.cloud.yandex.net` for `api.cloud.yandex.net`).
 * The IAM token goes to every discovered address, so a discovery answer naming another host (a
 * compromised or mistyped endpoint) must not be able to send it elsewhere.
 */
export function withinEndpointDomain(address: string, discoveryEndpoint: string): boolean {
  const host = hostOf(address);
  const base = hostOf(discoveryEndpoint);
  return host === base || (!/^[\d.]+$|:/.test(base) && host.endsWith(`.${base}`));
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
  for (const id of SERVICE_IDS) {
    const address = found.get(id);
    if (address !== undefined && !withinEndpointDomain(address, discoveryEndpoint)) {
      throw new CloudError(
        `The endpoint ${hostOf(discoveryEndpoint)} answered discovery with ${hostOf(address)} for the ${id} service, which is outside its domain; refusing to send credentials there.`,
        { hints: ['Check --endpoint (YC_ENDPOINT): a Yandex Cloud installation names its services under its own API host (iam.api.cloud.yandex.net for api.cloud.yandex.net).'] },
      );
    }
  }
  return {
    'endpoint': normalizeEndpoint(discoveryEndpoint),
    'iam': get('iam'),
    'resource-manager': get('resource-manager'),
    'operation': get('operation'),
    'lockbox': get('lockbox'),
    'lockbox-payload': get('lockbox-payload'),
  };
}

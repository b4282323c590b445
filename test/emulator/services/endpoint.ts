import { ApiEndpointServiceService } from '@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service';
import { EmulatorError } from '../errors.js';
import { defineService, type ServiceSpec } from '../rpc.js';
import { maxLength } from '../validation.js';

/**
 * Endpoint ids the emulator advertises, all at its own address. The first seven are the ones it
 * serves (reference §12.1); the rest exist so a client that looks them up finds something, as it
 * would in the real list (calls to them answer UNIMPLEMENTED).
 */
export const ENDPOINT_IDS = [
  'endpoint', 'iam', 'resource-manager', 'resourcemanager', 'operation', 'lockbox', 'lockbox-payload',
  'compute', 'kms', 'organization-manager', 'serverless-functions', 'serverless-containers', 'ai-foundation-models',
] as const;

/**
 * ApiEndpointService: discovery, no token needed (a token, valid or not, is ignored). `ownAddress(id)`
 * is where discovery sends that service (the emulator itself, or a stalled endpoint); `overrides`
 * (EmulatorOptions.discoveryAddresses) answer other addresses for some ids.
 */
export function endpointService(ownAddress: (id: string) => string, overrides: Readonly<Record<string, string>> = {}): ServiceSpec {
  const address = (id: string): string => overrides[id] ?? ownAddress(id);
  return defineService(ApiEndpointServiceService, {
    list() {
      return { endpoints: ENDPOINT_IDS.map((id) => ({ id, address: address(id) })), nextPageToken: '' };
    },
    get(_ctx, req) {
      maxLength('api_endpoint_id', req.apiEndpointId, 50);
      if (!(ENDPOINT_IDS as readonly string[]).includes(req.apiEndpointId)) {
        throw new EmulatorError('NOT_FOUND', `Api endpoint ${req.apiEndpointId} not found`);
      }
      return { id: req.apiEndpointId, address: address(req.apiEndpointId) };
    },
  }, { publicMethods: ['list', 'get'] });
}

/**
 * Yandex Cloud emulator for tests, the demo and `npm run emulator`. See types.ts for the contract.
 */
export { startEmulator } from './emulator.js';
export { defaultFixture, type DefaultIds } from './fixture.js';
export { signServiceAccountJwt, IAM_AUDIENCE, type JwtOptions } from './jwt.js';
export { decodeStatus, type DecodedStatus } from './details.js';
export { AI_STUDIO_SCOPES, DEFAULT_SCOPES, KNOWN_SCOPES, ROLE_CATALOGUE, ROLE_PERMISSIONS } from './catalog.js';
export { CURRENT_NAME, LEGACY_NAME, covers, type FidelityOptions, type QuotaErrorStyle, type IdempotentService } from './fidelity.js';
export { ENDPOINT_IDS } from './services/endpoint.js';
export { startStalledEndpoint, type StalledEndpoint } from './stall.js';
export {
  GRANT_TYPE_TOKEN_EXCHANGE, METADATA_FOLDER_PATH, METADATA_TOKEN_PATH, TOKEN_EXCHANGE_PATH, TOKEN_TYPE_ACCESS, TOKEN_TYPE_ID,
} from './http.js';
export type * from './types.js';

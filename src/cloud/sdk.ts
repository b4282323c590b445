/**
 * The one place that loads gRPC and the SDK (all CommonJS), through `createRequire` rather than
 * ESM `import`.
 *
 * Why: when an ES module imports CommonJS, Node 20.19+/22 routes every transitive `require` of that
 * graph through the ESM loader, which lexes each file for named exports. For the SDK's large
 * generated files that costs ~80 ms on this machine (cold import of the same module set: ~210 ms via
 * `import`, ~125 ms via `require`). Types still come from the packages through `import type`.
 *
 * Only narrow subpaths are loaded (never the SDK root, which pulls axios, log4js, jsonwebtoken,
 * luxon and the 347-entry endpoint map): the generated files of the services we call, and the
 * SDK's client factory for its middleware (deadline, retry, ApiError).
 */
import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as NiceGrpc from 'nice-grpc';
import type * as ClientFactoryModule from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import type * as AccessModule from '@yandex-cloud/nodejs-sdk/proto/access/access';
import type * as ApiKeyServiceModule from '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';
import type * as IamTokenServiceModule from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import type * as ServiceAccountModule from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import type * as ServiceAccountServiceModule from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import type * as OperationServiceModule from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import type * as CloudServiceModule from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import type * as FolderServiceModule from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import type * as ApiEndpointServiceModule from '@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service';
import type * as LockboxSecretModule from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret';
import type * as LockboxSecretServiceModule from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import type * as LockboxPayloadServiceModule from '@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service';

const load = createRequire(import.meta.url);

export const grpc = load('@grpc/grpc-js') as typeof GrpcJs;
export const niceGrpc = load('nice-grpc') as typeof NiceGrpc;
export const { clientFactory } = load('@yandex-cloud/nodejs-sdk/dist/utils/client-factory') as typeof ClientFactoryModule;
export const access = load('@yandex-cloud/nodejs-sdk/proto/access/access') as typeof AccessModule;
export const apiKeyService = load('@yandex-cloud/nodejs-sdk/iam-v1/api_key_service') as typeof ApiKeyServiceModule;
export const iamTokenService = load('@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service') as typeof IamTokenServiceModule;
export const serviceAccount = load('@yandex-cloud/nodejs-sdk/iam-v1/service_account') as typeof ServiceAccountModule;
export const serviceAccountService = load('@yandex-cloud/nodejs-sdk/iam-v1/service_account_service') as typeof ServiceAccountServiceModule;
export const operationService = load('@yandex-cloud/nodejs-sdk/operation/operation_service') as typeof OperationServiceModule;
export const cloudService = load('@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service') as typeof CloudServiceModule;
export const folderService = load('@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service') as typeof FolderServiceModule;
export const apiEndpointService = load('@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service') as typeof ApiEndpointServiceModule;

export interface LockboxSdk {
  secret: typeof LockboxSecretModule;
  secretService: typeof LockboxSecretServiceModule;
  payloadService: typeof LockboxPayloadServiceModule;
}

let lockbox: LockboxSdk | undefined;

/** Lockbox's generated files, loaded on first use: most runs never touch Lockbox. */
export function lockboxSdk(): LockboxSdk {
  return (lockbox ??= {
    secret: load('@yandex-cloud/nodejs-sdk/lockbox-v1/secret') as typeof LockboxSecretModule,
    secretService: load('@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service') as typeof LockboxSecretServiceModule,
    payloadService: load('@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service') as typeof LockboxPayloadServiceModule,
  });
}

/**
 * The one place that imports gRPC and the SDK (all CommonJS).
 *
 * Only narrow subpaths are imported (never the SDK root, which pulls axios, log4js, jsonwebtoken,
 * luxon and the 347-entry endpoint map): the generated files of the services we call, and the
 * SDK's client factory for its middleware (deadline, retry, ApiError). Lockbox's generated files
 * are imported by src/cloud/lockbox.ts alone, which the gateway loads on first use.
 *
 * The build (scripts/build.mjs) bundles these with the rest of the CLI into one chunk, which
 * the CLI loads only when a command opens the cloud (deps.connect): --help and --version never
 * load it (test/unit/startup-graph.test.ts checks the module graph). Static imports, because a
 * bundler cannot see through `createRequire`; unbundled (tests under tsx) they work the same.
 */
import * as grpc from '@grpc/grpc-js';
import * as niceGrpc from 'nice-grpc';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import * as access from '@yandex-cloud/nodejs-sdk/proto/access/access';
import * as apiKeyService from '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';
import * as iamTokenService from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import * as serviceAccount from '@yandex-cloud/nodejs-sdk/iam-v1/service_account';
import * as serviceAccountService from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import * as roleService from '@yandex-cloud/nodejs-sdk/iam-v1/role_service';
import * as operationService from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import * as cloudService from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import * as folderService from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import * as apiEndpointService from '@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service';

export { grpc, niceGrpc, clientFactory, access, apiKeyService, iamTokenService, roleService, serviceAccount, serviceAccountService, operationService, cloudService, folderService, apiEndpointService };

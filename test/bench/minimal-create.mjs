#!/usr/bin/env node
/**
 * The baseline of `npm run bench` figure 2: the shortest honest `create` flow, as a whole process,
 * with nothing but the calls. Plain JavaScript on purpose (run with `node`, no tsx, no build), so
 * its start-up is Node's plus the modules the calls need.
 *
 *   node test/bench/minimal-create.mjs --endpoint H:P --ca-file ca.pem --folder-id b1g… [--sequential]
 *   (IAM token in YC_IAM_TOKEN)
 *
 * Default ("minimal"):
 *   ApiEndpointService.List -> ServiceAccountService.Create -> OperationService.Get until done
 *   -> in parallel: FolderService.UpdateAccessBindings (5 ADD deltas) -> Get until done
 *                   ApiKeyService.Create (9 scopes, expires in 90 days; synchronous)
 *   Polls go back to back (each Get as soon as the previous answer arrives): without knowing how
 *   long an operation takes, that is the earliest a client can learn it is done. `--poll-ms N`
 *   sleeps N ms between Gets instead.
 *
 * `--sequential` ("sequential naive"): the same calls strictly one after another, each operation
 * waited for the way the SDK's `waitForOperation` does it (a Get at once, then one every second,
 * `Session.pollInterval`), and the key created after the bindings are done.
 *
 * What it loads: @grpc/grpc-js and the SDK's generated files of the five services, through
 * `require` (the cheapest way to load CommonJS; see src/cloud/sdk.ts), with the generated grpc-js
 * client classes directly: no nice-grpc, no SDK middleware, no Session, no SDK root. One TLS
 * channel per address, shared by every client. No retries, no idempotency keys, no clean-up on
 * failure: it prints the error and exits 1.
 *
 * Prints `{"secret", "api_key": {"id"}, "service_account": {"id"}}` on stdout.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const { ApiEndpointServiceClient, ListApiEndpointsRequest } = require('@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service');
const { ServiceAccountServiceClient, CreateServiceAccountRequest } = require('@yandex-cloud/nodejs-sdk/iam-v1/service_account_service');
const { ServiceAccount } = require('@yandex-cloud/nodejs-sdk/iam-v1/service_account');
const { ApiKeyServiceClient, CreateApiKeyRequest } = require('@yandex-cloud/nodejs-sdk/iam-v1/api_key_service');
const { FolderServiceClient } = require('@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service');
const { UpdateAccessBindingsRequest, AccessBindingAction } = require('@yandex-cloud/nodejs-sdk/proto/access/access');
const { OperationServiceClient, GetOperationRequest } = require('@yandex-cloud/nodejs-sdk/operation/operation_service');

const ROLES = [
  'ai.editor',
  'serverless.mcpGateways.invoker',
  'serverless.mcpGateways.anonymousInvoker',
  'serverless.workflows.executor',
  'search-api.webSearch.user',
];
const SCOPES = [
  'yc.ai.imageGeneration.execute',
  'yc.ai.languageModels.execute',
  'yc.ai.speechkitStt.execute',
  'yc.ai.speechkitTts.execute',
  'yc.ai.translate.execute',
  'yc.ai.vision.execute',
  'yc.search-api.execute',
  'yc.serverless.containers.invoke',
  'yc.serverless.functions.invoke',
];
const DESCRIPTION = 'AI Studio API key (minimal benchmark script)';
const SDK_POLL_INTERVAL_MS = 1000;

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'ca-file': { type: 'string' },
    'folder-id': { type: 'string' },
    sequential: { type: 'boolean', default: false },
    'poll-ms': { type: 'string', default: '0' },
  },
});
const token = process.env.YC_IAM_TOKEN;
if (!args.endpoint || !args['ca-file'] || !args['folder-id'] || !token) {
  process.stderr.write('usage: YC_IAM_TOKEN=t1.… node minimal-create.mjs --endpoint H:P --ca-file ca.pem --folder-id ID [--sequential] [--poll-ms N]\n');
  process.exit(2);
}
const folderId = args['folder-id'];
const pollMs = args.sequential ? SDK_POLL_INTERVAL_MS : Number(args['poll-ms']);
const creds = grpc.credentials.createSsl(readFileSync(args['ca-file']));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const channels = new Map();
function client(Client, address) {
  let channel = channels.get(address);
  if (!channel) {
    channel = new grpc.Channel(address, creds, {});
    channels.set(address, channel);
  }
  return new Client(address, creds, { channelOverride: channel });
}

function auth() {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

/** One unary call as a promise. */
function call(c, method, request, metadata = new grpc.Metadata()) {
  return new Promise((resolve, reject) => {
    c[method](request, metadata, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The SDK's waitForOperation shape: Get at once, then every `pollMs` until done. */
async function wait(operations, op) {
  let current = op;
  while (!current.done) {
    if (current !== op && pollMs > 0) await sleep(pollMs);
    current = await call(operations, 'get', GetOperationRequest.fromPartial({ operationId: op.id }), auth());
    if (current.error) throw new Error(`operation ${op.id} failed: ${current.error.message}`);
  }
  return current;
}

async function main() {
  const discovery = client(ApiEndpointServiceClient, args.endpoint);
  const { endpoints } = await call(discovery, 'list', ListApiEndpointsRequest.fromPartial({}));
  const address = (id) => {
    const found = endpoints.find((e) => e.id === id);
    if (!found) throw new Error(`no ${id} endpoint in discovery`);
    return found.address;
  };
  const iam = address('iam');
  const rm = address('resource-manager');
  const operations = client(OperationServiceClient, address('operation'));
  const accounts = client(ServiceAccountServiceClient, iam);
  const keys = client(ApiKeyServiceClient, iam);
  const folders = client(FolderServiceClient, rm);

  const name = `bench-min-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const saOp = await call(accounts, 'create', CreateServiceAccountRequest.fromPartial({ folderId, name, description: DESCRIPTION }), auth());
  const saDone = await wait(operations, saOp);
  const account = ServiceAccount.decode(saDone.response.value);

  const bind = async () => {
    const request = UpdateAccessBindingsRequest.fromPartial({
      resourceId: folderId,
      accessBindingDeltas: ROLES.map((roleId) => ({
        action: AccessBindingAction.ADD,
        accessBinding: { roleId, subject: { id: account.id, type: 'serviceAccount' } },
      })),
    });
    await wait(operations, await call(folders, 'updateAccessBindings', request, auth()));
  };
  const issue = () =>
    call(
      keys,
      'create',
      CreateApiKeyRequest.fromPartial({
        serviceAccountId: account.id,
        description: DESCRIPTION,
        scopes: SCOPES,
        expiresAt: new Date(Date.now() + 90 * 24 * 3600 * 1000),
      }),
      auth(),
    );

  let key;
  if (args.sequential) {
    await bind();
    key = await issue();
  } else {
    [, key] = await Promise.all([bind(), issue()]);
  }
  process.stdout.write(`${JSON.stringify({ secret: key.secret, api_key: { id: key.apiKey.id }, service_account: { id: account.id } })}\n`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`minimal-create: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  for (const channel of channels.values()) channel.close();
}

/**
 * Helpers for the emulator's own tests: SDK clients wired the way the tool will wire them
 * (reference §11.1), and assertions on the two error shapes the SDK produces.
 */
import assert from 'node:assert/strict';
import { Client as GrpcClient, Metadata as GrpcMetadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { createChannel, ClientError, Status, type Channel } from 'nice-grpc';
import { Session } from '@yandex-cloud/nodejs-sdk';
import { clientFactory } from '@yandex-cloud/nodejs-sdk/dist/utils/client-factory';
import { ApiEndpointServiceClient } from '@yandex-cloud/nodejs-sdk/endpoint/api_endpoint_service';
import { ApiKeyServiceClient } from '@yandex-cloud/nodejs-sdk/iam-v1/api_key_service';
import { RoleServiceClient } from '@yandex-cloud/nodejs-sdk/iam-v1/role_service';
import { IamTokenServiceService } from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import { ServiceAccountServiceClient } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import { PayloadServiceClient } from '@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service';
import { SecretServiceClient } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import { OperationServiceClient } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { CloudServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/cloud_service';
import { FolderServiceClient } from '@yandex-cloud/nodejs-sdk/resourcemanager-v1/folder_service';
import type { Emulator, GrpcStatusName } from './types.js';

export function sdkClients(emu: Emulator, iamToken: string) {
  const session = new Session({ iamToken, ssl: { rootCerts: Buffer.from(emu.caPem) } });
  return {
    session,
    endpoints: session.client(ApiEndpointServiceClient, emu.endpoint),
    serviceAccounts: session.client(ServiceAccountServiceClient, emu.endpoint),
    apiKeys: session.client(ApiKeyServiceClient, emu.endpoint),
    folders: session.client(FolderServiceClient, emu.endpoint),
    clouds: session.client(CloudServiceClient, emu.endpoint),
    operations: session.client(OperationServiceClient, emu.endpoint),
    secrets: session.client(SecretServiceClient, emu.endpoint),
    payloads: session.client(PayloadServiceClient, emu.endpoint),
    roles: session.client(RoleServiceClient, emu.endpoint),
  };
}

export type SdkClients = ReturnType<typeof sdkClients>;

/** A channel with no call credentials at all (for IamTokenService.Create), as reference §11.1 builds it. */
export function tokenClient(emu: Emulator): { client: ReturnType<typeof makeTokenClient>; channel: Channel } {
  const channel = createChannel(emu.endpoint, credentials.createSsl(Buffer.from(emu.caPem)));
  return { client: makeTokenClient(channel), channel };
}

function makeTokenClient(channel: Channel) {
  return clientFactory.create(IamTokenServiceService, channel);
}

/** The status name of either SDK error shape: ClientError has `code`; ApiError only the message. */
export function statusName(err: unknown): GrpcStatusName | undefined {
  if (err instanceof ClientError) return Status[err.code] as GrpcStatusName;
  if (err instanceof Error) return / ([A-Z_]+): /.exec(err.message)?.[1] as GrpcStatusName | undefined;
  return undefined;
}

/** Asserts the call fails with `code` (and a message matching `message`); returns the error. */
export async function rejectsWith(call: Promise<unknown>, code: GrpcStatusName, message?: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await call;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected the call to fail with ${code}, but it succeeded`);
  assert.equal(statusName(caught), code, `expected ${code}, got: ${caught.message}`);
  if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

/** Polls OperationService.Get until done (or error), at most `max` times. */
export async function waitDone(ops: SdkClients['operations'], op: Operation, max = 50): Promise<Operation> {
  let current = op;
  for (let i = 0; i < max && !current.done; i++) {
    current = await ops.get({ operationId: op.id });
    if (!current.done) await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(current.done, `operation ${op.id} did not finish after ${max} polls`);
  return current;
}

/**
 * A raw unary call with grpc-js: request bytes in, response bytes out, with exactly the metadata
 * given (no authorization unless passed). For what the SDK clients hide: a missing token, fields
 * newer than SDK 3.2.0, trailers.
 */
export function rawCall(
  emu: Emulator,
  path: string,
  request: Uint8Array,
  metadata: Record<string, string> = {},
): Promise<{ response: Buffer | undefined; error: ServiceError | undefined; headers: GrpcMetadata | undefined }> {
  const client = new GrpcClient(emu.endpoint, credentials.createSsl(Buffer.from(emu.caPem)));
  const md = new GrpcMetadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve) => {
    let headers: GrpcMetadata | undefined;
    const call = client.makeUnaryRequest(path, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, request, md, (error, response) => {
      client.close();
      resolve({ response, error: error ?? undefined, headers });
    });
    call.on('metadata', (m: GrpcMetadata) => { headers = m; });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, Status } from 'nice-grpc';
import { errors } from '@yandex-cloud/nodejs-sdk';
import type { CreateServiceAccountRequest } from '@yandex-cloud/nodejs-sdk/iam-v1/service_account_service';
import { decodeStatus, defaultFixture, startEmulator, type DefaultIds, type Emulator } from './index.js';
import { rawCall, sdkClients } from './sdk-clients.js';

const PATH = '/yandex.cloud.iam.v1.ServiceAccountService/Create';

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('error shapes', () => {
  let ids: DefaultIds;
  let withHeaders: Emulator;
  let trailersOnly: Emulator;
  const req = (over: Partial<CreateServiceAccountRequest> = {}): CreateServiceAccountRequest =>
    ({ folderId: ids.folderId, name: 'shared-robot', description: '', labels: {}, ...over });

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    [withHeaders, trailersOnly] = await Promise.all([
      startEmulator({ fixture: d.fixture }),
      startEmulator({ fixture: d.fixture, sendHeadersBeforeError: false }),
    ]);
  });
  after(() => Promise.all([withHeaders.stop(), trailersOnly.stop()]));

  it('by default sends headers first, so the SDK throws ApiError: no code, request id from the headers', async () => {
    const err = await failure(sdkClients(withHeaders, ids.userIamToken).serviceAccounts.create(req()));
    assert.ok(err instanceof errors.ApiError);
    assert.ok(!(err instanceof ClientError));
    assert.equal(err.name, 'ApiError');
    assert.equal('code' in err, false);
    assert.equal(err.message, `${PATH} ALREADY_EXISTS: Service account 'shared-robot@${ids.cloudId}' already exists`);
    const entry = withHeaders.calls('ServiceAccountService/Create').at(-1);
    assert.equal(err.requestId, entry?.requestId);
    assert.match(err.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.match(err.serverTraceId ?? '', /^[0-9a-f]{32}$/);
  });

  it('with sendHeadersBeforeError false, errors are trailers-only and the SDK throws ClientError with a code', async () => {
    const err = await failure(sdkClients(trailersOnly, ids.userIamToken).serviceAccounts.create(req()));
    assert.ok(err instanceof ClientError);
    assert.ok(!(err instanceof errors.ApiError));
    assert.equal(err.code, Status.ALREADY_EXISTS);
    assert.equal(err.path, PATH);
    assert.equal(err.details, `Service account 'shared-robot@${ids.cloudId}' already exists`);
    assert.equal(err.message, `${PATH} ALREADY_EXISTS: ${err.details}`);
  });

  it('the SDK retries a ClientError but not an ApiError (reference §11.3)', async () => {
    const opts = { retry: true, retryBaseDelayMs: 5, retryMaxAttempts: 2 };
    trailersOnly.inject('ServiceAccountService/Get', { kind: 'error', code: 'UNAVAILABLE' });
    const sa = await sdkClients(trailersOnly, ids.userIamToken).serviceAccounts.get({ serviceAccountId: ids.serviceAccountId }, opts);
    assert.equal(sa.id, ids.serviceAccountId);
    assert.deepEqual(trailersOnly.calls('ServiceAccountService/Get').slice(-2).map((e) => e.status), ['UNAVAILABLE', 'OK']);

    withHeaders.inject('ServiceAccountService/Get', { kind: 'error', code: 'UNAVAILABLE' });
    const err = await failure(sdkClients(withHeaders, ids.userIamToken).serviceAccounts.get({ serviceAccountId: ids.serviceAccountId }, opts));
    assert.ok(err instanceof errors.ApiError);
    assert.equal(withHeaders.calls('ServiceAccountService/Get').at(-1)?.status, 'UNAVAILABLE');
  });

  for (const mode of ['headers first', 'trailers only'] as const) {
    it(`attaches google.rpc.RequestInfo, and BadRequest for validation errors (${mode})`, async () => {
      const emu = mode === 'headers first' ? withHeaders : trailersOnly;
      let trailer: Uint8Array | undefined;
      await failure(sdkClients(emu, ids.userIamToken).serviceAccounts.create(req({ name: 'Bad_Name' }), {
        onTrailer: (t) => { trailer = t.get('grpc-status-details-bin'); },
      }));
      assert.ok(trailer, 'grpc-status-details-bin trailer');
      const status = decodeStatus(trailer);
      assert.equal(status.code, Status.INVALID_ARGUMENT);
      assert.equal(status.message, 'Request validation error: Name: invalid resource name');
      assert.equal(status.requestId, emu.calls('ServiceAccountService/Create').at(-1)?.requestId);
      assert.deepEqual(status.fieldViolations, [{ field: 'name', description: 'invalid resource name' }]);
    });
  }

  it('sends x-request-id and x-server-trace-id on success too', async () => {
    const { headers, error } = await rawCall(withHeaders, '/yandex.cloud.endpoint.ApiEndpointService/List', Buffer.alloc(0));
    assert.equal(error, undefined);
    assert.match(String(headers?.get('x-request-id')[0]), /^[0-9a-f-]{36}$/);
    assert.match(String(headers?.get('x-server-trace-id')[0]), /^[0-9a-f]{32}$/);
  });
});

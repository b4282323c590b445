import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, Metadata, Status } from 'nice-grpc';
import { ApiError } from '@yandex-cloud/nodejs-sdk/dist/errors';
import { AlreadyExistsError, AuthError, CloudError, InterruptedError, NotFoundError } from '../../src/errors.js';
import {
  failureToAppError,
  isTransient,
  neverReachedServer,
  operationErrorToAppError,
  parseRpcError,
  parseStatusFromMessage,
  toAppError,
  type ErrorContext,
} from '../../src/cloud/errors.js';
import { abortError } from '../../src/cloud/retry.js';
import { fakeIamToken } from '../helpers/fakes.js';
const FAKE_1 = fakeIamToken();

const PATH = '/yandex.cloud.resourcemanager.v1.FolderService/UpdateAccessBindings';
const IAM = FAKE_1;

function clientError(code: Status, details: string): ClientError {
  return new ClientError(PATH, code, details);
}

/** The SDK's ApiError, as errorMetadataMiddleware builds it when headers came before the error. */
function apiError(code: Status, details: string, requestId = 'req-123'): ApiError {
  const md = new Metadata();
  md.set('x-request-id', requestId);
  md.set('x-server-trace-id', 'trace-9');
  return new ApiError(clientError(code, details), md);
}

const ctx: ErrorContext = {
  action: 'grant roles on folder b1gfolder',
  needs: '`admin` or `resource-manager.admin` on it',
  resource: 'folder b1gfolder',
};

test('parseRpcError reads ClientError by its numeric code', () => {
  const f = parseRpcError(clientError(Status.UNAVAILABLE, 'Connection dropped'));
  assert.deepEqual(f && { status: f.status, details: f.details, path: f.path, shape: f.shape }, {
    status: 'UNAVAILABLE',
    details: 'Connection dropped',
    path: PATH,
    shape: 'ClientError',
  });
});

test('parseRpcError reads ApiError (no code) from its message, with request and trace ids', () => {
  const err = apiError(Status.PERMISSION_DENIED, 'Permission denied to resource-manager.folder b1g');
  assert.equal((err as unknown as { code?: unknown }).code, undefined, 'ApiError really has no code');
  const f = parseRpcError(err);
  assert.ok(f);
  assert.equal(f.status, 'PERMISSION_DENIED');
  assert.equal(f.details, 'Permission denied to resource-manager.folder b1g');
  assert.equal(f.requestId, 'req-123');
  assert.equal(f.serverTraceId, 'trace-9');
  assert.equal(f.shape, 'ApiError');
});

test('parseRpcError recognises the "Getting metadata from plugin failed" shape as UNAUTHENTICATED', () => {
  const f = parseRpcError(clientError(Status.UNKNOWN, 'Getting metadata from plugin failed with error: token exchange failed'));
  assert.equal(f?.status, 'UNAUTHENTICATED');
  assert.equal(f?.shape, 'plugin');
  assert.equal(f?.details, 'token exchange failed');
  const wrapped = parseRpcError(apiError(Status.INTERNAL, 'Getting metadata from plugin failed with error: boom'));
  assert.equal(wrapped?.status, 'UNAUTHENTICATED');
});

test('parseRpcError reads a raw grpc-js ServiceError and ignores everything else', () => {
  const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
  assert.equal(parseRpcError(raw)?.status, 'UNAVAILABLE');
  assert.equal(parseRpcError(new TypeError('x is undefined')), undefined);
  assert.equal(parseRpcError('string'), undefined);
  assert.equal(parseRpcError(null), undefined);
});

test('parseStatusFromMessage needs a known status name', () => {
  assert.deepEqual(parseStatusFromMessage('/a.B/C NOT_FOUND: gone'), { status: 'NOT_FOUND', path: '/a.B/C', details: 'gone' });
  assert.equal(parseStatusFromMessage('/a.B/C SOMETHING: gone'), undefined);
  assert.equal(parseStatusFromMessage('no status here'), undefined);
});

test('transient statuses, and TLS failures that never heal', () => {
  const f = (status: Status, details = 'x') => {
    const r = parseRpcError(clientError(status, details));
    assert.ok(r);
    return r;
  };
  for (const s of [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.INTERNAL, Status.RESOURCE_EXHAUSTED]) assert.ok(isTransient(f(s)));
  for (const s of [Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT, Status.ABORTED, Status.UNAUTHENTICATED]) assert.ok(!isTransient(f(s)));
  assert.ok(!isTransient(f(Status.UNAVAILABLE, 'No connection established. Last error: self-signed certificate in certificate chain')));
  assert.ok(neverReachedServer(f(Status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1')));
  assert.ok(!neverReachedServer(f(Status.UNAVAILABLE, 'Connection dropped')));
});

for (const [shape, make] of [
  ['ClientError', clientError],
  ['ApiError', apiError],
] as const) {
  test(`${shape}: PERMISSION_DENIED → AuthError naming the action and what it needs`, () => {
    const e = toAppError(make(Status.PERMISSION_DENIED, 'Permission denied'), ctx);
    assert.ok(e instanceof AuthError);
    assert.equal(e.code, 'permission_denied');
    assert.equal(e.exitCode, 3);
    assert.equal(e.message, 'You may not grant roles on folder b1gfolder: that needs `admin` or `resource-manager.admin` on it.');
  });

  test(`${shape}: UNAUTHENTICATED → AuthError with the credential's hint`, () => {
    const e = toAppError(make(Status.UNAUTHENTICATED, 'Token is invalid or has expired.'), { ...ctx, authHints: ['get a fresh token'] });
    assert.ok(e instanceof AuthError);
    assert.equal(e.code, 'unauthenticated');
    assert.deepEqual(e.hints, ['get a fresh token']);
    assert.match(e.message, /Token is invalid or has expired/);
  });

  test(`${shape}: NOT_FOUND → NotFoundError, ALREADY_EXISTS → AlreadyExistsError`, () => {
    const nf = toAppError(make(Status.NOT_FOUND, 'Folder b1gfolder not found'), ctx);
    assert.ok(nf instanceof NotFoundError);
    assert.match(nf.message, /folder b1gfolder does not exist, or you may not see it/);
    const ae = toAppError(make(Status.ALREADY_EXISTS, "Service account 'x@b1gcloud' already exists"), { ...ctx, existsHints: ['pick another --name'] });
    assert.ok(ae instanceof AlreadyExistsError);
    assert.match(ae.message, /Service account 'x@b1gcloud' already exists/);
    assert.deepEqual(ae.hints, ['pick another --name']);
  });

  test(`${shape}: other statuses → CloudError with the status name`, () => {
    const e = toAppError(make(Status.UNAVAILABLE, 'Connection dropped'), ctx);
    assert.ok(e instanceof CloudError);
    assert.equal(e.status, 'UNAVAILABLE');
    assert.equal(e.code, 'unavailable');
    assert.match(e.message, /Could not grant roles on folder b1gfolder: UNAVAILABLE: Connection dropped/);
  });
}

test('the request id of an ApiError reaches CloudError', () => {
  const e = toAppError(apiError(Status.INTERNAL, 'oops', 'rid-77'), ctx);
  assert.ok(e instanceof CloudError);
  assert.equal(e.requestId, 'rid-77');
  assert.match(e.message, /request id rid-77/);
});

test('no token ever reaches a message, even when the server echoes one', () => {
  for (const code of [Status.UNAUTHENTICATED, Status.PERMISSION_DENIED, Status.NOT_FOUND, Status.INTERNAL, Status.INVALID_ARGUMENT]) {
    const e = toAppError(clientError(code, `bad token ${IAM}`), ctx) as Error & { hints: string[] };
    assert.ok(!e.message.includes(IAM), e.message);
    assert.ok(!e.hints.join(' ').includes(IAM));
  }
  const custom = failureToAppError(
    { status: 'INTERNAL', details: 'secret=opaque-secret-value', path: undefined, requestId: undefined, serverTraceId: undefined, shape: 'grpc' },
    { ...ctx, redact: (s) => s.replace('opaque-secret-value', '***') },
  );
  assert.ok(!custom.message.includes('opaque-secret-value'));
});

test('aborts become InterruptedError; our own errors pass through; bugs are rethrown as is', () => {
  assert.ok(toAppError(abortError(), ctx) instanceof InterruptedError);
  const mine = new NotFoundError('mine');
  assert.equal(toAppError(mine, ctx), mine);
  const bug = new TypeError('x is undefined');
  assert.equal(toAppError(bug, ctx), bug);
});

test('an operation error maps by its status code and carries the operation id', () => {
  const e = operationErrorToAppError({ code: 7, message: 'Permission denied' }, ctx, 'op-1');
  assert.ok(e instanceof AuthError);
  assert.equal((e as AuthError & { operationId?: string }).operationId, 'op-1');
  const internal = operationErrorToAppError({ code: 13, message: 'Internal error' }, ctx, 'op-2');
  assert.ok(internal instanceof CloudError);
  assert.equal((internal as CloudError).status, 'INTERNAL');
  assert.equal(operationErrorToAppError({ code: 99, message: '?' }, ctx, 'op-3').constructor, CloudError);
});

test('a used-up quota is told from a rate limit by a QuotaFailure detail where present, by the wording otherwise', async () => {
  const { decodeStatusDetails } = await import('../../src/cloud/status-details.js');
  const { STATUS_DETAILS, isQuotaExceeded } = await import('../../src/cloud/errors.js');
  // google.rpc.Status{code 8, message, details: [Any{type_url QuotaFailure, value QuotaFailure{violations: [{subject, description}]}}]}
  const field = (no: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(no << 3) | 2, body.length]), body]);
  const violation = field(1, Buffer.concat([field(1, Buffer.from('iam.serviceAccounts.count')), field(2, Buffer.from('limit 100 reached'))]));
  const any = Buffer.concat([field(1, Buffer.from('type.googleapis.com/google.rpc.QuotaFailure')), field(2, violation)]);
  const bin = Buffer.concat([Buffer.from([0x08, 8]), field(2, Buffer.from('Resource exhausted')), field(3, any)]);
  const details = decodeStatusDetails(bin);
  assert.deepEqual(details?.quotaViolations, [{ subject: 'iam.serviceAccounts.count', description: 'limit 100 reached' }]);
  assert.equal(decodeStatusDetails(Buffer.from([0xff, 0xff])), undefined, 'malformed: no hint, no throw');

  const withDetail = Object.defineProperty(clientError(Status.RESOURCE_EXHAUSTED, 'Resource exhausted'), STATUS_DETAILS, { value: details });
  const f = parseRpcError(withDetail);
  assert.ok(f && isQuotaExceeded(f) && !isTransient(f));
  assert.match(failureToAppError(f, ctx).message, /a quota of the cloud is used up \(iam\.serviceAccounts\.count\)/);
  for (const [text, quota] of [
    ['Quota limit iam.serviceAccounts.count exceeded (limit 100)', true],
    ['The limit of iam.apiKeys.count has been reached: 1000', true],
    ['Request limit exceeded', false],
    ['Resource exhausted', false],
  ] as const) {
    const g = parseRpcError(clientError(Status.RESOURCE_EXHAUSTED, text));
    assert.ok(g);
    assert.equal(isQuotaExceeded(g), quota, text);
    assert.equal(isTransient(g), !quota, text);
  }
});

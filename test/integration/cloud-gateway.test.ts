/**
 * The real gateway (src/cloud/connect.ts) against the emulator: discovery, every credential kind,
 * each gateway call, both SDK error shapes, retries with reused idempotency keys, and the poller.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { AI_STUDIO_SCOPES, defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { connect } from '../../src/cloud/connect.js';
import { AmbiguousOutcomeError, OperationInterruptedError } from '../../src/cloud/errors.js';
import type { Connection, ConnectTarget, Credential } from '../../src/cloud/types.js';
import { AlreadyExistsError, AuthError, CloudError, NotFoundError } from '../../src/errors.js';

const ROLES = ['ai.editor', 'serverless.mcpGateways.invoker', 'serverless.mcpGateways.anonymousInvoker', 'serverless.workflows.executor', 'search-api.webSearch.user'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const CONNECT_MODULE = new URL('../../src/cloud/connect.ts', import.meta.url).href;

/** Runs `code` (an ES module body; `connect` is in scope) in a fresh Node process with tsx. */
async function runChild(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const body = `const { connect } = await import(${JSON.stringify(CONNECT_MODULE)});\n${code}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code: exit, stdout, stderr };
}

const CHILD_TARGET = `{
  endpoint: process.env.EMU_ENDPOINT,
  caPem: process.env.EMU_CA ? Buffer.from(process.env.EMU_CA) : undefined,
  credential: process.env.EMU_OAUTH
    ? { kind: 'oauth-token', source: 'env:YC_OAUTH_TOKEN', token: process.env.EMU_OAUTH }
    : { kind: 'iam-token', source: 'env:YC_IAM_TOKEN', token: process.env.EMU_TOKEN },
  warn: (l) => warnings.push(l),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => new Date(),
}`;

interface World {
  emu: Emulator;
  ids: DefaultIds;
  debug: string[];
  warnings: string[];
  target(credential?: Credential, extra?: Partial<ConnectTarget>): ConnectTarget;
  open(credential?: Credential, extra?: Partial<ConnectTarget>): Promise<Connection>;
}

const running: Emulator[] = [];
const connections: Connection[] = [];
after(async () => {
  for (const c of connections) c.gateway.close();
  await Promise.all(running.map((e) => e.stop()));
});

async function world(opts: EmulatorOptions = {}): Promise<World> {
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({ fixture, ...opts });
  running.push(emu);
  const debug: string[] = [];
  const warnings: string[] = [];
  const iam: Credential = { kind: 'iam-token', source: 'test', token: ids.userIamToken, subject: { type: 'userAccount', id: ids.userId } };
  const target = (credential: Credential = iam, extra: Partial<ConnectTarget> = {}): ConnectTarget => ({
    endpoint: emu.endpoint,
    caPem: Buffer.from(emu.caPem),
    credential,
    debug: (l) => debug.push(l),
    warn: (l) => warnings.push(l),
    sleep,
    now: () => new Date(),
    ...extra,
  });
  return {
    emu,
    ids,
    debug,
    warnings,
    target,
    async open(credential, extra) {
      const c = await connect(target(credential, extra));
      connections.push(c);
      return c;
    },
  };
}

const saBinding = (id: string) => (roleId: string) => ({ roleId, subject: { type: 'serviceAccount', id } });

describe('connect', () => {
  test('discovers services through ApiEndpointService.List, without credentials', async () => {
    const w = await world();
    const c = await w.open();
    const list = w.emu.calls('ApiEndpointService/List');
    assert.equal(list.length, 1);
    assert.equal(list[0]?.metadata['authorization'], undefined);
    assert.equal(c.services?.['iam'], w.emu.endpoint);
    assert.equal(c.services?.['resource-manager'], w.emu.endpoint);
    assert.equal(c.services?.['operation'], w.emu.endpoint);
    assert.deepEqual(c.identity, { kind: 'userAccount', id: w.ids.userId, tokenExpiresAt: undefined });
    assert.equal(c.gateway.endpoint, w.emu.endpoint);
    // every later call carries the token
    await c.gateway.getFolder(w.ids.folderId);
    assert.equal(w.emu.calls('FolderService/Get')[0]?.metadata['authorization'], `Bearer ${w.ids.userIamToken}`);
  });

  test('an OAuth token is exchanged once at the discovered IAM endpoint, with one warning and nothing on stdout', async () => {
    const w = await world();
    // A separate process, so its whole stdout can be checked: the SDK's OAuth path would print there via log4js.
    const { code, stdout, stderr } = await runChild(
      `const warnings = [];
       const c = await connect(${CHILD_TARGET});
       await c.gateway.getFolder(process.env.EMU_FOLDER);
       await c.gateway.getFolder(process.env.EMU_FOLDER);
       c.gateway.close();
       process.stderr.write('RESULT ' + JSON.stringify({ warnings, identity: c.identity }) + '\\n');`,
      { EMU_ENDPOINT: w.emu.endpoint, EMU_CA: w.emu.caPem, EMU_OAUTH: w.ids.userOauthToken, EMU_FOLDER: w.ids.folderId },
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '', 'nothing may reach stdout');
    const report = JSON.parse(/^RESULT (.*)$/m.exec(stderr)?.[1] ?? '{}') as { warnings: string[]; identity: { kind: string } };
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0] ?? '', /OAuth tokens are being retired/);
    assert.equal(report.identity.kind, 'userAccount');
    assert.ok(!stderr.includes(w.ids.userOauthToken), 'the OAuth token never appears in output');
    const exchanges = w.emu.calls('IamTokenService/Create');
    assert.equal(exchanges.length, 1, 'exchanged once for the whole run');
    assert.equal(exchanges[0]?.metadata['authorization'], undefined);
    assert.deepEqual(Object.keys(exchanges[0]?.request as object), ['yandexPassportOauthToken']);
    // The two calls the child made used the minted IAM token, not the OAuth token.
    const used = w.emu.calls('FolderService/Get').map((e) => e.metadata['authorization']);
    assert.equal(used.length, 2);
    for (const a of used) assert.match(a ?? '', /^Bearer t1\./);
  });

  test('an authorized key is exchanged with a PS256 JWT we sign; identity is the service account', async () => {
    const w = await world();
    const k = w.ids.authorizedKey;
    const c = await w.open({ kind: 'sa-key', source: 'flag:--sa-key-file', key: { id: k.id, serviceAccountId: k.service_account_id, privateKey: k.private_key } });
    assert.equal(c.identity.kind, 'serviceAccount');
    assert.equal(c.identity.id, w.ids.serviceAccountId);
    assert.ok(c.identity.tokenExpiresAt && c.identity.tokenExpiresAt.getTime() > Date.now());
    const ex = w.emu.calls('IamTokenService/Create');
    assert.equal(ex.length, 1);
    const jwt = (ex[0]?.request as { jwt?: string }).jwt ?? '';
    assert.deepEqual(JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()), { typ: 'JWT', alg: 'PS256', kid: k.id });
    const accounts = await c.gateway.listServiceAccounts(w.ids.folderId);
    assert.ok(accounts.some((a) => a.id === w.ids.serviceAccountId));
    for (const l of w.debug) assert.ok(!l.includes(jwt) && !l.includes('PRIVATE KEY'), l);
  });

  test('a wrong key id is an AuthError with a hint about the key', async () => {
    const w = await world();
    const k = w.ids.authorizedKey;
    await assert.rejects(
      connect(w.target({ kind: 'sa-key', source: 'env:YC_SERVICE_ACCOUNT_KEY_FILE', key: { id: 'ajewrongkeyid0000000', serviceAccountId: k.service_account_id, privateKey: k.private_key } })),
      (e) => {
        assert.ok(e instanceof AuthError, String(e));
        assert.match(e.hints.join(' '), /authorized key ajewrongkeyid0000000/);
        return true;
      },
    );
  });

  test('a rejected IAM token is an AuthError (unauthenticated) that names the source', async () => {
    const w = await world();
    const c = await w.open({ kind: 'iam-token', source: 'env:YC_IAM_TOKEN', token: w.emu.issueIamToken(w.ids.userId, { ttlMs: -1000 }) });
    await assert.rejects(c.gateway.getFolder(w.ids.folderId), (e) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.code, 'unauthenticated');
      assert.match(e.hints.join(' '), /env:YC_IAM_TOKEN/);
      return true;
    });
  });

  test('an untrusted server certificate fails fast with a --ca-file hint', async () => {
    const w = await world();
    // Every retry waits through `sleep` first: none means no retry.
    const sleeps: number[] = [];
    const sleep = (ms: number): Promise<void> => (sleeps.push(ms), Promise.resolve());
    await assert.rejects(connect(w.target(undefined, { caPem: undefined, sleep })), (e) => {
      assert.ok(e instanceof CloudError, String(e));
      assert.match(e.hints.join(' '), /--ca-file/);
      return true;
    });
    assert.deepEqual(sleeps, [], 'no retries for a TLS failure');
  });

  test('an unreachable endpoint is a CloudError (UNAVAILABLE) that names it, after the retries', async () => {
    const w = await world();
    await assert.rejects(connect(w.target(undefined, { endpoint: '127.0.0.1:1', retries: 1 })), (e) => {
      assert.ok(e instanceof CloudError);
      assert.equal(e.status, 'UNAVAILABLE');
      assert.match(e.message, /Could not discover the services of 127\.0\.0\.1:1: UNAVAILABLE/);
      assert.match(e.hints.join(' '), /--endpoint/);
      return true;
    });
    assert.equal(w.debug.filter((l) => l.startsWith('rpc ApiEndpointService/List UNAVAILABLE')).length, 2);
  });

  test('GRPC_DEFAULT_SSL_ROOTS_FILE_PATH keeps working when no CA is given', async () => {
    const w = await world();
    const { code, stderr } = await runChild(
      `const warnings = [];
       const c = await connect(${CHILD_TARGET});
       await c.gateway.getFolder(process.env.EMU_FOLDER);
       c.gateway.close();`,
      { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: w.emu.caFile, EMU_ENDPOINT: w.emu.endpoint, EMU_TOKEN: w.ids.userIamToken, EMU_FOLDER: w.ids.folderId },
    );
    assert.equal(code, 0, stderr);
    assert.equal(w.emu.calls('FolderService/Get').length, 1);
  });
});

describe('gateway calls', () => {
  test('create a service account and wait for it; find it by name (filter) and list it', async () => {
    const w = await world({ operationDelayMs: 80 });
    const { gateway } = await w.open();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'ai-key-1', description: 'made by a test', labels: { team: 'ml' } });
    assert.equal(sa.name, 'ai-key-1');
    assert.equal(sa.folderId, w.ids.folderId);
    assert.deepEqual(sa.labels, { team: 'ml' });
    assert.ok(sa.createdAt instanceof Date);
    assert.ok(w.emu.state.serviceAccounts().some((a) => a.id === sa.id));
    const create = w.emu.calls('ServiceAccountService/Create');
    assert.equal(create.length, 1);
    assert.match(create[0]?.metadata['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(w.emu.calls('OperationService/Get').length >= 2, 'polled until done');

    assert.equal((await gateway.findServiceAccountByName(w.ids.folderId, 'ai-key-1'))?.id, sa.id);
    assert.equal(await gateway.findServiceAccountByName(w.ids.folderId, 'no-such-account'), undefined);
    const lists = w.emu.calls('ServiceAccountService/List');
    assert.equal((lists[0]?.request as { filter?: string }).filter, 'name="ai-key-1"');
    assert.equal((await gateway.getServiceAccount(sa.id)).name, 'ai-key-1');
    const all = await gateway.listServiceAccounts(w.ids.folderId);
    assert.ok(all.some((a) => a.id === sa.id) && all.some((a) => a.id === w.ids.foreignServiceAccountId));
    await gateway.deleteServiceAccount(sa.id);
    assert.ok(!w.emu.state.serviceAccounts().some((a) => a.id === sa.id));
  });

  test('roles are granted with one UpdateAccessBindings of ADD deltas; foreign bindings stay; REMOVE undoes only ours', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const before = w.emu.state.folderBindings(w.ids.folderId);
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'ai-key-2', description: '', labels: {} });
    const wanted = ROLES.map(saBinding(sa.id));
    const effective = await gateway.addFolderAccessBindings(w.ids.folderId, wanted);
    assert.deepEqual(effective, wanted);
    const calls = w.emu.calls('FolderService/UpdateAccessBindings');
    assert.equal(calls.length, 1);
    const deltas = (calls[0]?.request as { accessBindingDeltas: Array<{ action: string | number }> }).accessBindingDeltas;
    assert.equal(deltas.length, 5);
    // ADD is 1 (the journal may hold the enum as a number or, ts-proto toJSON style, as its name)
    assert.ok(deltas.every((d) => d.action === 'ADD' || d.action === 1), JSON.stringify(deltas));
    assert.equal(w.emu.calls('FolderService/SetAccessBindings').length, 0);
    const afterAdd = w.emu.state.folderBindings(w.ids.folderId);
    for (const b of before) assert.ok(afterAdd.some((a) => a.roleId === b.roleId && a.subject.id === b.subject.id), `lost ${b.roleId}`);
    assert.equal(afterAdd.length, before.length + 5);
    assert.equal((await gateway.listFolderAccessBindings(w.ids.folderId)).length, before.length + 5);

    await gateway.removeFolderAccessBindings(w.ids.folderId, wanted);
    assert.deepEqual(w.emu.state.folderBindings(w.ids.folderId), before);
    assert.deepEqual(await gateway.addFolderAccessBindings(w.ids.folderId, []), [], 'nothing to grant: no call');
    assert.equal(w.emu.calls('FolderService/UpdateAccessBindings').length, 2);
  });

  test('API keys: create with the nine scopes, list, get, delete; the secret is never in debug output', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'ai-key-3', description: '', labels: {} });
    const expiresAt = new Date(Date.now() + 86_400_000);
    const created = await gateway.createApiKey({ serviceAccountId: sa.id, description: 'run-marker', scopes: [...AI_STUDIO_SCOPES], expiresAt });
    assert.match(created.secret, /^AQVN[A-Za-z0-9_-]{35,38}$/);
    assert.deepEqual(created.apiKey.scopes, [...AI_STUDIO_SCOPES]);
    assert.equal(created.apiKey.expiresAt?.getTime(), expiresAt.getTime());
    assert.equal(w.emu.calls('ApiKeyService/Create')[0]?.metadata['idempotency-key'], undefined);
    const listed = await gateway.listApiKeys(sa.id);
    assert.deepEqual(listed.map((k) => k.id), [created.apiKey.id]);
    assert.equal((await gateway.getApiKey(created.apiKey.id)).description, 'run-marker');
    await gateway.deleteApiKey(created.apiKey.id);
    assert.deepEqual(await gateway.listApiKeys(sa.id), []);
    for (const l of w.debug) assert.ok(!l.includes(created.secret) && !l.includes(w.ids.userIamToken), l);
    await assert.rejects(gateway.createApiKey({ serviceAccountId: sa.id, description: '', scopes: [], expiresAt: undefined }), /no scopes/);
    assert.equal(w.emu.calls('ApiKeyService/Create').length, 1, 'an empty scope list is never sent');
  });

  test('a call slower than callTimeoutMs is cut off at the deadline and retried', async () => {
    const w = await world();
    const { gateway } = await w.open(undefined, { callTimeoutMs: 150, retries: 1 });
    w.emu.inject('FolderService/Get', { kind: 'delay', ms: 600 });
    assert.equal((await gateway.getFolder(w.ids.folderId)).id, w.ids.folderId);
    assert.ok(w.debug.some((l) => /FolderService\/Get DEADLINE_EXCEEDED/.test(l)));

    w.emu.inject('FolderService/Get', { kind: 'delay', ms: 600, times: 2 });
    await assert.rejects(gateway.getFolder(w.ids.folderId), (e) => e instanceof CloudError && e.status === 'DEADLINE_EXCEEDED');
  });

  test('listScopes, listClouds, folders by id and by name', async () => {
    const w = await world();
    const { gateway } = await w.open();
    const scopes = await gateway.listScopes();
    for (const s of AI_STUDIO_SCOPES) assert.ok(scopes.includes(s), s);
    assert.deepEqual(await gateway.listClouds(), [{ id: w.ids.cloudId, name: w.ids.cloudName }]);
    assert.deepEqual(await gateway.getFolder(w.ids.folderId), { id: w.ids.folderId, cloudId: w.ids.cloudId, name: w.ids.folderName });
    assert.equal((await gateway.findFolderByName(w.ids.cloudId, w.ids.otherFolderName))?.id, w.ids.otherFolderId);
    assert.equal(await gateway.findFolderByName(w.ids.cloudId, 'nope-folder'), undefined);
    const req = w.emu.calls('FolderService/List')[0]?.request as { cloudId: string; filter: string };
    assert.equal(req.cloudId, w.ids.cloudId);
    assert.equal(req.filter, `name="${w.ids.otherFolderName}"`);
  });
});

for (const sendHeadersBeforeError of [true, false]) {
  const shape = sendHeadersBeforeError ? 'ApiError' : 'ClientError';
  describe(`error mapping (${shape} shape, sendHeadersBeforeError=${sendHeadersBeforeError})`, () => {
    test('PERMISSION_DENIED → AuthError naming the action and the role; UNAUTHENTICATED → AuthError; NOT_FOUND; ALREADY_EXISTS', async () => {
      const w = await world({ sendHeadersBeforeError });
      const viewer = await w.open({ kind: 'iam-token', source: 'test', token: w.ids.viewerIamToken });
      await assert.rejects(viewer.gateway.addFolderAccessBindings(w.ids.folderId, [saBinding(w.ids.foreignServiceAccountId)('ai.editor')]), (e) => {
        assert.ok(e instanceof AuthError);
        assert.equal(e.code, 'permission_denied');
        assert.equal(e.message, `You may not grant roles on folder ${w.ids.folderId}: that needs \`admin\` or \`resource-manager.admin\` on it (and you can only grant roles you hold yourself).`);
        return true;
      });
      await assert.rejects(viewer.gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'nope-sa', description: '', labels: {} }), (e) => {
        assert.ok(e instanceof AuthError && e.code === 'permission_denied');
        assert.match(e.message, /You may not create service account "nope-sa" in folder .*`iam.serviceAccounts.admin` or `editor`/);
        return true;
      });
      const line = w.debug.find((l) => l.includes('FolderService/UpdateAccessBindings PERMISSION_DENIED')) ?? '';
      assert.equal(line.includes('(ApiError)'), sendHeadersBeforeError, `the ${shape} shape was really exercised: ${line}`);
      assert.match(line, /request-id=[0-9a-f-]{36}/, 'request id read from headers or trailers');

      const { gateway } = await w.open();
      await assert.rejects(gateway.getServiceAccount('ajenosuchaccount0000'), (e) => e instanceof NotFoundError && /service account ajenosuchaccount0000/.test(e.message));
      await assert.rejects(gateway.createServiceAccount({ folderId: w.ids.folderId, name: w.ids.otherFolderServiceAccountName, description: '', labels: {} }), (e) => {
        assert.ok(e instanceof AlreadyExistsError);
        assert.match(e.message, /already exists/);
        assert.match(e.hints.join(' '), /unique in the whole cloud/);
        return true;
      });
      const bad = await w.open({ kind: 'iam-token', source: 'flag:--iam-token', token: 't1.bogus' });
      await assert.rejects(bad.gateway.listClouds(), (e) => e instanceof AuthError && e.code === 'unauthenticated');
    });

    test('UNAVAILABLE once is retried, for reads and for mutations', async () => {
      const w = await world({ sendHeadersBeforeError });
      const { gateway } = await w.open();
      w.emu.inject('FolderService/Get', { kind: 'error', code: 'UNAVAILABLE' });
      assert.equal((await gateway.getFolder(w.ids.folderId)).id, w.ids.folderId);
      assert.deepEqual(w.emu.calls('FolderService/Get').map((e) => e.status), ['UNAVAILABLE', 'OK']);
      w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'error', code: 'UNAVAILABLE' });
      const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'retry-sa', description: '', labels: {} });
      await gateway.addFolderAccessBindings(w.ids.folderId, [saBinding(sa.id)('ai.editor')]);
      const upd = w.emu.calls('FolderService/UpdateAccessBindings');
      assert.deepEqual(upd.map((e) => e.status), ['UNAVAILABLE', 'OK']);
      assert.equal(upd[0]?.metadata['idempotency-key'], upd[1]?.metadata['idempotency-key']);
    });

    test('UNAVAILABLE until retries run out → CloudError after retries+1 attempts', async () => {
      const w = await world({ sendHeadersBeforeError });
      const { gateway } = await w.open(undefined, { retries: 1 });
      w.emu.inject('ServiceAccountService/List', { kind: 'error', code: 'UNAVAILABLE', times: 5 });
      await assert.rejects(gateway.listServiceAccounts(w.ids.folderId), (e) => e instanceof CloudError && e.status === 'UNAVAILABLE' && /request id/.test(e.message));
      assert.equal(w.emu.calls('ServiceAccountService/List').length, 2);
    });

    test('a lost answer on service account create leaves exactly one account (idempotency-key reused)', async () => {
      const w = await world({ sendHeadersBeforeError, operationDelayMs: 30 });
      const { gateway } = await w.open();
      w.emu.inject('ServiceAccountService/Create', { kind: 'lost-answer' });
      const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'lost-answer-sa', description: '', labels: {} });
      const creates = w.emu.calls('ServiceAccountService/Create');
      assert.equal(creates.length, 2);
      assert.equal(creates[0]?.metadata['idempotency-key'], creates[1]?.metadata['idempotency-key']);
      const named = w.emu.state.serviceAccounts().filter((a) => a.name === 'lost-answer-sa');
      assert.equal(named.length, 1);
      assert.equal(named[0]?.id, sa.id);
    });

    test('ApiKeyService.Create is not retried blindly: AmbiguousOutcomeError after a lost answer', async () => {
      const w = await world({ sendHeadersBeforeError });
      const { gateway } = await w.open();
      const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'ambiguous-sa', description: '', labels: {} });
      w.emu.inject('ApiKeyService/Create', { kind: 'lost-answer' });
      await assert.rejects(gateway.createApiKey({ serviceAccountId: sa.id, description: 'marker-123', scopes: [...AI_STUDIO_SCOPES], expiresAt: undefined }), (e) => {
        assert.ok(e instanceof AmbiguousOutcomeError);
        assert.equal(e.ambiguous, true);
        assert.equal(e.exitCode, 1);
        return true;
      });
      assert.equal(w.emu.calls('ApiKeyService/Create').length, 1);
      // The seam for issue #7: the orphan is findable by its marker.
      assert.deepEqual((await gateway.listApiKeys(sa.id)).map((k) => k.description), ['marker-123']);
    });
  });
}

describe('operations', () => {
  test('an operation that ends in error is mapped, and the account is not left behind', async () => {
    const w = await world({ operationDelayMs: 40 });
    const { gateway } = await w.open();
    w.emu.inject('ServiceAccountService/Create', { kind: 'operation-error', code: 'PERMISSION_DENIED', message: 'Permission denied' });
    await assert.rejects(gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'op-error-sa', description: '', labels: {} }), (e) => {
      assert.ok(e instanceof AuthError && e.code === 'permission_denied');
      assert.match((e as AuthError & { operationId?: string }).operationId ?? '', /\w+/);
      return true;
    });
    assert.ok(!w.emu.state.serviceAccounts().some((a) => a.name === 'op-error-sa'));
    w.emu.inject('FolderService/UpdateAccessBindings', { kind: 'operation-error', code: 'INTERNAL' });
    await assert.rejects(gateway.addFolderAccessBindings(w.ids.folderId, [saBinding(w.ids.foreignServiceAccountId)('ai.editor')]), (e) => e instanceof CloudError && e.status === 'INTERNAL');
  });

  test('transient NOT_FOUNDs from a fresh operation are tolerated', async () => {
    const w = await world({ operationNotFoundPolls: 3, operationDelayMs: 20 });
    const { gateway } = await w.open();
    const sa = await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'not-found-polls', description: '', labels: {} });
    assert.ok(sa.id);
    const statuses = w.emu.calls('OperationService/Get').map((e) => e.status);
    assert.deepEqual(statuses.slice(0, 3), ['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    assert.equal(statuses.at(-1), 'OK');
  });

  test('the first poll leaves at once, polls run back to back at first and then back off, x-operation-poll-interval is honoured', async (t) => {
    const w = await world({ operationDelayMs: 1200 });
    // The poller's waits, each with how many Gets had gone out before it: an order, not a clock, so
    // load on the machine cannot change what is asserted. The exact schedule (at once, 20 ms apart
    // for 0.5 s, then x1.3) is pinned with a fake clock in test/unit/cloud-poller.test.ts.
    const waits: Array<{ ms: number; getsBefore: number }> = [];
    const { gateway } = await w.open(undefined, {
      sleep: (ms) => {
        waits.push({ ms, getsBefore: w.emu.calls('OperationService/Get').length });
        return sleep(ms);
      },
    });
    await gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'poll-timing', description: '', labels: {} });
    const gets = w.emu.calls('OperationService/Get').length;
    t.diagnostic(`${gets} polls; waits ${waits.map((x) => x.ms).join(', ')} ms`);
    assert.ok(gets >= 3);
    const beforeFirst = waits.filter((x) => x.getsBefore === 0).map((x) => x.ms);
    assert.ok(beforeFirst.every((ms) => ms === 0), `the first poll leaves at once: waited ${beforeFirst.join(',')} ms before it`);
    const first = waits.slice(0, 3).map((x) => x.ms);
    assert.ok(first.every((ms) => ms <= 20), `back to back at first: ${first.join(',')}`);
    assert.ok((waits.at(-1)?.ms ?? 0) > 2 * Math.max(1, waits[0]?.ms ?? 0), `backs off: ${waits.map((x) => x.ms).join(',')}`);

    const w2 = await world({ operationDelayMs: 250, operationPollIntervalHeader: 0.1 });
    const c2 = await w2.open();
    await c2.gateway.createServiceAccount({ folderId: w2.ids.folderId, name: 'poll-hint', description: '', labels: {} });
    const gets2 = w2.emu.calls('OperationService/Get').map((e) => e.at.getTime());
    const gaps2 = gets2.slice(1).map((at, i) => at - (gets2[i] ?? 0));
    assert.ok(gaps2.length >= 1 && gaps2.every((g) => g >= 95), `server hint 100 ms: ${gaps2.join(',')}`);
  });

  test('aborting the wait gives OperationInterruptedError with the new account id for cleanup', async () => {
    const w = await world({ operationDelayMs: 5000 });
    const { gateway } = await w.open();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(gateway.createServiceAccount({ folderId: w.ids.folderId, name: 'interrupted-sa', description: '', labels: {} }, { signal: ac.signal }), (e) => {
      assert.ok(e instanceof OperationInterruptedError);
      const sa = w.emu.state.serviceAccounts().find((a) => a.name === 'interrupted-sa');
      assert.equal(e.resourceId, sa?.id);
      assert.equal(e.exitCode, 130);
      return true;
    });
  });

  test('the overall bound on an operation wait holds', async () => {
    const w = await world({ operationDelayMs: 10_000 });
    const { gateway } = await w.open(undefined, { operationTimeoutMs: 300 });
    // Without the bound, the wait would end with the operation done (10 s), not with DEADLINE_EXCEEDED.
    await assert.rejects(gateway.deleteServiceAccount(w.ids.foreignServiceAccountId), (e) => e instanceof CloudError && e.status === 'DEADLINE_EXCEEDED');
  });
});

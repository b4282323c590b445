import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { defaultFixture } from './fixture.js';
import { HTTP_METHODS, startHttpServer } from './http.js';
import { Operations } from './operations.js';
import { Faults, registerServices, type RpcRuntime } from './rpc.js';
import { apiKeyService } from './services/api-key.js';
import { endpointService } from './services/endpoint.js';
import { iamTokenService } from './services/iam-token.js';
import { operationService } from './services/operation.js';
import { cloudService, folderService } from './services/resource-manager.js';
import { payloadService, secretService } from './services/lockbox.js';
import { serviceAccountService } from './services/service-account.js';
import { roleService } from './services/role.js';
import { Fidelity } from './fidelity.js';
import { copyBinding, World } from './state.js';
import { startStalledEndpoint } from './stall.js';
import { createTlsMaterial } from './tls.js';
import type { Emulator, EmulatorOptions, Fault, GrpcStatusName, JournalEntry, MethodName } from './types.js';
import { STATUS_CODES } from './errors.js';

const STATUS_NAMES = new Map<number, GrpcStatusName>(
  Object.entries(STATUS_CODES).map(([name, code]) => [code, name as GrpcStatusName]),
);

/**
 * Work directories of emulators not yet stopped. A test that fails before its `after` hook, or a
 * process that exits without stop(), would otherwise leave them in the temp dir; one exit hook per
 * process removes them.
 */
const liveWorkDirs = new Set<string>();
let exitHookInstalled = false;

function trackWorkDir(dir: string): void {
  liveWorkDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveWorkDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** `[::1]` for IPv6 literals, as host:port strings need. */
const hostPart = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/**
 * Starts the emulator: gRPC over TLS (fresh CA and certificate) and the HTTP side channel, both on
 * loopback, seeded from `opts.fixture` (the default fixture when omitted). Resolves once both listen.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const fixture = opts.fixture ?? defaultFixture().fixture;
  const host = opts.host ?? '127.0.0.1';
  const settings = {
    latencyMs: opts.latencyMs ?? 0,
    operationDelayMs: opts.operationDelayMs ?? 0,
    sendHeadersBeforeError: opts.sendHeadersBeforeError ?? true,
  };
  const now = opts.now ?? Date.now;
  const world = new World(fixture, opts.quotas, now);
  world.fidelity = new Fidelity(opts.fidelity, now);
  const operations = new Operations({
    now,
    delayMs: () => settings.operationDelayMs,
    notFoundPolls: () => opts.operationNotFoundPolls ?? 0,
    doneOnCreate: () => opts.operationsDoneOnCreate ?? false,
  });
  const journal: JournalEntry[] = [];
  const faults = new Faults();
  const rt: RpcRuntime = { world, operations, faults, journal, settings, ...(opts.hostile ? { hostile: opts.hostile } : {}) };

  const [tls, workDir] = await Promise.all([createTlsMaterial(), mkdtemp(join(tmpdir(), 'aistudio-key-emulator-'))]);
  trackWorkDir(workDir);
  const caFile = join(workDir, 'ca.pem');
  const server = new Server();
  let endpoint = '';
  const stalledIds = new Set(opts.stalledServices ?? []);
  const stalled = stalledIds.size > 0 ? await startStalledEndpoint(host) : undefined;
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  try {
    await writeFile(caFile, tls.caPem, { mode: 0o644 });
    const methods = registerServices(server, rt, [
      endpointService((id) => (stalled !== undefined && stalledIds.has(id) ? stalled.endpoint : endpoint), opts.discoveryAddresses),
      iamTokenService(world),
      serviceAccountService(world, operations),
      apiKeyService(world, operations),
      roleService(),
      folderService(world, operations),
      cloudService(world),
      operationService(world, operations, () => opts.operationPollIntervalHeader),
      secretService(world, operations, opts.lockbox),
      payloadService(world, opts.lockbox),
    ]);
    const credentials = ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }], false);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${hostPart(host)}:${opts.port ?? 0}`, credentials, (err, p) => (err === null ? resolve(p) : reject(err)));
    });
    endpoint = `${hostPart(host)}:${port}`;
    http = await startHttpServer({ world, faults, journal, ...(opts.hostile ? { hostile: opts.hostile } : {}) }, host, opts.httpPort ?? 0);

    const operationMethods = new Set(methods.filter((m) => m.returnsOperation).map((m) => m.method));
    const mutating = new Set([...operationMethods, 'ApiKeyService/Create']);
    const allMethods = [...methods.map((m) => m.method), ...HTTP_METHODS];
    const httpServer = http.server;
    let stopped: Promise<void> | undefined;

    return {
      endpoint,
      caPem: tls.caPem,
      caFile,
      httpUrl: http.url,
      journal,
      fixture,
      workDir,
      mutations: () => journal.filter((e) => mutating.has(e.method)),
      stalledAccepted: () => stalled?.accepted() ?? 0,
      calls: (method) => journal.filter((e) => e.method === method),
      methods: () => [...allMethods],
      inject(method: MethodName, fault: Fault) {
        if (!allMethods.includes(method)) throw new Error(`inject: unknown method ${method}; see emulator.methods()`);
        if (fault.kind === 'operation-error' && !operationMethods.has(method)) {
          throw new Error(`inject: ${method} does not return an Operation, so it cannot fail one`);
        }
        if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new Error('inject: delay needs ms >= 0');
        faults.add(method, fault);
      },
      clearFaults: () => faults.clear(),
      setLatency: (ms) => { settings.latencyMs = ms; },
      setOperationDelay: (ms) => { settings.operationDelayMs = ms; },
      issueIamToken: (subjectId, o) => world.issueIamToken(subjectId, o?.ttlMs).token,
      secrets: () => world.secrets(),
      state: {
        serviceAccounts: () => [...world.serviceAccounts.values()].map((sa) => ({
          id: sa.id, folderId: sa.folderId, name: sa.name, description: sa.description, labels: { ...sa.labels },
        })),
        apiKeys: () => [...world.apiKeys.values()].map((k) => ({
          id: k.id, serviceAccountId: k.serviceAccountId, description: k.description, scopes: [...k.scopes],
          ...(k.expiresAt === undefined ? {} : { expiresAt: k.expiresAt }),
        })),
        folderBindings: (folderId) => (world.folders.get(folderId)?.bindings ?? []).map(copyBinding),
        cloudBindings: (cloudId) => (world.clouds.get(cloudId)?.bindings ?? []).map(copyBinding),
        lockboxSecrets: () => [...world.lockbox.values()].map((s) => {
          const current = s.versions.find((v) => v.id === s.currentVersionId);
          const payload: Record<string, string> = {};
          for (const [k, v] of current?.entries ?? []) payload[k] = v.text ?? v.binary?.toString('base64') ?? '';
          return { id: s.id, folderId: s.folderId, name: s.name, payload, ...(s.currentVersionId === undefined ? {} : { currentVersionId: s.currentVersionId }) };
        }),
        operations: () => operations.all().map(({ op, method }) => ({
          id: op.id, method, description: op.description, done: op.done, createdBy: op.createdBy,
          ...(op.error === undefined ? {} : { error: { code: STATUS_NAMES.get(op.error.code) ?? 'UNKNOWN', message: op.error.message } }),
        })),
      },
      stop() {
        stopped ??= (async () => {
          server.forceShutdown();
          await stalled?.stop();
          httpServer.closeAllConnections();
          await new Promise<void>((resolve) => httpServer.close(() => resolve()));
          await rm(workDir, { recursive: true, force: true });
          liveWorkDirs.delete(workDir);
        })();
        return stopped;
      },
    };
  } catch (e) {
    server.forceShutdown();
    await stalled?.stop();
    http?.server.close();
    await rm(workDir, { recursive: true, force: true });
    liveWorkDirs.delete(workDir);
    throw e;
  }
}


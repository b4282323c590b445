import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Metadata,
  type sendUnaryData,
  type Server,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Status } from '@yandex-cloud/nodejs-sdk/google/rpc/status';
import { EmulatorError, STATUS_CODES, defaultFaultMessage } from './errors.js';
import { GRPC_MESSAGE_MAX, hostileDescriptions, hostileErrorMessage, withHostile, type HostileOptions } from './hostile.js';
import { newTraceId } from './ids.js';
import { packRaw, type Operations, type OperationFault } from './operations.js';
import { encodeBadRequest, encodeQuotaFailure, encodeRequestInfo } from './proto-extra.js';
import type { Principal, World } from './state.js';
import type { Fault, JournalEntry, MethodName } from './types.js';

/** What a handler knows about the call it serves. */
export interface CallContext {
  /** 'ServiceAccountService/Create' */
  readonly method: MethodName;
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** Undefined only in the methods that need no token. */
  readonly principal: Principal | undefined;
  /** Set when an operation-error fault is queued for this call. */
  readonly operationFault: OperationFault | undefined;
  /** Extra response headers (e.g. x-operation-poll-interval). */
  readonly responseHeaders: Record<string, string>;
}

/** The caller of an authenticated method. */
export function caller(ctx: CallContext): Principal {
  if (ctx.principal === undefined) throw new EmulatorError('INTERNAL', `${ctx.method} ran without a principal`);
  return ctx.principal;
}

interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestDeserialize(value: Buffer): unknown;
  responseSerialize(value: never): Buffer;
  responseDeserialize(value: Buffer): unknown;
}

type Handler<Req, Res> = (ctx: CallContext, request: Req) => Res;

/** Handlers typed from the SDK's generated service definition. */
export type Handlers<D> = {
  [K in keyof D]?: D[K] extends { requestDeserialize: (value: Buffer) => infer Req; responseSerialize: (value: infer Res) => Buffer }
    ? Handler<Req, Res>
    : never;
};

export type Serializers<D> = {
  [K in keyof D]?: D[K] extends { responseSerialize: (value: infer Res) => Buffer } ? (value: Res) => Buffer : never;
};

export interface ServiceSpec {
  definition: Record<string, MethodDefinition>;
  handlers: Record<string, Handler<never, unknown> | undefined>;
  /** Method keys that need no IAM token. */
  publicMethods: string[];
  serializers: Record<string, ((value: never) => Buffer) | undefined>;
}

export function defineService<D extends Record<string, MethodDefinition>>(
  definition: D,
  handlers: Handlers<D>,
  opts: { publicMethods?: Array<keyof D & string>; serializers?: Serializers<D> } = {},
): ServiceSpec {
  return {
    definition,
    handlers: handlers as Record<string, Handler<never, unknown> | undefined>,
    publicMethods: opts.publicMethods ?? [],
    serializers: (opts.serializers ?? {}) as Record<string, ((value: never) => Buffer) | undefined>,
  };
}

/** '/yandex.cloud.iam.v1.ServiceAccountService/Create' -> 'ServiceAccountService/Create' */
export function shortMethodName(path: string): MethodName {
  const [, service = '', method = ''] = path.split('/');
  return `${service.slice(service.lastIndexOf('.') + 1)}/${method}`;
}

/** Per-method fault queues; each fault fires `times` times, in the order injected. */
export class Faults {
  private readonly queues = new Map<MethodName, Array<{ fault: Fault; left: number }>>();

  add(method: MethodName, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`inject: times must be a positive integer (got ${times})`);
    const q = this.queues.get(method) ?? [];
    q.push({ fault, left: times });
    this.queues.set(method, q);
  }

  take(method: MethodName): Fault | undefined {
    const q = this.queues.get(method);
    const head = q?.[0];
    if (q === undefined || head === undefined) return undefined;
    head.left--;
    if (head.left === 0) q.shift();
    return head.fault;
  }

  clear(): void {
    this.queues.clear();
  }
}

export interface RpcSettings {
  latencyMs: number;
  sendHeadersBeforeError: boolean;
}

export interface RpcRuntime {
  world: World;
  operations: Operations;
  faults: Faults;
  journal: JournalEntry[];
  settings: RpcSettings;
  /** Hostile mode (hostile.ts); undefined: an honest server. */
  hostile?: HostileOptions;
}

/** Plain JSON of a decoded request: Dates as ISO strings, bytes as base64. */
export function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return value;
}

function metadataRecord(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.getMap())) out[k.toLowerCase()] = typeof v === 'string' ? v : v.toString('base64');
  return out;
}

function isOperationResponse(def: MethodDefinition): boolean {
  try {
    const empty = def.responseDeserialize(Buffer.alloc(0));
    return typeof empty === 'object' && empty !== null && 'done' in empty && 'createdBy' in empty && 'description' in empty;
  } catch {
    return false;
  }
}

export interface MethodInfo {
  method: MethodName;
  path: string;
  /** Starts a long-running operation (a mutation; idempotency-key applies). */
  returnsOperation: boolean;
}

/**
 * Registers services on a grpc-js server. Every method of each definition is served: those without a
 * handler answer UNIMPLEMENTED, journaled like the rest. Order inside one call: latency, fault, token,
 * idempotent replay, handler; the journal entry is written before the answer leaves.
 */
export function registerServices(server: Server, rt: RpcRuntime, specs: ServiceSpec[]): MethodInfo[] {
  const methods: MethodInfo[] = [];
  for (const spec of specs) {
    const implementation: UntypedServiceImplementation = {};
    const definition: Record<string, MethodDefinition> = {};
    for (const [key, def] of Object.entries(spec.definition)) {
      // OperationService answers with Operations too, but only reports on them.
      const returnsOperation = isOperationResponse(def) && !def.path.startsWith('/yandex.cloud.operation.');
      const info: MethodInfo = { method: shortMethodName(def.path), path: def.path, returnsOperation };
      methods.push(info);
      const serialize = spec.serializers[key];
      definition[key] = serialize === undefined ? def : { ...def, responseSerialize: serialize };
      const handler = spec.handlers[key];
      const isPublic = spec.publicMethods.includes(key);
      implementation[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        void serve(rt, info, isPublic, handler, call, callback);
      };
    }
    server.addService(definition as unknown as ServiceDefinition, implementation);
  }
  return methods;
}

function authenticate(world: World, metadata: Record<string, string>): Principal {
  const header = metadata.authorization;
  if (header === undefined || header === '') throw new EmulatorError('UNAUTHENTICATED', 'Authentication required');
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  const principal = m?.[1] === undefined ? undefined : world.principalForToken(m[1]);
  if (principal === undefined) throw new EmulatorError('UNAUTHENTICATED', 'Token is invalid or has expired.');
  return principal;
}

async function serve(
  rt: RpcRuntime,
  info: MethodInfo,
  isPublic: boolean,
  handler: Handler<never, unknown> | undefined,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
): Promise<void> {
  const at = new Date();
  const metadata = metadataRecord(call.metadata);
  const requestId = randomUUID();
  const traceId = newTraceId();
  const responseHeaders: Record<string, string> = {};
  let outcome: { ok: true; response: unknown } | { ok: false; error: EmulatorError };
  try {
    rt.operations.settle();
    if (rt.settings.latencyMs > 0) await sleep(rt.settings.latencyMs);
    const fault = rt.faults.take(info.method);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'error') throw new EmulatorError(fault.code, fault.message ?? defaultFaultMessage(fault.code));
    const principal = isPublic ? undefined : authenticate(rt.world, metadata);
    const idempotencyKey = metadata['idempotency-key'];
    // Fidelity switch (3): a service may ignore the key, running a repeated call again.
    const honoured = info.returnsOperation && idempotencyKey !== undefined && idempotencyKey !== '' && rt.world.fidelity.honoursIdempotency(info.method);
    const replayed = honoured
      ? rt.operations.replay(info.method, idempotencyKey ?? '')
      : undefined;
    let response: unknown;
    if (replayed !== undefined) response = replayed;
    else {
      if (handler === undefined) throw new EmulatorError('UNIMPLEMENTED', `Method ${info.path} is not implemented by the emulator`);
      const ctx: CallContext = {
        method: info.method, path: info.path, metadata, requestId, principal, responseHeaders,
        operationFault: fault?.kind === 'operation-error'
          ? { code: fault.code, message: fault.message ?? defaultFaultMessage(fault.code) }
          : undefined,
      };
      response = withHostile(rt.hostile, () => handler(ctx, call.request as never));
      if (rt.hostile?.text) response = hostileDescriptions(response, rt.hostile.marker);
      if (honoured) {
        rt.operations.remember(info.method, idempotencyKey ?? '', (response as { id: string }).id);
      }
    }
    if (fault?.kind === 'lost-answer') throw new EmulatorError('UNAVAILABLE', 'upstream connect error or disconnect/reset before headers. reset reason: connection termination');
    outcome = { ok: true, response };
  } catch (e) {
    const error = e instanceof EmulatorError ? e : new EmulatorError('INTERNAL', `emulator bug: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    if (rt.hostile?.errorText || rt.hostile?.errorBytes !== undefined) error.message = hostileErrorMessage(error.message, rt.hostile, GRPC_MESSAGE_MAX);
    outcome = { ok: false, error };
  }

  rt.journal.push({
    method: info.method, path: info.path, request: toJson(call.request), metadata,
    status: outcome.ok ? 'OK' : outcome.error.code, at, requestId,
  });

  const headers = new Metadata();
  headers.set('x-request-id', requestId);
  headers.set('x-server-trace-id', traceId);
  if (outcome.ok) {
    for (const [k, v] of Object.entries(responseHeaders)) headers.set(k, v);
    call.sendMetadata(headers);
    callback(null, outcome.response);
    return;
  }
  const { error } = outcome;
  const trailers = new Metadata();
  if (rt.settings.sendHeadersBeforeError) call.sendMetadata(headers);
  else {
    // Trailers-only answer: the ids travel in the trailers (the Go SDK falls back to them).
    trailers.set('x-request-id', requestId);
    trailers.set('x-server-trace-id', traceId);
  }
  trailers.set('grpc-status-details-bin', Buffer.from(Status.encode(statusOf(error, requestId, traceId)).finish()));
  callback({ code: STATUS_CODES[error.code], details: error.message, metadata: trailers });
}

/** google.rpc.Status with RequestInfo (always) and BadRequest (validation errors). */
export function statusOf(error: EmulatorError, requestId: string, traceId: string): Status {
  const details = [packRaw('google.rpc.RequestInfo', encodeRequestInfo(requestId, traceId))];
  if (error.violations.length > 0) details.push(packRaw('google.rpc.BadRequest', encodeBadRequest(error.violations)));
  if (error.quotaViolations.length > 0) details.push(packRaw('google.rpc.QuotaFailure', encodeQuotaFailure(error.quotaViolations)));
  return { code: STATUS_CODES[error.code], message: error.message, details };
}


/**
 * Channels and the call wrapper every RPC goes through: deadline, metadata (authorization,
 * idempotency-key, x-client-request-id), retries, debug lines, error mapping.
 *
 * Why not the SDK's `Session`: it is slow to load (it pulls axios, log4js, jsonwebtoken and
 * luxon for credential kinds we never let it handle) and `session.client()` opens a new channel per
 * call. What we need from it is what it does with an `iamToken`: TLS channel credentials plus an
 * `authorization: Bearer` header on every call, through the SDK's own `clientFactory` (same
 * middleware: deadline, retry, ApiError). We do exactly that, with one channel per address, shared
 * by credential-less calls (discovery, token exchange) and authenticated ones. There is no code path
 * where the SDK picks a credential, so the metadata-service fallback of a credential-less Session
 * cannot happen, and the SDK's OAuth logger is never even loaded.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { CallOptions as GrpcCallOptions, Channel, Metadata } from 'nice-grpc';
import type { Proxy } from '../config/proxy.js';
import { InterruptedError } from '../errors.js';
import {
  AbandonedCallError,
  AmbiguousOutcomeError,
  failureToAppError,
  isAbortError,
  isQuotaExceeded,
  STATUS_DETAILS,
  isTransient,
  neverReachedServer,
  parseRpcError,
  toAppError,
  type ErrorContext,
  type RpcFailure,
  type StatusName,
} from './errors.js';
import { DEFAULT_BACKOFF, RATE_LIMIT_BACKOFF, abortError, backoffDelay, childSignal, withRetries, type BackoffPolicy } from './retry.js';
import type { Redactor } from './redact.js';
import { decodeStatusDetails } from './status-details.js';
import { grpc, niceGrpc } from './sdk.js';

/** The proxy for a connection to host:port, or undefined for a direct one (src/config/proxy.ts). */
export type ProxyChooser = (host: string, port: number) => Proxy | undefined;

/**
 * Channel options that make grpc-js tunnel through `proxy` (or go direct) as we decide. grpc-js
 * would otherwise pick a proxy itself, from process.env and only the lower-case variable names;
 * `grpc.enable_http_proxy: 0` turns that off, and the options its own proxy mapping would set
 * (`grpc.http_connect_target`, the real target; `grpc.http_connect_creds`) are set here instead,
 * with the channel aimed at the proxy. The authority and the TLS server name stay the real host's.
 */
function channelTarget(address: string, proxyFor: ProxyChooser | undefined): { target: string; options: Record<string, string | number> } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const proxy = proxyFor?.(host, Number(address.slice(colon + 1)));
  if (!proxy) return { target: address, options: { 'grpc.enable_http_proxy': 0 } };
  return {
    target: proxy.address,
    options: {
      'grpc.enable_http_proxy': 0,
      'grpc.http_connect_target': `dns:${address}`,
      'grpc.default_authority': address,
      ...(proxy.credentials === undefined ? {} : { 'grpc.http_connect_creds': proxy.credentials }),
    },
  };
}

/**
 * TLS credentials that remember the TCP sockets grpc-js hands them, so close() can end them.
 *
 * Why (issue #14, a stalled endpoint: TCP accepted, no TLS answer): grpc-js's channel.close() does
 * not reach a connection still in its TLS handshake. The subchannel waits for the handshake, which
 * never ends, and its socket holds Node's event loop: the run has given up (--timeout, SIGTERM) but
 * the process never exits. grpc-js has no handshake timeout and no public way to cancel a connect,
 * so the pool keeps the sockets and destroys them itself. The connector's contract (`SecureConnector`,
 * `_createSecureConnector`) is grpc-js's own, stable across 1.10–1.14; the wrapper only observes it.
 */
class ClosableCredentials extends grpc.ChannelCredentials {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly inner: ChannelCredentials) {
    super();
  }

  _isSecure(): boolean {
    return this.inner._isSecure();
  }

  _equals(other: ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(...args: Parameters<ChannelCredentials['_createSecureConnector']>): SecureConnector {
    const connector = this.inner._createSecureConnector(...args);
    return {
      connect: (socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        return connector.connect(socket);
      },
      waitForReady: () => connector.waitForReady(),
      getCallCredentials: () => connector.getCallCredentials(),
      destroy: () => connector.destroy(),
    };
  }

  /** Ends every connection these credentials made (the calls on them are over: see ChannelPool.close). */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

type SecureConnector = ReturnType<ChannelCredentials['_createSecureConnector']>;

/** One TLS channel per address; all share the same roots. */
export class ChannelPool {
  private readonly channels = new Map<string, Channel>();
  private readonly creds: ClosableCredentials;
  private closed = false;

  /**
   * `caPem` undefined: grpc defaults (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else public roots).
   * `proxyFor` undefined: every channel direct.
   */
  constructor(caPem: Buffer | undefined, private readonly proxyFor?: ProxyChooser) {
    this.creds = new ClosableCredentials(grpc.credentials.createSsl(caPem ?? null));
  }

  /** @throws UsageError when the proxy variable is malformed (from `proxyFor`). */
  get(address: string): Channel {
    let ch = this.channels.get(address);
    if (!ch) {
      if (this.closed) throw new Error('The cloud connection is closed.');
      const { target, options } = channelTarget(address, this.proxyFor);
      ch = niceGrpc.createChannel(target, this.creds, options);
      this.channels.set(address, ch);
    }
    return ch;
  }

  /** Starts connecting (DNS, TCP, TLS) without sending anything, so the first call finds a ready connection. */
  warm(address: string): void {
    if (!this.closed) this.get(address).getConnectivityState(true);
  }

  /**
   * Closes every channel and ends their connections, including one stuck in a handshake, so nothing
   * of the cloud layer keeps the process alive. Calls still in flight fail (CANCELLED/UNAVAILABLE).
   */
  close(): void {
    this.closed = true;
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.creds.destroyAll();
  }
}

/** Options handed to a generated client method (nice-grpc CallOptions + the SDK's middleware args). */
export type CallOpts = GrpcCallOptions & {
  metadata: Metadata;
  deadline: number;
  retry: false;
};

/**
 * How a call may be repeated:
 * - `read`: transient failures retried.
 * - `mutation`: returns an Operation and carries an idempotency-key reused across retries, so a
 *   repeated request gets the first request's operation; transient failures and ABORTED retried.
 * - `once`: must not run twice (ApiKeyService.Create). Retried only when the request surely never
 *   reached the server or was rate-limited; any other transient failure is an AmbiguousOutcomeError.
 * RESOURCE_EXHAUSTED naming a quota (isQuotaExceeded) is never retried: waiting does not free a quota.
 */
export type CallKind = 'read' | 'mutation' | 'once';

export interface CallSpec {
  /** 'ServiceAccountService/Create' */
  method: string;
  kind: CallKind;
  ctx: ErrorContext;
  /** Send the IAM token (false for discovery and token exchange). Default true. */
  auth?: boolean;
  signal?: AbortSignal | undefined;
  onHeader?(header: Metadata): void;
}

export interface CallerSettings {
  retries: number;
  callTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  redactor: Redactor;
  debug?: ((line: string) => void) | undefined;
  random?: () => number;
  /** Backoff of transient failures; RESOURCE_EXHAUSTED uses `rateLimitBackoff`. Defaults from retry.ts. */
  backoff?: BackoffPolicy;
  rateLimitBackoff?: BackoffPolicy;
  /**
   * Aborted when the run abandons what it still waits for (a while after Ctrl-C, SIGTERM or
   * --timeout: see ConnectTarget.abandonSignal): every call in flight is cancelled, a retry loop
   * stops, and no new call starts, its own signal or not (clean-up calls have none).
   */
  abandon?: AbortSignal | undefined;
}

const MUTATION_EXTRA_RETRYABLE: ReadonlySet<StatusName> = new Set<StatusName>(['ABORTED']);
/** Failures after which a `once` call may or may not have done its work. */
const AMBIGUOUS: ReadonlySet<StatusName> = new Set<StatusName>([
  'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL', 'UNKNOWN', 'CANCELLED', 'DATA_LOSS',
]);

function firstValue(md: Metadata, key: string): string | undefined {
  const v = md.get(key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Runs RPCs with the connection's token, deadline, retries and debug output. */
export class Caller {
  private token: string | undefined;

  constructor(private readonly s: CallerSettings) {}

  setToken(token: string): void {
    this.token = token;
    this.s.redactor.add(token);
  }

  /** Adds a secret to this connection's redaction list. */
  remember(secret: string): void {
    this.s.redactor.add(secret);
  }

  /** Redaction with this connection's secrets (token, JWT, key secrets) and the shape rules. */
  redact(text: string): string {
    return this.s.redactor.redact(text);
  }

  /** Debug sink with redaction applied. */
  debug(line: string): void {
    this.s.debug?.(this.s.redactor.redact(line));
  }

  get retries(): number {
    return this.s.retries;
  }

  get backoff(): BackoffPolicy {
    return this.s.backoff ?? DEFAULT_BACKOFF;
  }

  /**
   * One attempt, errors unmapped (the poller classifies them itself). The request id of a failure
   * (from headers or trailers) is attached to the thrown error when it has none.
   */
  async attempt<Res>(
    spec: CallSpec,
    invoke: (opts: CallOpts) => Promise<Res>,
    extra: { idempotencyKey?: string; attemptNo?: number; of?: number } = {},
  ): Promise<Res> {
    const metadata = new niceGrpc.Metadata();
    if (spec.auth !== false) {
      if (!this.token) throw new Error(`BUG: ${spec.method} called before the IAM token was set`);
      metadata.set('authorization', `Bearer ${this.token}`);
    }
    if (extra.idempotencyKey) metadata.set('idempotency-key', extra.idempotencyKey);
    metadata.set('x-client-request-id', randomUUID());
    let requestId: string | undefined;
    let detailsBin: Uint8Array | undefined;
    const opts: CallOpts = {
      metadata,
      deadline: this.s.callTimeoutMs,
      onHeader: (h) => {
        requestId ??= firstValue(h, 'x-request-id');
        spec.onHeader?.(h);
      },
      onTrailer: (t) => {
        requestId ??= firstValue(t, 'x-request-id');
        const bin: unknown = t.get('grpc-status-details-bin');
        if (bin instanceof Uint8Array) detailsBin = bin;
      },
      retry: false,
    };
    // A read's signal is the run's: it is abandoned at once on abort. A mutation's signal is the
    // run's wait bound (the grace period after a stop; core/create-key.ts mutationOpts): it is not
    // cut before then (its outcome would be unknowable), but once the grace is over it is cancelled
    // like any call, since a call that never answers (a stalled service) would otherwise hold the run
    // for its deadline on every retry; run() reports it as possibly done (AbandonedCallError).
    // Clean-up calls carry no signal; the connection's `abandon` bounds them and every other call.
    // (nice-grpc types its signal with node-abort-controller's class; the global one is what it uses at runtime.)
    // A signal of the call's own: nice-grpc adds a listener per call, and the run's signal is shared
    // by all its calls (see retry.ts onAbort).
    const own = spec.signal || this.s.abandon ? childSignal(spec.signal, this.s.abandon) : undefined;
    if (own) opts.signal = own.signal as unknown as GrpcCallOptions['signal'];
    // A call is never started on a signal already aborted: the SDK's deadline middleware
    // (nice-grpc-client-middleware-deadline) only listens for a later 'abort' event, so such a call
    // would run to its deadline (30 s a try; a poll loop after the clean-up's bound ran on for minutes).
    if (own?.signal.aborted) {
      own.done();
      throw abortError();
    }
    const started = performance.now();
    const tag = [
      extra.attemptNo ? `attempt=${extra.attemptNo + 1}/${extra.of ?? '?'}` : '',
      extra.idempotencyKey ? `idempotency-key=${extra.idempotencyKey}` : '',
    ].filter(Boolean).join(' ');
    try {
      const res = await invoke(opts);
      this.debug(`rpc ${spec.method} OK ${Math.round(performance.now() - started)}ms${requestId ? ` request-id=${requestId}` : ''}${tag ? ` ${tag}` : ''}`);
      return res;
    } catch (err) {
      const f = parseRpcError(err);
      const status = f ? `${f.status}${f.shape === 'ApiError' ? '(ApiError)' : ''}` : isAbortError(err) ? 'ABORTED_BY_CALLER' : 'ERROR';
      const rid = f?.requestId ?? requestId;
      this.debug(`rpc ${spec.method} ${status} ${Math.round(performance.now() - started)}ms${rid ? ` request-id=${rid}` : ''}${tag ? ` ${tag}` : ''}`);
      // The status details (a QuotaFailure tells a used-up quota from a rate limit) ride on the error.
      const details = f ? decodeStatusDetails(detailsBin) : undefined;
      if (details && typeof err === 'object' && err !== null) {
        try {
          Object.defineProperty(err, STATUS_DETAILS, { value: details, configurable: true });
        } catch {
          // a frozen error: the wording is the fallback
        }
      }
      if (f && !f.requestId && requestId && typeof err === 'object' && err !== null) {
        try {
          Object.defineProperty(err, 'requestId', { value: requestId, configurable: true });
        } catch {
          // a getter that cannot be replaced: the request id is only a nicety
        }
      }
      throw err;
    } finally {
      own?.done();
    }
  }

  /**
   * A call with retries as its kind allows, errors mapped to src/errors.ts classes.
   * @throws AuthError, NotFoundError, AlreadyExistsError, CloudError, AmbiguousOutcomeError, InterruptedError
   */
  async run<Res>(spec: CallSpec, invoke: (opts: CallOpts) => Promise<Res>): Promise<Res> {
    if (spec.kind !== 'read' && (spec.signal?.aborted || this.s.abandon?.aborted)) {
      throw new InterruptedError(`Interrupted before trying to ${spec.ctx.action}; nothing was changed by it.`);
    }
    const idempotencyKey = spec.kind === 'mutation' ? randomUUID() : undefined;
    const total = this.s.retries + 1;
    let lastFailure: RpcFailure | undefined;
    // Ends the retry loop: the call's signal (for a mutation, the end of the grace period) or the
    // connection's `abandon`. Stopping a mutation between a lost answer and its idempotent replay may
    // leave a resource whose id we never learn: that is reported (AbandonedCallError), not waited out.
    const stop = spec.signal || this.s.abandon ? childSignal(spec.signal, this.s.abandon) : undefined;
    try {
      return await withRetries((attemptNo) => this.attempt(spec, invoke, { idempotencyKey, attemptNo, of: total }), {
        retries: this.s.retries,
        sleep: this.s.sleep,
        signal: stop?.signal,
        shouldRetry: (err) => {
          const f = parseRpcError(err);
          lastFailure = f;
          if (!f || (stop?.signal.aborted ?? false)) return false;
          switch (spec.kind) {
            case 'read':
              return isTransient(f);
            case 'mutation':
              return isTransient(f, MUTATION_EXTRA_RETRYABLE);
            case 'once':
              // A rate limit refused the call before doing anything; a used-up quota never heals.
              return (f.status === 'RESOURCE_EXHAUSTED' && !isQuotaExceeded(f)) || neverReachedServer(f);
          }
        },
        delayMs: (_err, attemptNo) =>
          backoffDelay(
            attemptNo,
            lastFailure?.status === 'RESOURCE_EXHAUSTED' ? (this.s.rateLimitBackoff ?? RATE_LIMIT_BACKOFF) : this.backoff,
            this.s.random,
          ),
        onRetry: (_err, attemptNo, delayMs) => this.debug(`rpc ${spec.method} retry ${attemptNo + 2}/${total} in ${delayMs}ms`),
      });
    } catch (err) {
      if (spec.kind !== 'read' && (isAbortError(err) || (stop?.signal.aborted ?? false))) {
        throw new AbandonedCallError(
          this.s.redactor.redact(`Stopped waiting for the cloud to ${spec.ctx.action}; it may or may not have happened.`),
          { cause: err },
        );
      }
      const f = parseRpcError(err);
      if (spec.kind === 'once' && f && AMBIGUOUS.has(f.status) && !neverReachedServer(f)) {
        const mapped = failureToAppError(f, { ...spec.ctx, redact: (s) => this.s.redactor.redact(s) });
        throw new AmbiguousOutcomeError(
          this.s.redactor.redact(`The cloud did not confirm whether it managed to ${spec.ctx.action} (${f.status}); it may have done so.`),
          { status: f.status, requestId: f.requestId, cause: err, hints: mapped.hints },
        );
      }
      throw toAppError(err, { ...spec.ctx, redact: (s) => this.s.redactor.redact(s) });
    } finally {
      stop?.done();
    }
  }
}

import { createServer, type Socket } from 'node:net';

/** A loopback listener that accepts TCP connections and never answers (see startStalledEndpoint). */
export interface StalledEndpoint {
  /** host:port to hand the CLI as --endpoint (or that discovery names for a stalled service). */
  readonly endpoint: string;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections still open (a client that ended properly has closed its socket). */
  open(): number;
  stop(): Promise<void>;
}

/**
 * The stalled-endpoint fault (issue #14): TCP is accepted, then nothing: no TLS ServerHello, no
 * HTTP/2 settings, no reset. This is what a client meets behind a proxy or load balancer that takes
 * the connection and hangs; no gRPC status ever arrives, so only the client's own deadlines,
 * `--timeout` or a signal can end the run. Bytes the client sends are read and dropped.
 */
export async function startStalledEndpoint(host = '127.0.0.1', port = 0): Promise<StalledEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stalled endpoint: no TCP address');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `${hostPart}:${address.port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}

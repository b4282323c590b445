/**
 * A bounded plain-HTTP GET on node:http, for the metadata service only.
 *
 * Why not deps.fetch: when 169.254.169.254 silently drops packets (an ordinary laptop), fetch's
 * AbortSignal rejects the promise on time but undici keeps connecting in the background, and the
 * process stays alive ~10 s after the command has finished (measured on Node 20). Aborting a
 * node:http request destroys its socket, so the process can exit at once.
 */
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * GETs `url` with `headers`, giving up when `signal` aborts. No keep-alive agent, so nothing
 * outlives the call.
 * @returns the status and body (at most `maxBytes`).
 * @throws the underlying error (AbortError on abort, ECONNREFUSED…) or an Error when the body is too large.
 */
export function httpGet(url: URL, headers: Record<string, string>, signal: AbortSignal, maxBytes = 64 * 1024): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          done = true;
          req.destroy();
          reject(new Error(`answer larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        done = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        done = true;
        reject(err);
      });
      res.on('close', () => {
        if (!done) reject(new Error('connection closed before the answer was complete'));
      });
    });
    req.on('error', reject);
  });
}

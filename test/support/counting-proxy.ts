/**
 * An HTTP proxy in front of Azurite that counts what crosses it (requests, response body
 * bytes, by method) and can inject faults on demand: answers such as 503 with Retry-After,
 * or a connection reset, for the next requests that match. Faults are what the real
 * service produces but not on demand; everything else is passed through unchanged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Which requests: default any GET with a Range header. */
  match?: (req: http.IncomingMessage) => boolean;
  /** Answer this status (with Retry-After when given), or reset the connection. */
  status?: number;
  retryAfter?: string;
  reset?: boolean;
}

export interface CountingProxy {
  port: number;
  /** Azurite's connection string with the proxy as the blob endpoint. */
  connectionString(azuriteConnection: string): string;
  figures: { requests: number; rangeRequests: number; bodyBytes: number; faultsServed: number };
  reset(): void;
  /** Queues faults, served in order to the matching requests. */
  inject(...faults: Fault[]): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const figures = { requests: 0, rangeRequests: 0, bodyBytes: 0, faultsServed: 0 };
  const faults: Fault[] = [];
  const server = http.createServer((req, res) => {
    figures.requests += 1;
    if (req.headers.range || req.headers['x-ms-range']) figures.rangeRequests += 1;
    const k = faults.findIndex((f) => (f.match ?? ((r) => r.method === 'GET' && !!(r.headers.range || r.headers['x-ms-range'])))(req));
    if (k >= 0) {
      const fault = faults.splice(k, 1)[0]!;
      figures.faultsServed += 1;
      req.resume();
      if (fault.reset) { req.socket.destroy(); return; }
      res.writeHead(fault.status ?? 503, fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {});
      res.end();
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => { figures.bodyBytes += chunk.length; });
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    figures,
    connectionString: (conn) => conn.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\//, `BlobEndpoint=http://127.0.0.1:${port}/`),
    reset() { Object.assign(figures, { requests: 0, rangeRequests: 0, bodyBytes: 0, faultsServed: 0 }); },
    inject(...more) { faults.push(...more); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

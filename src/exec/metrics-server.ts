/** `--metrics-port N`: the run's figures for Prometheus at http://127.0.0.1:N/metrics, local only. */
import { createServer, type Server } from 'node:http';
import { BiomassError } from '../biomass-error.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(port: number, body: () => string): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url !== '/metrics' && request.url !== '/')) {
      response.writeHead(404).end('try /metrics\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new BiomassError('METRICS_PORT', `--metrics-port ${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, {
      hint: 'choose another port, or 0 for any free one', exitCode: 2,
    })));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

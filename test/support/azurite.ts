/**
 * Starts a private Azurite blob emulator for one test file: a free port on 127.0.0.1 and a
 * temporary --location, so test files running in parallel never share state. `stop()`
 * ends the process and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Azurite's published development account (from its README; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); done(true); });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`azurite did not listen on ${port} within ${timeoutMs} ms`);
}

/** `location`: keep the blobs in this folder and leave them there on stop (benchmarks reuse their data). */
export async function startAzurite(options: { location?: string } = {}): Promise<Azurite> {
  const location = options.location ?? (await mkdtemp(join(tmpdir(), 'azurite-')));
  const keep = options.location !== undefined;
  const port = await freePort();
  const bin = resolve('node_modules/.bin/azurite-blob');
  const child = spawn(bin, ['--location', location, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry'], {
    stdio: 'ignore',
  });
  try {
    // Generous: a loaded machine may take many seconds to start a Node process (hooks allow 120 s).
    await waitForPort(port, child, 90_000);
  } catch (error) {
    child.kill();
    if (!keep) await rm(location, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keep) await rm(location, { recursive: true, force: true });
    },
  };
}

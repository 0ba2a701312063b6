import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.BIOMASS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  for (;;) {
    const port = 55_000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A throwaway PostgreSQL server of this test's own, for faults the shared server must never
 * see (stopping and restarting it) and for password authentication (the shared one trusts
 * everyone). It runs as user postgres from a temp folder on a free port, and `destroy`
 * removes every trace.
 */
export class PrivateServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly password: string,
  ) {}

  /** initdb with SCRAM passwords on TCP (user postgres, password `password`), then start. */
  static async create(password = 'correct-horse-battery'): Promise<PrivateServer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'biomass-pg-'));
    const ids = await postgresIds();
    await chown(dir, ids.uid, ids.gid);
    const pwfile = path.join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`);
    await chown(pwfile, ids.uid, ids.gid);
    const server = new PrivateServer(dir, await freePort(), password);
    await server.asPostgres(`${BIN}/initdb`, [
      '-D', server.dataDir, '-U', 'postgres', '--pwfile', pwfile,
      '--auth-host=scram-sha-256', '--auth-local=trust', '--no-sync',
    ]);
    await server.start();
    return server;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres', password = this.password): string {
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await this.asPostgres(`${BIN}/pg_ctl`, [
      '-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start',
    ]);
  }

  /** Fast shutdown: the server ends every session (57P01) and stops accepting new ones. */
  async stop(): Promise<void> {
    await this.asPostgres(`${BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  /** pg_ctl status: exit 0 while the server runs, 3 when it is stopped. */
  async running(): Promise<boolean> {
    return this.asPostgres(`${BIN}/pg_ctl`, ['-D', this.dataDir, 'status']).then(() => true, () => false);
  }

  /** Starts the server unless it runs: a test that stopped it and failed leaves it down. */
  async ensureRunning(): Promise<void> {
    if (!(await this.running())) await this.start();
  }

  async destroy(): Promise<void> {
    try {
      await this.asPostgres(`${BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped (a test left it down on purpose): nothing to stop.
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async asPostgres(command: string, args: string[]): Promise<void> {
    // cwd: postgres cannot read root's working directory, and initdb warns about it.
    await run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir });
  }
}

/**
 * Findings 4 and 6: credentials from the environment are never sent to a host that the plan
 * text alone names, and secrets written in a plan are flagged and redacted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../../src/secrets.js';
import { runBiomass } from '../support/cli.js';
import { MINIMAL_PLAN } from '../support/plan-text.js';

const dir = mkdtempSync(path.join(tmpdir(), 'biomass-credentials-'));
const SAS = 'sv=2024-01-01&se=2030-01-01&sp=rl&sig=SECRETSIGNATURE123';

/** The minimal plan with its `sources.tiles` line replaced. */
function planWithTiles(name: string, tiles: string, extra = ''): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, MINIMAL_PLAN.replace('  tiles: { uri: "estimated:" }', `  tiles: ${tiles}`) + extra);
  return file;
}

/** A TCP listener that counts connections: the "attacker's" host. */
let connections = 0;
let listener: net.Server;
let port = 0;
beforeAll(async () => {
  listener = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

describe('where credentials may go', () => {
  it('sources.tiles.account must be an Azure account name, and the SAS token is not sent to the host it names', async () => {
    const plan = planWithTiles('steal', `{ uri: "azure://sentinel2-l2", sas_token: "\${SAS}", account: "127.0.0.1:${port}/steal?" }`);
    const before = connections;
    const result = await runBiomass(['plan', plan, '--catalog'], { env: { SAS }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.tiles.account');
    expect(connections).toBe(before);
    const valid = await runBiomass(['validate', planWithTiles('ok-account', '{ uri: "azure://sentinel2-l2", sas_token: "${SAS}", account: "sentinel2l2a01" }')], { env: { SAS } });
    expect(valid.code).toBe(0);
  });

  it('a connection string that mixes plan text with an environment secret is refused (the endpoint would come from the plan)', async () => {
    const plan = planWithTiles('endpoint', `{ uri: "azure://tiles", connection: "BlobEndpoint=http://127.0.0.1:${port}/x;SharedAccessSignature=\${SAS}" }`);
    const before = connections;
    const result = await runBiomass(['plan', plan, '--catalog'], { env: { SAS }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.tiles.connection must be exactly one ${VARIABLE}');
    expect(result.stderr).not.toContain('SECRETSIGNATURE123');
    expect(connections).toBe(before);
  });

  it('a database URL that puts an environment password after a host the plan names is refused', async () => {
    const plan = planWithTiles('db-host', '{ uri: "estimated:" }', `database: { url: "postgres://app:\${PGPASS}@127.0.0.1:${port}/db" }\n`);
    const before = connections;
    const result = await runBiomass(['db', 'status', '--plan', plan], { env: { PGPASS: 'hunter2hunter2' }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('database.url must be exactly one ${VARIABLE}');
    expect(connections).toBe(before);
  });

  it('the whole value from one ${VARIABLE} is accepted', async () => {
    const plan = planWithTiles('whole', '{ uri: "azure://tiles", connection: "${AZURE_STORAGE_CONNECTION_STRING}" }');
    const result = await runBiomass(['validate', plan], { env: { AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=k3yk3yk3y==;' } });
    expect(result.code).toBe(0);
  });
});

describe('secrets written in a plan', () => {
  it('a literal password= in sources.parcels.uri is flagged', async () => {
    const file = path.join(dir, 'parcel-password.yaml');
    writeFileSync(file, MINIMAL_PLAN.replace('"PG:dbname=parcels"', '"PG:dbname=parcels password=opensesame99"'));
    const result = await runBiomass(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('sources.parcels.uri holds a secret written in the plan');
    expect(result.stdout).not.toContain('opensesame99');
  });

  it('redact hides a SAS signature wherever it stands, and a password holding @', () => {
    expect(redact('token sv=2024&sig=abc123SECRET')).not.toContain('abc123SECRET');
    expect(redact('"sig=abc123SECRET&se=2030"')).not.toContain('abc123SECRET');
    expect(redact('sas: sv=1&sp=r&sig%3Dabc123SECRET')).not.toContain('abc123SECRET');
    expect(redact('postgres://me:pa@ss@word@db.example:5432/x')).toBe('postgres://me:***@db.example:5432/x');
    expect(redact('postgres://me:p@ss/w@db.example/x')).not.toMatch(/ss\/w/);
    expect(redact('url: "postgres://me:se@cret@host/db"')).not.toContain('cret');
  });

  it('a registered secret holding @ or sig= is redacted whole', () => {
    registerSecret('pa@ssw0rd-secret');
    expect(redact('x pa@ssw0rd-secret y')).toBe('x *** y');
  });
});

describe('the tile store itself', () => {
  it('refuses an account that is not an Azure account name, before any request (also without the schema)', async () => {
    const { openTileStore } = await import('../../src/tiles/open-tile-store.js');
    const season = { start: '2024-04-01', end: '2024-04-10' };
    expect(() => openTileStore({ uri: 'azure://tiles', sasToken: SAS, account: `127.0.0.1:${port}/steal?`, season })).toThrow(
      expect.objectContaining({ code: 'BAD_ACCOUNT', exitCode: 2 }),
    );
  });
});

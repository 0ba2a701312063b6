// The built CLI (scripts/build.js -> dist/cli, what bin/biomass.js runs): built here into a
// folder of its own, then checked for what it loads at start-up and run as a real process.
// The other tests run the TypeScript sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { build, EXTERNAL } from '../scripts/build.js';
import { distIsFresh, sourceStamp, STAMP_FILE } from '../scripts/source-stamp.js';

/** Loaded only by the commands that need them (HELPERS.md, issue #8), never at start-up. */
const HEAVY = ['gdal-async', 'pg', '@electric-sql/pglite', '@azure/storage-blob', 'piscina', 'listr2', 'pino'];

const outDir = `test-output/bundle-${process.pid}/cli`;
let metafile: Metafile;

beforeAll(async () => {
  metafile = await build({ outDir });
}, 300_000);
afterAll(() => rmSync(path.dirname(outDir), { recursive: true, force: true }));

/** Everything the entry chunk loads before main() runs: static imports, followed through our own chunks. */
function loadedAtStart(): { chunks: string[]; externals: string[]; inputs: string[] } {
  const outputs = Object.fromEntries(
    Object.entries(metafile.outputs).map(([file, output]) => [path.basename(file), output]),
  );
  const chunks: string[] = [];
  const externals = new Set<string>();
  const visit = (name: string) => {
    if (chunks.includes(name)) return;
    chunks.push(name);
    for (const imported of outputs[name]?.imports ?? []) {
      if (imported.kind === 'dynamic-import') continue;
      if (imported.external) externals.add(imported.path);
      else visit(path.basename(imported.path));
    }
  };
  visit('main.js');
  const inputs = chunks.flatMap((c) => Object.keys(outputs[c]?.inputs ?? {}));
  return { chunks, externals: [...externals], inputs };
}

function runBundle(args: string[], cwd = process.cwd()) {
  const entry = path.resolve(outDir, 'main.js');
  const script = `const { runCli } = await import(${JSON.stringify(entry)}); process.exitCode = await runCli(${JSON.stringify(args)});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
}

describe('the built CLI bundle', () => {
  it('loads no heavy package, and neither the YAML parser nor ajv, before a command asks for them', () => {
    const { externals, inputs } = loadedAtStart();
    for (const heavy of HEAVY) expect(externals, `${heavy} is imported at start-up`).not.toContain(heavy);
    expect(inputs.filter((i) => /node_modules\/(yaml|ajv)\//.test(i))).toEqual([]);
    // ...while the bundle as a whole does reach them, lazily.
    const all = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(all).toEqual(expect.arrayContaining(['pg', '@electric-sql/pglite', '@azure/storage-blob']));
    expect(Object.keys(metafile.inputs).some((i) => /node_modules\/yaml\//.test(i))).toBe(true);
    for (const heavy of HEAVY) expect(EXTERNAL).toContain(heavy);
  });

  it('answers --version with the version in package.json', () => {
    const run = runBundle(['--version']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(run.status).toBe(0);
  });

  it('finds the plan schema from where it was built: validate reports a plan error at file:line:col', () => {
    expect(runBundle(['validate', 'plans/illinois.yaml']).status).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'biomass-bundle-'));
    try {
      writeFileSync(path.join(dir, 'bad.yaml'), 'version: 1\nname: x\nbatch_sise: 3\n');
      const run = runBundle(['validate', 'bad.yaml'], dir);
      expect(run.stdout).toMatch(/^bad\.yaml:3:1 +error +unknown key "batch_sise"/m);
      expect(run.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the SQL migrations: db migrate creates the embedded database and applies them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biomass-bundle-'));
    try {
      const run = runBundle(['db', 'migrate'], dir);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^applied +state 0001 runs_and_status/m);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('a rebuild', () => {
  it('keeps the chunks of earlier builds for processes still running them, for a week', async () => {
    const recent = path.join(outDir, 'chunk-OLDRECENT.js');
    const stale = path.join(outDir, 'chunk-OLDSTALE.js');
    writeFileSync(recent, 'export {};\n');
    writeFileSync(stale, 'export {};\n');
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(stale, eightDaysAgo, eightDaysAgo);
    const again = await build({ outDir });
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(stale)).toBe(false);
    for (const file of Object.keys(again.outputs)) expect(existsSync(path.join(outDir, path.basename(file)))).toBe(true);
    expect(runBundle(['validate', 'plans/illinois.yaml']).status).toBe(0);
  }, 300_000);
});

describe('bin/biomass.js', () => {
  it('answers --version and -V alone itself, with the version in package.json', () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    for (const flag of ['--version', '-V']) {
      const run = spawnSync(process.execPath, ['bin/biomass.js', flag], { encoding: 'utf8', env: { ...process.env, BIOMASS_FROM_SOURCE: '1' } });
      expect(run.stdout).toBe(`${version}\n`);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });
});

describe('whether dist/ is older than src/', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'biomass-stamp-'));
  const file = (name: string) => path.join(root, name);
  const stampNow = () => {
    mkdirSync(path.dirname(file(STAMP_FILE)), { recursive: true });
    writeFileSync(file(STAMP_FILE), JSON.stringify(sourceStamp(root)));
  };
  beforeAll(() => {
    mkdirSync(file('src/cli'), { recursive: true });
    writeFileSync(file('src/cli/main.ts'), 'export {};\n');
    writeFileSync(file('package-lock.json'), '{}\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is stale without a build, fresh right after one', () => {
    expect(distIsFresh(root)).toBe(false);
    stampNow();
    expect(distIsFresh(root)).toBe(true);
  });

  it('is stale after a source file is edited', () => {
    stampNow();
    const later = new Date(sourceStamp(root).newestMs + 5_000);
    utimesSync(file('src/cli/main.ts'), later, later);
    expect(distIsFresh(root)).toBe(false);
  });

  it('is stale after a source file is added or removed, whatever the times say', () => {
    stampNow();
    const past = new Date(0);
    writeFileSync(file('src/cli/new-command.ts'), 'export {};\n');
    utimesSync(file('src/cli/new-command.ts'), past, past);
    utimesSync(file('src/cli'), past, past);
    expect(distIsFresh(root)).toBe(false);
    stampNow();
    rmSync(file('src/cli/new-command.ts'));
    utimesSync(file('src/cli'), past, past);
    expect(distIsFresh(root)).toBe(false);
  });

  it('is stale after the dependencies change (they are bundled)', () => {
    stampNow();
    const later = new Date(sourceStamp(root).newestMs + 5_000);
    utimesSync(file('package-lock.json'), later, later);
    expect(distIsFresh(root)).toBe(false);
  });
});

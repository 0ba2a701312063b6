import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBiomass } from '../support/cli.js';
import { planText } from '../support/plan-text.js';
import { useFreshDatabase } from '../support/postgres.js';

const db = useFreshDatabase();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'biomass-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('biomass models', () => {
  it('loads CSV and YAML into the forestry tables and lists them', async () => {
    await writeFile(path.join(dir, 'plan.yaml'), planText({ name: 'models', database: `{ url: "${db.url}" }` }));
    await writeFile(path.join(dir, 'fits.csv'), [
      'model_id,model_version,form,a,b,cover_type,states,citation,r2,n',
      'il-deciduous,2,power,310,1.4,deciduous,IL;IN,"Someone et al. (2020), Forests 11",0.61,48',
    ].join('\n'));
    const csv = await runBiomass(['models', 'load', 'fits.csv', '--plan', 'plan.yaml'], { cwd: dir });
    expect(csv.stderr).toBe('');
    expect(csv.code).toBe(0);
    const yaml = await runBiomass(['models', 'load', path.resolve('plans/models/demo-illustrative.yaml'), '--plan', 'plan.yaml'], { cwd: dir });
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain('illustrative');
    const list = await runBiomass(['models', 'list', '--plan', 'plan.yaml'], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('il-deciduous v2  deciduous  IL,IN  power: 310*ndvi^1.4 Mg/ha  fit n=48 r2=0.61');
    expect(list.stdout).toContain('Someone et al. (2020), Forests 11');
    expect(list.stdout).toContain('demo-illustrative-linear v1  all  anywhere  linear: -20 + 250*ndvi Mg/ha  ILLUSTRATIVE');
    expect(list.stdout).toContain('2 model(s)');
  });

  it('refuses a bad model file naming the row and the fix, loading nothing', async () => {
    await writeFile(path.join(dir, 'bad.yaml'), '- { model_id: x, model_version: "1", form: cubic, coefficients: { a: 1, b: 2 }, cover_type: all, citation: c }\n');
    const result = await runBiomass(['models', 'load', 'bad.yaml', '--plan', 'plan.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml model 1 (x): form "cubic" is not one of linear, power, exponential');
  });
});

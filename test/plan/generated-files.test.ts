import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { generatePlanDocumentSource } from '../../src/plan/plan-document-source.js';
import { renderPlanReference } from '../../src/plan/plan-reference.js';
import { DURATION_PATTERN, SIZE_PATTERN } from '../../src/plan/units.js';

// The schema is the one source of truth; these files are derived from it by `npm run gen`.
describe('files generated from schemas/plan.schema.json', () => {
  it('src/plan/plan-document.ts (the plan type) matches the schema', async () => {
    const current = readFileSync('src/plan/plan-document.ts', 'utf8');
    expect(current, 'the plan type drifted from the schema: run `npm run gen`').toBe(await generatePlanDocumentSource());
  });

  it('docs/plan-reference.md matches the schema', () => {
    const current = readFileSync('docs/plan-reference.md', 'utf8');
    expect(current, 'the plan reference is stale: run `npm run gen`').toBe(renderPlanReference());
  });

  it('the schema is a valid JSON Schema (src/plan/schema-check.ts skips this check at start-up)', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, validateFormats: false });
    expect(ajv.validateSchema(JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8'))), JSON.stringify(ajv.errors)).toBe(true);
    const broken = { type: 'object', properties: { a: { type: 'no-such-type' } } };
    expect(ajv.validateSchema(broken)).toBe(false);
  });

  it('every size and duration in the schema uses the pattern the units parser accepts', () => {
    const text = readFileSync('schemas/plan.schema.json', 'utf8');
    const patterns = [...text.matchAll(/"pattern": "([^"]*(?:\\\\.[^"]*)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    const sizes = patterns.filter((p) => p.includes('[kKmMgGtTpP]'));
    const durations = patterns.filter((p) => p.includes('(ms|s|m|h|d)'));
    expect(sizes.length).toBeGreaterThan(5);
    expect(durations.length).toBeGreaterThan(5);
    expect(new Set(sizes)).toEqual(new Set([SIZE_PATTERN]));
    expect(new Set(durations)).toEqual(new Set([DURATION_PATTERN]));
  });

  it('every key in the schema has a description, and every optional leaf a default', () => {
    const schema = JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8'));
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string, required: boolean) => {
      if (path && !node.description) missing.push(`${path}: description`);
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (props) {
        const req = (node.required as string[] | undefined) ?? [];
        for (const [k, v] of Object.entries(props)) if (k !== '$schema') walk(v, path ? `${path}.${k}` : k, req.includes(k));
      } else if (!required && node.default === undefined && !['description'].includes(path) && !path.endsWith('rollout.counties')) {
        missing.push(`${path}: default`);
      }
    };
    walk(schema, '', true);
    expect(missing).toEqual([]);
  });
});

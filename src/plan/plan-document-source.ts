import { readFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';
import { PLAN_SCHEMA_PATH } from './plan-schema-path.js';


const BANNER =
  '/* This file is generated from schemas/plan.schema.json by `npm run gen`. Do not edit it;\n' +
  ' * edit the schema. test/plan/plan-document.test.ts fails when the two drift. */';

/** Generates the TypeScript type of a plan as written (before defaults) from the schema. */
export async function generatePlanDocumentSource(): Promise<string> {
  const schema = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8'));
  return compile(schema, 'PlanDocument', {
    bannerComment: BANNER,
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 110 },
  });
}

// Regenerates what is derived from schemas/plan.schema.json: the plan's TypeScript type and
// docs/plan-reference.md. test/plan/generated-files.test.ts fails when either is stale.
import { writeFileSync } from 'node:fs';
import { generatePlanDocumentSource } from '../src/plan/plan-document-source.js';
import { renderPlanReference } from '../src/plan/plan-reference.js';

writeFileSync(new URL('../src/plan/plan-document.ts', import.meta.url), await generatePlanDocumentSource());
writeFileSync(new URL('../docs/plan-reference.md', import.meta.url), renderPlanReference());

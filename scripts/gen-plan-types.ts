import { writeFileSync } from 'node:fs';
import { generatePlanDocumentSource } from '../src/plan/plan-document-source.js';

writeFileSync(new URL('../src/plan/plan-document.ts', import.meta.url), await generatePlanDocumentSource());

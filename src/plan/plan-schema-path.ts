import { PACKAGE_ROOT } from '../package-root.js';

/** Path of the plan schema, the one source of truth for the plan language. */
export const PLAN_SCHEMA_PATH = new URL('schemas/plan.schema.json', PACKAGE_ROOT);

import { requirePlanValue } from '../plan/load-plan.js';
import type { Plan } from '../plan/plan.js';
import type { DatabaseConfig } from './database-config.js';

/**
 * The databases a plan names, for a command that uses them. A URL whose ${VARIABLE} is unset
 * is refused by name: falling back to the embedded database (or the state database for the
 * forestry tables) would quietly put the work somewhere else.
 */
export function databaseOf(plan: Plan): DatabaseConfig {
  requirePlanValue(plan, 'database.url', plan.database.url);
  requirePlanValue(plan, 'sources.forestry.url', plan.database.forestryUrl);
  return plan.database;
}

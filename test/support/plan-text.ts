/**
 * The smallest valid plan, as YAML text, for tests that build plans. Its 8 lines are fixed
 * (line 7 is "rollout:", line 8 "  states:"), so tests can assert where problems are.
 */
export const MINIMAL_PLAN = `version: 1
name: t
season: { start: 2024-04-01, end: 2024-09-30 }
sources:
  tiles: { uri: "estimated:" }
  parcels: { uri: "PG:dbname=parcels" }
rollout:
  states: ["17"]
`;

/** The minimal plan with another name, a `database:` mapping and extra rollout lines. */
export function planText(options: { name: string; database?: string; rollout?: string }): string {
  let text = MINIMAL_PLAN.replace('name: t', `name: ${options.name}`);
  if (options.database) text = text.replace('rollout:\n', `database: ${options.database}\nrollout:\n`);
  return text + (options.rollout ?? '');
}

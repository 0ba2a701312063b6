/**
 * The least storage budget with which a DAG's schedule finishes, found by simulating under
 * smaller and larger budgets (bisection to 0.5 % or 1 GB). Used to tell a refused plan what
 * budget would do, and for which state.
 */
import { RESOURCE, type Dag } from './dag.js';
import { simulate } from './simulate.js';

export function leastBudget(dag: Dag): number {
  let low = 0; // known to stall (or below the largest single claim)
  let high = 0; // known to finish: everything held at once
  for (const node of dag.nodes) {
    let own = 0;
    for (const claim of node.claims) if (claim.resource === RESOURCE.disk) { own += claim.amount; high += claim.amount; }
    low = Math.max(low, own - 1);
  }
  if (high === 0) return 0;
  const finishes = (bytes: number) => simulate(dag, { ...dag.capacities, [RESOURCE.disk]: bytes }).stalled === undefined;
  while (high - low > Math.max(1e9, high * 0.005)) {
    const mid = Math.floor((low + high) / 2);
    if (finishes(mid)) high = mid;
    else low = mid;
  }
  return high;
}

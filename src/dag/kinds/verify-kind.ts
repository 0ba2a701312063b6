/** verify:<state>: every county complete, output counts match the parcel source. */
import { RESOURCE, type VerifyNode } from '../dag.js';
import type { NodeKind } from './node-kind.js';
import { notBuilt } from './not-built.js';

/** One count query per county; a fixed assumption (no plan key). */
export const VERIFY_MS_PER_COUNTY = 500;

export const verifyKind: NodeKind<VerifyNode> = {
  kind: 'verify',
  estimate: (node) => ({
    durationMs: node.counties * VERIFY_MS_PER_COUNTY,
    claims: [{ resource: RESOURCE.pool, amount: 1 }],
  }),
  run: async (node) => {
    throw notBuilt('verify', node.id, 'the executor issue');
  },
};

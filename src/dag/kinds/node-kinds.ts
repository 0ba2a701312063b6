/** The registry of node kinds: one module per kind, looked up by name, never switched on. */
import type { DagNode, NodeKindName } from '../dag.js';
import { cleanupKind } from './cleanup-kind.js';
import { countyKind } from './county-kind.js';
import { indexKind } from './index-kind.js';
import type { NodeKind } from './node-kind.js';
import { preprocessKind } from './preprocess-kind.js';
import { verifyKind } from './verify-kind.js';

export const NODE_KINDS: { readonly [K in NodeKindName]: NodeKind<Extract<DagNode, { kind: K }>> } = {
  index: indexKind,
  preprocess: preprocessKind,
  county: countyKind,
  verify: verifyKind,
  cleanup: cleanupKind,
};

/** The kind module of a node, typed loosely enough to call with any node. */
export function kindOf(node: DagNode): NodeKind {
  return NODE_KINDS[node.kind] as unknown as NodeKind;
}

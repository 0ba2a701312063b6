/** The DAG as Graphviz DOT and as a Mermaid flowchart (`biomass plan --dot | --mermaid`). */
import type { Dag, DagNode, NodeKindName } from '../dag/dag.js';

const DOT_SHAPE: Record<NodeKindName, string> = {
  index: 'folder', preprocess: 'box3d', county: 'box', verify: 'diamond', cleanup: 'octagon',
};

export function dagToDot(dag: Dag, title: string): string {
  const out = [`digraph ${JSON.stringify(title)} {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const state of dag.states) {
    out.push(`  subgraph ${JSON.stringify(`cluster_${state.fips}`)} {`, `    label=${JSON.stringify(`${state.fips} ${state.postal} ${state.name}`)};`);
    for (const node of dag.nodes) {
      if (node.state === state.fips) out.push(`    ${JSON.stringify(node.id)} [label=${JSON.stringify(node.label)}, shape=${DOT_SHAPE[node.kind]}];`);
    }
    out.push('  }');
  }
  for (const node of dag.nodes) for (const dep of node.deps) out.push(`  ${JSON.stringify(dep)} -> ${JSON.stringify(node.id)};`);
  out.push('}');
  return out.join('\n') + '\n';
}

export function dagToMermaid(dag: Dag): string {
  const id = (nodeId: string) => nodeId.replace(/[^A-Za-z0-9]/g, '_');
  const label = (node: DagNode) => node.label.replace(/"/g, '#quot;');
  const shape = (node: DagNode) => {
    const text = `"${label(node)}"`;
    switch (node.kind) {
      case 'verify': return `{${text}}`;
      case 'index': return `[/${text}/]`;
      case 'cleanup': return `([${text}])`;
      default: return `[${text}]`;
    }
  };
  const out = ['flowchart LR'];
  for (const state of dag.states) {
    out.push(`  subgraph s${state.fips}["${state.fips} ${state.postal} ${state.name}"]`);
    for (const node of dag.nodes) if (node.state === state.fips) out.push(`    ${id(node.id)}${shape(node)}`);
    out.push('  end');
  }
  for (const node of dag.nodes) for (const dep of node.deps) out.push(`  ${id(dep)} --> ${id(node.id)}`);
  return out.join('\n') + '\n';
}

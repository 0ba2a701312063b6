/** `biomass run --json`: one JSON object per line per run event, nodes by id, for machines. */
import type { RunEvent } from './run-events.js';

export function jsonEventLine(event: RunEvent, at: Date = new Date()): string {
  const { node, ...rest } = event as RunEvent & { node?: { id: string; kind: string; state: string; label: string } };
  const nodeFields = node ? { node: node.id, kind: node.kind, state: node.state, label: node.label } : {};
  return JSON.stringify({ at: at.toISOString(), ...rest, ...nodeFields }) + '\n';
}

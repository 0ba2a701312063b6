/** `biomass run --json`: one JSON object per line per run event, nodes by id, for machines. */
import type { RunEvent } from './run-events.js';

export function jsonEventLine(event: RunEvent, at: Date = new Date()): string {
  return JSON.stringify({ at: at.toISOString(), ...eventFields(event) }) + '\n';
}

/** An event as plain fields: the node by id, kind, state and label rather than whole. */
export function eventFields(event: RunEvent): Record<string, unknown> {
  const { node, ...rest } = event as RunEvent & { node?: { id: string; kind: string; state: string; label: string } };
  return { ...rest, ...(node ? { node: node.id, kind: node.kind, state: node.state, label: node.label } : {}) };
}

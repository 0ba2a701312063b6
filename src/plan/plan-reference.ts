import { planLimitsText } from './plan-limits.js';
import { planSchema } from './schema-check.js';

interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: SchemaNode;
  pattern?: string;
  writeOnly?: boolean;
}

/** Renders docs/plan-reference.md from the plan schema, so the reference cannot go stale. */
export function renderPlanReference(schema: SchemaNode = planSchema as SchemaNode): string {
  const out: string[] = [
    '# Plan reference',
    '',
    '<!-- Generated from schemas/plan.schema.json by `npm run gen`. Do not edit: edit the schema. -->',
    '',
    schema.description ?? '',
    '',
    'Sizes are decimal unless written with `i` ("250MB" = 250,000,000 bytes; "1GiB" = 2^30).',
    'Durations take ms, s, m, h, d ("500ms", "1h30m"). `${VAR}` and `${VAR:-default}` take values from',
    'the environment; keys marked *secret* must come from the environment and are never printed.',
    'Relative paths are relative to the plan file.',
    '',
  ];
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    if (key === '$schema') continue;
    out.push(`## \`${key}\`${(schema.required ?? []).includes(key) ? ' (required)' : ''}`, '');
    if (node.description) out.push(node.description, '');
    const rows = leaves(node, key);
    if (rows.length > 0) {
      out.push('| key | type | default | description |', '| --- | --- | --- | --- |');
      for (const row of rows) out.push(`| \`${row.key}\`${row.required ? ' (required)' : ''} | ${row.type} | ${row.default} | ${escapeCell(row.description)} |`);
      out.push('');
    } else {
      out.push(`Type: ${typeOf(node)}.${node.default !== undefined ? ` Default: \`${JSON.stringify(node.default)}\`.` : ''}`, '');
    }
  }
  out.push(...planLimitsText());
  return out.join('\n');
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
  required: boolean;
}

function leaves(node: SchemaNode, prefix: string): Row[] {
  if (node.type !== 'object' || !node.properties) return [];
  return Object.entries(node.properties).flatMap(([key, child]) => {
    const path = `${prefix}.${key}`;
    if (child.type === 'object' && child.properties) return leaves(child, path);
    return [{
      key: path,
      type: typeOf(child) + (child.writeOnly ? ', *secret*' : ''),
      default: child.default === undefined ? '—' : `\`${JSON.stringify(child.default)}\``,
      description: child.description ?? '',
      required: (node.required ?? []).includes(key),
    }];
  });
}

function typeOf(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  return node.type ?? 'value';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

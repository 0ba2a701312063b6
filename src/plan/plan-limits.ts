/**
 * What a plan file may be, whoever wrote it: limits that keep a hostile or broken file (an
 * alias bomb, megabytes of YAML, nesting thousands deep, numbers no plan needs) from costing
 * minutes, memory or a stack overflow. Each is refused at file:line:col with exit 2.
 * docs/plan-reference.md lists them (rendered from here by `npm run gen`).
 */
export const PLAN_LIMITS = {
  /** A plan listing all 3,142 counties by FIPS is about 40 KB. */
  maxBytes: 1024 * 1024,
  /** Alias nodes (`*name`) that expanding the document may resolve, counting nested ones. */
  maxAliasCount: 100,
  /** Mappings and lists inside each other; the schema itself is 4 deep. */
  maxDepth: 32,
  /** Largest magnitude of a number: beyond 2^53 - 1, integers are no longer exact. */
  maxNumber: Number.MAX_SAFE_INTEGER,
} as const;

/** The limits as docs/plan-reference.md states them. */
export function planLimitsText(): string[] {
  return [
    '## Limits',
    '',
    'A plan file is refused, at file:line:col with exit code 2, when it is:',
    '',
    `- larger than ${PLAN_LIMITS.maxBytes.toLocaleString('en-US')} bytes (1 MiB);`,
    '- not UTF-8 text (the first byte that is not, e.g. a Latin-1 "é" or a UTF-16 file);',
    `- nested deeper than ${PLAN_LIMITS.maxDepth} mappings and lists inside each other;`,
    `- expanding more than ${PLAN_LIMITS.maxAliasCount} aliases (\`*name\`), nested ones counted: anchors and aliases`,
    '  are allowed, an alias bomb ("billion laughs") is not;',
    `- holding a number that is not finite (\`.inf\`, \`-.inf\`, \`.nan\`, \`1e400\`) or larger in magnitude than`,
    `  ${PLAN_LIMITS.maxNumber.toLocaleString('en-US')} (2^53 - 1, the largest exact integer).`,
    '',
  ];
}

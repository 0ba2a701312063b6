import path from 'node:path';
import { registerSecret } from '../secrets.js';
import { interpolate } from './interpolate.js';
import type { LoadedPlan, LoadOptions } from './load-plan.js';
import { machineProblems } from './machine-checks.js';
import { normalizePlan, type Plan, type PlanDocument } from './plan.js';
import { PLAN_RULES, unknownStates, type RuleContext } from './plan-rules.js';
import type { Problem } from './problem.js';
import { checkSchema, schemaAt } from './schema-check.js';
import { YamlSource, type PlanPath } from './yaml-source.js';

/**
 * Same as loadPlan, from text already read: YAML with positions, ${VAR} interpolation, schema
 * validation with defaults, then the semantic rules. loadPlan imports this module on first
 * use, so the YAML parser and ajv stay out of the commands that read no plan.
 */
export function parsePlan(file: string, text: string, options: LoadOptions): LoadedPlan {
  const source = new YamlSource(file, text);
  const done = (problems: Problem[], plan?: Plan): LoadedPlan => ({ plan, problems: sortProblems(problems), lines: source.lines });

  const syntax = source.syntaxProblems();
  if (syntax.length > 0) return done(syntax);

  const raw = source.value();
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    return done([{
      file, line: 1, column: 1, length: 1, severity: 'error', code: 'PLAN_NOT_A_MAPPING',
      message: 'the plan must be a YAML mapping of keys (version, name, season, sources, rollout, ...)',
      hint: 'start from plans/demo.yaml; see docs/plan-reference.md',
    }]);
  }

  const { value, unset, fromEnv } = interpolate(raw, options.env);
  for (const entry of fromEnv) if (isSecretPath(entry.path)) registerSecret(entry.value);

  const unresolved: Record<string, string> = {};
  const warnings: Problem[] = unset.map(({ path, variable }) => {
    unresolved[path.join('.')] = variable;
    return {
      file, ...source.locate(path), severity: 'warning' as const, code: 'ENV_UNSET',
      message: `\${${variable}} is not set here; commands that use ${path.join('.')} will need it`,
      hint: `export ${variable}=... before \`biomass run\`, or write \${${variable}:-default} in the plan`,
    };
  });

  const early = [...checkSchema(value, source), ...unknownStates(value, source)];
  if (early.length > 0) return done([...early, ...warnings]);

  const planDir = path.dirname(path.resolve(options.cwd ?? process.cwd(), file));
  const plan = normalizePlan(value as PlanDocument, file, unresolved, planDir);
  const context: RuleContext = {
    plan,
    written: value as RuleContext['written'],
    fromEnv: new Set(fromEnv.map((e) => e.path.join('.'))),
    templates: new Map(fromEnv.map((e) => [e.path.join('.'), e.template])),
    source,
  };
  const problems = [...warnings, ...PLAN_RULES.flatMap((rule) => rule(context))];
  if (options.machineChecks !== 'skip') problems.push(...machineProblems(plan, source, options.machineChecks));
  const ok = !problems.some((p) => p.severity === 'error');
  return done(problems, ok ? plan : undefined);
}

function isSecretPath(path: PlanPath): boolean {
  return Boolean((schemaAt(path) as { writeOnly?: boolean } | undefined)?.writeOnly);
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

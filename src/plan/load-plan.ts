import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BiomassError } from '../biomass-error.js';
import { registerSecret } from '../secrets.js';
import { fileKind } from './file-kind.js';
import { interpolate } from './interpolate.js';
import { machineProblems } from './machine-checks.js';
import { normalizePlan, type Plan, type PlanDocument } from './plan.js';
import { PLAN_RULES, unknownStates, type RuleContext } from './plan-rules.js';
import type { Problem } from './problem.js';
import { checkSchema, schemaAt } from './schema-check.js';
import { YamlSource, type PlanPath } from './yaml-source.js';

export interface LoadOptions {
  /** Where ${VAR} values come from. */
  env: NodeJS.ProcessEnv;
  /** How checks that depend on this machine count: warnings in validate, errors for a run. */
  machineChecks: 'warning' | 'error' | 'skip';
  /** Folder a relative plan path is read from. Default: the process's working directory. */
  cwd?: string;
}

export interface LoadedPlan {
  /** Present when there is no error (warnings allowed). */
  plan: Plan | undefined;
  problems: Problem[];
  /** The file's lines, for excerpts. */
  lines: string[];
}

/**
 * Loads a plan file: YAML with positions, ${VAR} interpolation, schema validation with
 * defaults, then the semantic rules. Every problem comes back as a value; nothing throws
 * for a bad plan, and nothing outside the plan file is changed.
 */
export async function loadPlan(file: string, options: LoadOptions): Promise<LoadedPlan> {
  let text: string;
  try {
    const absolute = path.resolve(options.cwd ?? process.cwd(), file);
    // Stat first: reading a FIFO would wait for a writer for ever.
    const kind = fileKind(absolute);
    if (kind === 'directory' || kind === 'special') throw Object.assign(new Error('it is not a regular file'), { code: 'ENOTREG' });
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    const problem: Problem = {
      file, line: 0, column: 0, length: 1, severity: 'error', code: 'PLAN_UNREADABLE',
      message: `cannot read the plan: ${reason}`, hint: 'check the path; plans live in plans/, e.g. plans/demo.yaml',
    };
    return { plan: undefined, problems: [problem], lines: [] };
  }
  return parsePlan(file, text, options);
}

/** Same as loadPlan, from text already read. */
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

/** Loads a plan for a command that acts on it: any error, or a machine check failing, refuses with exit 2. */
export async function loadPlanOrThrow(file: string, options: LoadOptions): Promise<{ plan: Plan; warnings: Problem[]; lines: string[] }> {
  const loaded = await loadPlan(file, options);
  if (!loaded.plan) throw new PlanRejected(file, loaded.problems, loaded.lines);
  return { plan: loaded.plan, warnings: loaded.problems, lines: loaded.lines };
}

/** Thrown by loadPlanOrThrow; the CLI prints its problems like `validate` does. */
export class PlanRejected extends BiomassError {
  constructor(readonly file: string, readonly problems: Problem[], readonly lines: string[]) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    super('PLAN_INVALID', `${file} has ${errors} error${errors === 1 ? '' : 's'}`, {
      hint: `run \`biomass validate ${file}\` for the details`,
      exitCode: 2,
    });
  }
}

/**
 * The value at a plan key that came from an unset ${VAR}: a command that needs it refuses,
 * naming the variable. Returns the value when it is set.
 */
export function requirePlanValue(plan: Plan, key: string, value: string): string {
  const variable = plan.unresolved[key];
  if (variable !== undefined) {
    throw new BiomassError('ENV_REQUIRED', `${key} comes from \${${variable}}, which is not set`, {
      hint: `export ${variable}=... and run again (plan: ${plan.file})`,
      exitCode: 2,
    });
  }
  return value;
}

function isSecretPath(path: PlanPath): boolean {
  return Boolean((schemaAt(path) as { writeOnly?: boolean } | undefined)?.writeOnly);
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

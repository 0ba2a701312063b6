import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BiomassError } from '../biomass-error.js';
import type { Plan } from './plan.js';
import type { Problem } from './problem.js';

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
    text = await readFile(path.resolve(options.cwd ?? process.cwd(), file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    const problem: Problem = {
      file, line: 0, column: 0, length: 1, severity: 'error', code: 'PLAN_UNREADABLE',
      message: `cannot read the plan: ${reason}`, hint: 'check the path; plans live in plans/, e.g. plans/demo.yaml',
    };
    return { plan: undefined, problems: [problem], lines: [] };
  }
  // The YAML parser and the schema validator are loaded with the first plan, not at start-up.
  const { parsePlan } = await import('./parse-plan.js');
  return parsePlan(file, text, options);
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

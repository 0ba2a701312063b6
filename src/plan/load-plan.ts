import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BiomassError } from '../biomass-error.js';
import { fileKind } from './file-kind.js';
import type { Plan } from './plan.js';
import { PLAN_LIMITS } from './plan-limits.js';
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
  const at = (line: number, column: number, code: string, message: string, hint: string): LoadedPlan => ({
    plan: undefined, problems: [{ file, line, column, length: 1, severity: 'error', code, message, hint }], lines: [],
  });
  const full = path.resolve(options.cwd ?? process.cwd(), file);
  let bytes: Buffer;
  try {
    // Stat first: reading a FIFO would wait for a writer for ever.
    const kind = fileKind(full);
    if (kind === 'directory' || kind === 'special') throw Object.assign(new Error('it is not a regular file'), { code: 'ENOTREG' });
    // Checked before reading: a plan is kilobytes, and a huge file should not be read at all.
    const { size } = await stat(full);
    if (size > PLAN_LIMITS.maxBytes) {
      return at(1, 1, 'PLAN_TOO_LARGE', `the plan is ${size.toLocaleString('en-US')} bytes, more than the ${PLAN_LIMITS.maxBytes.toLocaleString('en-US')} a plan may be`,
        'is this the plan file? A plan listing every US county is about 40 KB (see "Limits" in docs/plan-reference.md)');
    }
    bytes = await readFile(full);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return at(0, 0, 'PLAN_UNREADABLE', `cannot read the plan: ${reason}`, 'check the path; plans live in plans/, e.g. plans/demo.yaml');
  }
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') {
    const refused = at(text.line, text.column, 'PLAN_NOT_UTF8', `the plan is not UTF-8 text: byte 0x${text.byte} here`,
      'save the plan as UTF-8 (an editor\'s "encoding" setting); YAML plans are UTF-8');
    return { ...refused, lines: text.lines };
  }
  // The YAML parser and the schema validator are loaded with the first plan, not at start-up.
  const { parsePlan } = await import('./parse-plan.js');
  return parsePlan(file, text, options);
}

/** The text of UTF-8 bytes, or where the first byte that is not UTF-8 is (1-based line and column). */
function decodeUtf8(bytes: Buffer): string | { line: number; column: number; byte: string; lines: string[] } {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Decode leniently and find the first replacement character the file did not contain itself.
    const text = new TextDecoder('utf-8').decode(bytes);
    let offset = 0;
    for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
      offset = Buffer.byteLength(text.slice(0, i));
      if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
        const before = text.slice(0, i);
        const line = before.split('\n').length;
        return { line, column: i - before.lastIndexOf('\n'), byte: hex(bytes[offset]), lines: text.split(/\r?\n/) };
      }
    }
    return { line: 1, column: 1, byte: hex(bytes[offset]), lines: text.split(/\r?\n/) };
  }
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).toUpperCase().padStart(2, '0');
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

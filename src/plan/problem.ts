/** One thing wrong (or worth a warning) in a plan, at a place in its file. */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. the file is missing). */
  line: number;
  column: number;
  /** Characters to underline from column; at least 1. */
  length: number;
  severity: 'error' | 'warning';
  /** Stable, machine-readable: UNKNOWN_KEY, WRONG_TYPE, STATE_UNKNOWN, ... */
  code: string;
  message: string;
  /** The fix, in words a user can act on. */
  hint?: string;
}

/** Formats problems as validate prints them: file:line:col, an excerpt with a caret, the fix. */
export function formatProblem(problem: Problem, sourceLines: readonly string[] | undefined): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const out = [`${place}  ${problem.severity}  ${escapeControl(problem.message)}`];
  const text = problem.line > 0 ? sourceLines?.[problem.line - 1] : undefined;
  if (text !== undefined) {
    const width = String(problem.line).length;
    const before = sourceLines?.[problem.line - 2];
    if (before !== undefined && before.trim() !== '') out.push(`   ${String(problem.line - 1).padStart(width)} | ${escapeControl(before)}`);
    out.push(`   ${String(problem.line).padStart(width)} | ${escapeControl(text)}`);
    // The caret goes under the escaped text: measure the escaped prefix and span.
    const start = Math.max(0, problem.column - 1);
    const span = Math.max(1, Math.min(problem.length, text.length - problem.column + 1));
    const indent = escapeControl(text.slice(0, start)).length;
    const underline = '^'.repeat(Math.max(1, escapeControl(text.slice(start, start + span)).length));
    out.push(`   ${' '.repeat(width)} | ${' '.repeat(indent)}${underline}`);
  }
  if (problem.hint) out.push(`   ${escapeControl(problem.hint)}`);
  return out.join('\n');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Plan text with its control characters shown as \xNN: an ESC from a plan written raw to a
 * terminal could clear it, move the cursor or retitle the window.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** "2 errors, 1 warning in plans/x.yaml" */
export function summarizeProblems(problems: readonly Problem[], file: string): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return `${file}: valid`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${file}`;
}

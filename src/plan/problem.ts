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
    if (before !== undefined && before.trim() !== '') out.push(`   ${String(problem.line - 1).padStart(width)} | ${escapeControl(clip(before, 0).shown)}`);
    const { shown, shift } = clip(text, problem.column - 1);
    out.push(`   ${String(problem.line).padStart(width)} | ${escapeControl(shown)}`);
    // The caret goes under the escaped, clipped text: measure the escaped prefix and span.
    const start = Math.max(0, problem.column - 1 - shift);
    const span = Math.max(1, Math.min(problem.length, text.length - problem.column + 1, EXCERPT_WIDTH));
    const indent = escapeControl(shown.slice(0, start)).length;
    const underline = '^'.repeat(Math.max(1, escapeControl(shown.slice(start, start + span)).length));
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

/** Excerpt lines longer than this are cut around the column (a hostile file may be one long line). */
const EXCERPT_WIDTH = 120;

/** The part of a line to show around a 0-based column, and how many characters left of it were cut. */
function clip(text: string, column: number): { shown: string; shift: number } {
  if (text.length <= EXCERPT_WIDTH) return { shown: text, shift: 0 };
  const start = Math.max(0, Math.min(column - 40, text.length - EXCERPT_WIDTH));
  const end = start + EXCERPT_WIDTH;
  // The "…" that replaces the cut start takes one column, so the caret moves by start - 1.
  return { shown: `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`, shift: start > 0 ? start - 1 : 0 };
}

/** "2 errors, 1 warning in plans/x.yaml" */
export function summarizeProblems(problems: readonly Problem[], file: string): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return `${file}: valid`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${file}`;
}

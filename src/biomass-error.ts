/** A place in a plan file, 1-based line and column. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
}

export interface BiomassErrorDetails {
  /** What the user can do about it: the flag, key or command that fixes it. */
  hint?: string;
  /** Where in a plan the problem is, when it comes from a plan. */
  where?: SourcePlace;
  /** 2 for bad input or usage (nothing was done), 1 for a run that failed. Default 1. */
  exitCode?: 1 | 2;
  cause?: unknown;
}

/**
 * The one error class of the project. `code` is stable and machine-readable; the message
 * says what is wrong; the hint says how to fix it. Only src/cli turns it into an exit code.
 */
export class BiomassError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly where: SourcePlace | undefined;
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, details: BiomassErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BiomassError';
    this.code = code;
    this.hint = details.hint;
    this.where = details.where;
    this.exitCode = details.exitCode ?? 1;
  }
}

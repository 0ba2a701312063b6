/**
 * PostgreSQL takes at most 65,535 parameters in one statement; a multi-row INSERT stays
 * well under that so one batch is always one statement.
 */
const MAX_PARAMETERS = 30_000;

/** `($1, $2), ($3, $4)` for `rows` rows of `columns` values each. */
export function rowsPlaceholders(rows: number, columns: number): string {
  const groups: string[] = [];
  for (let row = 0; row < rows; row += 1) {
    const cells: string[] = [];
    for (let column = 1; column <= columns; column += 1) cells.push(`$${row * columns + column}`);
    groups.push(`(${cells.join(', ')})`);
  }
  return groups.join(', ');
}

/** Splits rows into groups small enough for one multi-row statement each. */
export function statementGroups<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  const groups: T[][] = [];
  for (let start = 0; start < rows.length; start += size) groups.push(rows.slice(start, start + size));
  return groups;
}

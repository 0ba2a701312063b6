import path from 'node:path';

/** A plan path as users see it in messages: relative to where they are, when inside it. */
export function relativePlanPath(given: string, cwd: string): string {
  const absolute = path.resolve(cwd, given);
  const relative = path.relative(cwd, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

/** The plan as run: its text, hash, and the git commit of its file with whether it had uncommitted edits. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunSource } from '../db/runs-repository.js';

const run = promisify(execFile);

export async function readPlanSource(file: string): Promise<RunSource & { planHash: string }> {
  const planText = await readFile(file, 'utf8');
  const planHash = createHash('sha256').update(planText).digest('hex');
  const dir = path.dirname(file);
  const name = path.basename(file);
  let gitCommit: string | null = null;
  let gitDirty: boolean | null = null;
  try {
    const log = await run('git', ['-C', dir, 'log', '-1', '--format=%H', '--', name]);
    gitCommit = log.stdout.trim() || null;
    const status = await run('git', ['-C', dir, 'status', '--porcelain', '--', name]);
    gitDirty = status.stdout.trim() !== '';
  } catch {
    // Not in a git work tree (or no git here): recorded as unknown, not as an error.
  }
  return { planFile: file, planText, planHash, gitCommit, gitDirty };
}

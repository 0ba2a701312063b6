/**
 * The run's structured log: JSON lines (pino) in `<storage.dir>/../runs/<run-id>/run.log`
 * beside the run's other files, never on the terminal (Listr2 owns it while it renders).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunLog } from '../dag/kinds/node-kind.js';

export interface RunLogFile {
  log: RunLog;
  file: string;
  close(): Promise<void>;
}

/** Where a plan's runs keep their folders: beside storage.dir, so deleting temporary tiles never deletes a log. */
export function runsDir(storageDir: string): string {
  return path.join(path.dirname(path.resolve(storageDir)), 'runs');
}

export async function openRunLog(storageDir: string, runId: string, redactText: (s: string) => string): Promise<RunLogFile> {
  const dir = path.join(runsDir(storageDir), runId);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'run.log');
  const { pino } = await import('pino');
  const destination = pino.destination({ dest: file, sync: true, mkdir: true });
  const logger = pino({ base: { runId }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination);
  // Secrets never reach the file: every message and field passes through the redactor.
  let open = true;
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (fields: Record<string, unknown>, message: string) =>
    open && logger[level](JSON.parse(redactText(JSON.stringify(fields))) as Record<string, unknown>, redactText(message));
  return {
    file,
    log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    async close() {
      open = false;
      destination.flushSync();
      destination.end();
    },
  };
}

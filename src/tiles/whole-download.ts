/**
 * Whole downloads of originals (for conversion, or as the last-resort read path) with
 * @azure/storage-blob: `http.concurrency` ranged requests of `http.chunk_size` at once over
 * the client's keep-alive connections; each chunk retried with exponential backoff and
 * jitter on 429, 5xx, timeouts and resets, honouring Retry-After. The chunks done are noted
 * beside the `.tmp` file, so an interrupted download resumes; the original is only read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { BiomassError } from '../biomass-error.js';
import type { Plan } from '../plan/plan.js';
import type { BandSource } from './band-source.js';
import type { TileAccess } from './tile-access.js';

export interface DownloadOptions {
  access: TileAccess;
  http: Plan['http'];
  signal?: AbortSignal;
  /** `item X band Y`, for messages. */
  what: string;
  onBytes?: (bytes: number) => void;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Per connection (worker): bytes moved and the milliseconds it spent moving them. */
  connections: Array<{ bytes: number; ms: number }>;
  /** Chunks found done by an earlier, interrupted download. */
  resumedChunks: number;
  retries: number;
}

/** Where a last-resort download of one item band is kept: storage.dir/<state>/downloads/<item>/<band>.<ext>. */
export function downloadPathOf(storageDir: string, state: string, itemId: string, band: string, source: BandSource): string {
  const ext = extname(source.kind === 'azure' ? source.blob : source.path) || '.bin';
  return join(storageDir, state, 'downloads', itemId, `${band}${ext}`);
}

interface Progress { etag: string; size: number; chunkSize: number; done: number[] }

export async function downloadWhole(source: BandSource, target: string, options: DownloadOptions): Promise<DownloadResult> {
  if (source.kind !== 'azure') throw new BiomassError('NOT_REMOTE', `${options.what}: ${source.uri} is a local file; it is read in place`);
  const { access, http, signal, what } = options;
  const blob = await access.blobClient(source, signal);
  let properties;
  try {
    properties = await withRetries(() => blob.getProperties({ abortSignal: signal }), http, signal, () => {});
  } catch (error) {
    throw access.failure(`read ${what} (${source.blob})`, error);
  }
  const size = properties.contentLength ?? 0;
  const etag = properties.etag ?? '';
  const chunkSize = http.chunkSizeBytes;
  const chunks = Math.max(1, Math.ceil(size / chunkSize));
  const tmp = `${target}.tmp`;
  const notes = `${tmp}.json`;
  await mkdir(dirname(target), { recursive: true });

  // Resume only what was written from the same version of the blob with the same chunking.
  const previous = await readProgress(notes);
  const tmpSize = await stat(tmp).then((s) => s.size, () => -1);
  const resumable = previous !== undefined && previous.etag === etag && previous.size === size && previous.chunkSize === chunkSize && tmpSize === size;
  const done = new Set(resumable ? previous.done : []);
  const progress: Progress = { etag, size, chunkSize, done: [...done] };
  const handle = await open(tmp, resumable ? 'r+' : 'w');
  let retries = 0;
  const connections: DownloadResult['connections'] = [];
  try {
    if (!resumable) { done.clear(); progress.done = []; await handle.truncate(size); }
    const queue = Array.from({ length: chunks }, (_, k) => k).filter((k) => !done.has(k));
    const resumedChunks = chunks - queue.length;
    const worker = async (): Promise<void> => {
      const figures = { bytes: 0, ms: 0 };
      connections.push(figures);
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
        const offset = k * chunkSize;
        const count = Math.min(chunkSize, size - offset);
        const started = performance.now();
        const body = await withRetries(async () => {
          const timeout = AbortSignal.timeout(http.timeoutMs);
          const response = await blob.download(offset, count, {
            abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout,
            // A blob replaced mid-download answers 412 instead of mixing two versions.
            conditions: etag ? { ifMatch: etag } : undefined,
          });
          const bytes = await collect(response.readableStreamBody);
          if (bytes.length !== count) throw Object.assign(new Error(`short read: ${bytes.length} of ${count} bytes`), { code: 'ECONNRESET' });
          return bytes;
        }, http, signal, () => { retries += 1; }).catch((error) => {
          throw access.failure(`download ${what} (${source.blob}) bytes ${offset}-${offset + count - 1}`, error);
        });
        await handle.write(body, 0, body.length, offset);
        figures.bytes += body.length;
        figures.ms += performance.now() - started;
        options.onBytes?.(body.length);
        progress.done.push(k);
        await writeFile(notes, JSON.stringify(progress));
      }
    };
    await Promise.all(Array.from({ length: Math.min(http.concurrency, Math.max(1, queue.length)) }, worker));
    await handle.sync();
    await handle.close();
    const sha256 = await sha256Of(tmp);
    await rename(tmp, target);
    await rm(notes, { force: true });
    return { bytes: size, sha256, connections, resumedChunks, retries };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** The sha256 of a file, streamed. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(part as Buffer);
  return hash.digest('hex');
}

/**
 * Runs `attempt`, retrying what a retry can fix (429, 5xx, 408, timeouts, resets) up to
 * http.retry.attempts more times: exponential backoff with full jitter, or the server's
 * Retry-After when it sent one.
 */
export async function withRetries<T>(attempt: () => Promise<T>, http: Plan['http'], signal: AbortSignal | undefined, onRetry: (error: unknown, delayMs: number) => void): Promise<T> {
  for (let tried = 0; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      signal?.throwIfAborted();
      if (tried >= http.retry.attempts || !retryable(error)) throw error;
      const backoff = Math.min(http.retry.maxDelayMs, http.retry.initialDelayMs * 2 ** tried);
      const delay = retryAfterMs(error) ?? backoff / 2 + Math.random() * (backoff / 2);
      onRetry(error, delay);
      await new Promise<void>((resolve, reject) => {
        const aborted = () => { clearTimeout(timer); reject(signal!.reason); };
        const timer = setTimeout(() => { signal?.removeEventListener('abort', aborted); resolve(); }, Math.min(delay, http.retry.maxDelayMs));
        signal?.addEventListener('abort', aborted, { once: true });
      });
    }
  }
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'REQUEST_SEND_ERROR']);

export function retryable(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string; name?: string };
  if (e.statusCode !== undefined) return e.statusCode === 429 || e.statusCode === 408 || (e.statusCode >= 500 && e.statusCode < 600);
  if (e.name === 'TimeoutError') return true;
  return e.code !== undefined && RETRYABLE_CODES.has(e.code);
}

/** Retry-After in milliseconds (seconds or an HTTP date), when the failure carried one. */
export function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get(name: string): string | undefined } } }).response?.headers;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readProgress(path: string): Promise<Progress | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Progress;
  } catch {
    return undefined;
  }
}

async function collect(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

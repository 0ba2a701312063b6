/**
 * Reading originals: ranged reads for the probe, blob clients for whole downloads, and GDAL's
 * settings for reading in place through /vsiaz/. One per plan and process, so the SDK client
 * (one keep-alive connection pool), the SAS token and GDAL's configuration are shared.
 *
 * Credentials come from the plan's `sources.tiles` (itself from the environment): a
 * connection string (account key or SAS), an account with a SAS token, or a token endpoint
 * (`token_url`). They are never printed: every message passes through `redact`.
 */
import { open } from 'node:fs/promises';
import type { BlobClient, BlobServiceClient } from '@azure/storage-blob';
import { BiomassError } from '../biomass-error.js';
import type { Plan } from '../plan/plan.js';
import { redact, registerSecret } from '../secrets.js';
import type { BandSource } from './band-source.js';
import { withRetries } from './whole-download.js';
import { applyGdalRemoteSettings } from './gdal-remote-settings.js';
import { carriesCredentials, sasConnectionString, sasEndpoint } from './blob-endpoint.js';
import { SasTokenSource } from './sas-token-source.js';

type AzureSdk = typeof import('@azure/storage-blob');

export interface TileAccessOptions {
  /** Printable name of the source. */
  name: string;
  container: string;
  connection?: string;
  sasToken?: string;
  /** Azure account name; a custom endpoint (Azurite) comes from the connection string's BlobEndpoint. */
  account?: string;
  tokenUrl?: string;
  http: Plan['http'];
  /** Injected clock for the token's expiry (tests). */
  now?: () => number;
}

export class TileAccess {
  private sdk: AzureSdk | undefined;
  private client: { connection: string; client: BlobServiceClient } | undefined;
  private gdalConnection: string | undefined;
  readonly tokens: SasTokenSource | undefined;
  private gdalGeneration = 0;
  /** Range requests made (probes, ranged block reads), their bytes, and the retries they needed. */
  readonly figures = { rangeRequests: 0, rangeBytes: 0, rangeRetries: 0 };

  constructor(readonly options: TileAccessOptions) {
    if (options.tokenUrl) {
      this.tokens = new SasTokenSource({ tokenUrl: options.tokenUrl, collection: options.container, now: options.now, timeoutMs: options.http.timeoutMs });
    }
    registerSecret(options.connection);
    registerSecret(options.sasToken);
  }

  /** The connection string in force now (secret): the plan's, or one built from a (fresh) SAS. */
  async connectionString(signal?: AbortSignal): Promise<string> {
    const { connection, sasToken, account, name } = this.options;
    const sas = this.tokens ? await this.tokens.token(signal) : sasToken;
    if (sas && !carriesCredentials(connection)) return sasConnectionString(sasEndpoint(account, connection, name), sas);
    if (connection) return connection;
    throw new BiomassError('NO_CREDENTIALS', `tile source ${this.options.name} needs credentials`, {
      hint: 'set AZURE_STORAGE_CONNECTION_STRING (sources.tiles.connection), sources.tiles.account with sources.tiles.sas_token, or sources.tiles.token_url',
      exitCode: 2,
    });
  }

  /** The blob service client for the current credentials; rebuilt only when a SAS was renewed. */
  async service(signal?: AbortSignal): Promise<BlobServiceClient> {
    const connection = await this.connectionString(signal);
    if (this.client?.connection === connection) return this.client.client;
    this.sdk ??= await import('@azure/storage-blob');
    try {
      const client = this.sdk.BlobServiceClient.fromConnectionString(connection, {
        keepAliveOptions: { enable: this.options.http.keepAlive },
        // Whole downloads retry chunk by chunk themselves (backoff, jitter, Retry-After).
        retryOptions: { maxTries: 1, tryTimeoutInMs: this.options.http.timeoutMs },
      });
      this.client = { connection, client };
      return client;
    } catch (error) {
      throw new BiomassError('BAD_CONNECTION', `tile source ${this.options.name}: the Azure credentials are not valid: ${redact((error as Error).message)}`, {
        hint: 'set AZURE_STORAGE_CONNECTION_STRING to DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...', exitCode: 2, cause: error,
      });
    }
  }

  async blobClient(source: Extract<BandSource, { kind: 'azure' }>, signal?: AbortSignal): Promise<BlobClient> {
    return (await this.service(signal)).getContainerClient(source.container).getBlobClient(source.blob);
  }

  /** The SDK's RestError class, once the SDK is loaded (to sort failures). */
  get restError(): AzureSdk['RestError'] | undefined {
    return this.sdk?.RestError;
  }

  /** Reads `length` bytes at `offset` of an original (fewer at its end); one request. */
  async readRange(source: BandSource, offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    this.figures.rangeRequests += 1;
    let bytes: Buffer;
    if (source.kind === 'file') {
      const handle = await open(source.path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        bytes = buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } else {
      try {
        // Retried on 429, 5xx, timeouts and resets (the plan's http.retry); the client is
        // fetched per attempt, so a renewed SAS is used on the next one.
        bytes = await withRetries(async () => {
          const blob = await this.blobClient(source, signal);
          try {
            const response = await blob.download(offset, length, { abortSignal: signal });
            return await collect(response.readableStreamBody);
          } catch (error) {
            // A range that starts at or past the end answers 416: there is nothing more to read.
            if ((error as { statusCode?: number }).statusCode === 416) return Buffer.alloc(0);
            throw error;
          }
        }, this.options.http, signal, () => (this.figures.rangeRetries += 1));
      } catch (error) {
        throw this.failure(`read ${source.blob}`, error);
      }
    }
    this.figures.rangeBytes += bytes.length;
    return bytes;
  }

  /**
   * Sets GDAL's request-saving settings (once) and the credentials in force now; called
   * before every /vsiaz/ open so a renewed SAS reaches GDAL too.
   */
  async configureGdal(signal?: AbortSignal): Promise<void> {
    const connection = await this.connectionString(signal);
    if (connection === this.gdalConnection) return;
    await applyGdalRemoteSettings(this.options.http, connection);
    this.gdalConnection = connection;
    this.gdalGeneration++;
  }

  /**
   * The generation of the credentials GDAL holds, after renewing them when due. It changes
   * with every renewal; a dataset opened under an older one still signs with the old SAS
   * (GDAL fixes a handle's credentials at open) and must be reopened (BlockReader does).
   */
  async gdalCredentials(signal?: AbortSignal): Promise<number> {
    await this.configureGdal(signal);
    return this.gdalGeneration;
  }

  /** Sorts an SDK failure: auth stops everything, a missing blob fails the item. */
  failure(what: string, error: unknown): BiomassError {
    if (error instanceof BiomassError) return error;
    const status = (error as { statusCode?: number }).statusCode;
    const detail = redact(((error as Error).message ?? String(error)).split('\n')[0]!);
    const where = `tile source ${this.options.name}`;
    if (status === 401 || status === 403) {
      return new BiomassError('TILE_AUTH', `${where}: access denied (${status}) when trying to ${what}`, {
        hint: 'check the connection string (AZURE_STORAGE_CONNECTION_STRING), the SAS token or sources.tiles.token_url: it may be wrong or expired',
        cause: error,
      });
    }
    if (status === 404) return new BiomassError('BLOB_NOT_FOUND', `${where}: cannot ${what}: the blob is gone (404)`, { cause: error });
    if ((error as Error).name === 'AbortError') return new BiomassError('ABORTED', `${where}: ${what} was aborted`, { cause: error });
    return new BiomassError('TILE_READ_FAILED', `${where}: cannot ${what}: ${status ?? ''} ${detail}`.replace('  ', ' '), { cause: error });
  }
}

async function collect(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const accesses = new WeakMap<Plan, TileAccess>();

/** The one TileAccess of a plan in this process. */
export function tileAccessOf(plan: Plan, options: { now?: () => number } = {}): TileAccess {
  let access = accesses.get(plan);
  if (!access) {
    const t = plan.tiles;
    access = new TileAccess({
      name: redact(t.uri), container: t.container, connection: t.connection, sasToken: t.sasToken,
      account: t.account, tokenUrl: t.tokenUrl, http: plan.http, now: options.now,
    });
    accesses.set(plan, access);
  }
  return access;
}

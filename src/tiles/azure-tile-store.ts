/** Azure Blob Storage as a tile store, through @azure/storage-blob (Azurite in tests). */
import type { BlobServiceClient, ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { BiomassError } from '../biomass-error.js';
import { carriesCredentials, sasEndpoint } from './blob-endpoint.js';
import { redact } from '../secrets.js';
import type { TileSourceOptions } from './tile-source.js';
import type { TileStore } from './tile-store.js';
import { SasTokenSource } from './sas-token-source.js';

// The SDK's default retry (4 tries, up to 2 min apart) would hold a dead endpoint for
// minutes before saying so; a catalog listing is cheap to redo, so fail within seconds.
const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 250, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 60_000 },
};

// The SDK takes a third of a second to load; commands that never touch Azure should not pay it.
type AzureSdk = typeof import('@azure/storage-blob');
let sdk: AzureSdk | undefined;

export class AzureTileStore implements TileStore {
  private client: Promise<ContainerClient> | undefined;

  constructor(
    private readonly containerName: string,
    private readonly prefix: string,
    private readonly options: TileSourceOptions,
    readonly name: string,
  ) {
    // Missing credentials are known now: say so before any work, not at the first request.
    if (!options.connection && !((options.sasToken || options.tokenUrl) && options.account)) throw missingCredentials(name);
    // A SAS goes only to an Azure account name or the environment's endpoint, never to a host
    // the plan names (the schema checks account too; this guards every other caller).
    if (!carriesCredentials(options.connection)) sasEndpoint(options.account, options.connection, name);
  }

  /** The container client, made on first use (credentials are checked then). */
  private get container(): Promise<ContainerClient> {
    this.client ??= import('@azure/storage-blob').then(async (loaded) => {
      sdk = loaded;
      // A token endpoint's SAS: listings and writes are short, one token serves them.
      const options = this.options.tokenUrl
        ? { ...this.options, sasToken: await new SasTokenSource({ tokenUrl: this.options.tokenUrl, collection: this.containerName }).token() }
        : this.options;
      return serviceClient(loaded, options, this.name).getContainerClient(this.containerName);
    });
    return this.client;
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<string> {
    const full = this.full(prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    try {
      for await (const blob of (await this.container).listBlobsFlat({ prefix: full, abortSignal: signal })) {
        yield blob.name.slice(strip);
      }
    } catch (error) {
      throw this.failure('list', error);
    }
  }

  async write(name: string, localFile: string, signal?: AbortSignal): Promise<void> {
    try {
      // A block blob is committed whole by its final block list: readers never see a part.
      await (await this.container).getBlockBlobClient(this.full(name)).uploadFile(localFile, { abortSignal: signal });
    } catch (error) {
      throw this.failure(`write ${name} to`, error);
    }
  }

  href(name: string): string {
    return `azure://${this.containerName}/${this.full(name)}`;
  }

  async ensure(signal?: AbortSignal): Promise<void> {
    try {
      await (await this.container).createIfNotExists({ abortSignal: signal });
    } catch (error) {
      throw this.failure('create', error);
    }
  }

  private full(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  /** Sorts an SDK failure into what the user can act on, with the source named and secrets redacted. */
  private failure(what: string, error: unknown): BiomassError {
    if (error instanceof BiomassError) return error;
    if ((error as Error).name === 'AbortError') {
      return new BiomassError('ABORTED', `tile source ${this.name}: ${what} was aborted`, { cause: error });
    }
    const detail = redact(firstLine((error as Error).message ?? String(error)));
    const where = `tile source ${this.name}`;
    if (sdk && error instanceof sdk.RestError && error.statusCode !== undefined) {
      if (error.statusCode === 403 || error.statusCode === 401) {
        return new BiomassError('CATALOG_AUTH', `${where}: access denied (${error.statusCode} ${error.code ?? ''}) when trying to ${what} container ${this.containerName}`, {
          hint: 'check the connection string (AZURE_STORAGE_CONNECTION_STRING) or the SAS token: it may be wrong or expired',
          cause: error,
        });
      }
      if (error.statusCode === 404) {
        return new BiomassError('CATALOG_NOT_FOUND', `${where}: container ${this.containerName} not found (${error.code ?? '404'})`, {
          hint: 'check the container name in sources.tiles.uri (azure://CONTAINER[/PREFIX])',
          cause: error,
        });
      }
      return new BiomassError('CATALOG_FAILED', `${where}: cannot ${what} container ${this.containerName}: ${error.statusCode} ${detail}`, { cause: error });
    }
    return new BiomassError('CATALOG_UNREACHABLE', `${where}: cannot reach the blob endpoint to ${what} container ${this.containerName}: ${detail}`, {
      hint: 'check the endpoint in the connection string and that the storage service is running',
      cause: error,
    });
  }
}

function serviceClient(loaded: AzureSdk, options: TileSourceOptions, name: string): BlobServiceClient {
  if (options.sasToken && !carriesCredentials(options.connection)) {
    const endpoint = sasEndpoint(options.account, options.connection, name);
    return new loaded.BlobServiceClient(`${endpoint}?${options.sasToken.replace(/^\?/, '')}`, undefined, PIPELINE);
  }
  if (options.connection) {
    try {
      return loaded.BlobServiceClient.fromConnectionString(options.connection, PIPELINE);
    } catch (error) {
      throw new BiomassError('BAD_CONNECTION', `tile source ${name}: the Azure connection string is not valid: ${redact((error as Error).message)}`, {
        hint: 'set AZURE_STORAGE_CONNECTION_STRING to a connection string of the form DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...',
        exitCode: 2,
        cause: error,
      });
    }
  }
  throw missingCredentials(name);
}

function missingCredentials(name: string): BiomassError {
  return new BiomassError('NO_CREDENTIALS', `tile source ${name} needs credentials`, {
    hint: 'set AZURE_STORAGE_CONNECTION_STRING (sources.tiles.connection), or sources.tiles.account with sources.tiles.sas_token or sources.tiles.token_url',
    exitCode: 2,
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

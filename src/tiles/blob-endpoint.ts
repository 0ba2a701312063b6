/**
 * Where a SAS token is sent. Credentials never go to a host that the plan text alone names
 * (docs/safety.md): the endpoint is the BlobEndpoint of the connection string from the
 * environment when it names one (Azurite, sovereign clouds), else
 * https://ACCOUNT.blob.core.windows.net for an account name of Azure's form.
 */
import { BiomassError } from '../biomass-error.js';

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/** The BlobEndpoint=... of a connection string, without a trailing slash; undefined when it has none. */
export function blobEndpointOf(connection: string | undefined): string | undefined {
  const match = /(?:^|;)\s*BlobEndpoint=([^;]+)/i.exec(connection ?? '');
  return match?.[1]?.trim().replace(/\/+$/, '');
}

/** Whether a connection string carries credentials of its own (an account key or a SAS). */
export function carriesCredentials(connection: string | undefined): boolean {
  return /(?:^|;)\s*(AccountKey|SharedAccessSignature)=/i.test(connection ?? '');
}

/** The endpoint a SAS for `account` goes to; refuses an account that is not an Azure account name. */
export function sasEndpoint(account: string | undefined, connection: string | undefined, sourceName: string): string {
  const fromEnvironment = blobEndpointOf(connection);
  if (fromEnvironment) return fromEnvironment;
  if (!ACCOUNT_NAME.test(account ?? '')) {
    throw new BiomassError('BAD_ACCOUNT', `tile source ${sourceName}: sources.tiles.account is not an Azure storage account name`, {
      hint: 'an account name is 3-24 lowercase letters and digits; a custom endpoint (Azurite) comes only from the connection string in the environment (AZURE_STORAGE_CONNECTION_STRING=BlobEndpoint=...)',
      exitCode: 2,
    });
  }
  return `https://${account}.blob.core.windows.net`;
}

/** A connection string that GDAL (3.6+) and the SDK both accept for a SAS. */
export function sasConnectionString(endpoint: string, sas: string): string {
  return `BlobEndpoint=${endpoint};SharedAccessSignature=${sas.replace(/^\?/, '')}`;
}

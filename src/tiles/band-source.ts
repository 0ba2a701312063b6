/**
 * Where one band file of an original item lives, parsed from the URI the index recorded
 * (azure://CONTAINER/NAME or file:///PATH), and the path GDAL opens it by.
 */
import { fileURLToPath } from 'node:url';
import { BiomassError } from '../biomass-error.js';
import { redact } from '../secrets.js';

export type BandSource =
  | { kind: 'azure'; uri: string; container: string; blob: string }
  | { kind: 'file'; uri: string; path: string };

/** Parses a recorded band URI; throws BAD_BAND_URI naming the item and band on anything else. */
export function bandSourceOf(uri: string, what = 'band'): BandSource {
  const azure = /^azure:\/\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (azure) return { kind: 'azure', uri, container: azure[1]!, blob: azure[2]! };
  if (uri.startsWith('file://')) return { kind: 'file', uri, path: fileURLToPath(uri) };
  throw new BiomassError('BAD_BAND_URI', `${what}: "${redact(uri)}" is not azure://CONTAINER/NAME or file:///PATH`, {
    hint: 'index the state again (biomass index --plan PLAN --state-fips NN) so its items name their files',
  });
}

/** What GDAL opens for an original read in place: /vsiaz/CONTAINER/NAME or the local path. */
export function gdalPathOf(source: BandSource): string {
  return source.kind === 'azure' ? `/vsiaz/${source.container}/${source.blob}` : source.path;
}

/**
 * A SAS token from a token endpoint of the kind the Planetary Computer serves:
 * `GET {token_url}/{container}` answers JSON `{ "token": "...", "msft:expiry": "ISO time" }`.
 * Fetched once and shared by the Azure SDK and GDAL; fetched again before it expires.
 */
import { BiomassError } from '../biomass-error.js';
import { redact, registerSecret } from '../secrets.js';

export interface SasTokenSourceOptions {
  /** The endpoint without the collection, e.g. https://planetarycomputer.microsoft.com/api/sas/v1/token/sentinel2l2a01. */
  tokenUrl: string;
  /** Appended to tokenUrl: the container (the Planetary Computer accepts account/container). */
  collection: string;
  /** Injected clock, milliseconds since the epoch (tests). Default Date.now. */
  now?: () => number;
  timeoutMs?: number;
}

/** Renew when this share of the token's life is left, and at most this long before expiry. */
const RENEW_SHARE = 0.25;
const RENEW_AT_MOST_MS = 5 * 60_000;

export class SasTokenSource {
  private current: { token: string; expiresAt: number; fetchedAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** How many times the endpoint was asked (a figure for tests and metrics). */
  fetches = 0;

  constructor(private readonly options: SasTokenSourceOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The current token, fetched when there is none or it is close to expiry. */
  async token(signal?: AbortSignal): Promise<string> {
    const held = this.current;
    if (held) {
      const margin = Math.min(RENEW_AT_MOST_MS, (held.expiresAt - held.fetchedAt) * RENEW_SHARE);
      if (this.now() < held.expiresAt - margin) return held.token;
    }
    // Concurrent readers share one request.
    this.pending ??= this.fetchToken(signal).finally(() => { this.pending = undefined; });
    return this.pending;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const url = `${this.options.tokenUrl.replace(/\/+$/, '')}/${this.options.collection}`;
    this.fetches += 1;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      throw tokenError(`cannot reach the SAS token endpoint ${url}: ${(error as Error).message}`, error);
    }
    if (!response.ok) throw tokenError(`the SAS token endpoint ${url} answered ${response.status} ${response.statusText}`);
    let body: { token?: unknown; 'msft:expiry'?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw tokenError(`the SAS token endpoint ${url} did not answer JSON`, error);
    }
    const expiresAt = typeof body['msft:expiry'] === 'string' ? Date.parse(body['msft:expiry']) : Number.NaN;
    if (typeof body.token !== 'string' || body.token === '' || Number.isNaN(expiresAt)) {
      throw tokenError(`the SAS token endpoint ${url} answered without "token" and "msft:expiry"`);
    }
    const token = body.token.replace(/^\?/, '');
    registerSecret(token);
    if (expiresAt <= this.now()) throw tokenError(`the SAS token endpoint ${url} gave a token that has already expired (${body['msft:expiry']})`);
    this.current = { token, expiresAt, fetchedAt: this.now() };
    return token;
  }
}

function tokenError(message: string, cause?: unknown): BiomassError {
  return new BiomassError('SAS_TOKEN_FAILED', redact(message), {
    hint: 'check sources.tiles.token_url and that the endpoint is reachable; a token that cannot be renewed stops the run',
    cause,
  });
}

import { BiomassError } from '../../src/biomass-error.js';

/** The BiomassError a lookup throws; fails the test when it returns, or throws anything else. */
export function refusal(lookup: () => unknown): BiomassError {
  try {
    lookup();
  } catch (error) {
    if (error instanceof BiomassError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

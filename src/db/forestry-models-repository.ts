import { BiomassError } from '../biomass-error.js';
import { rowsPlaceholders, statementGroups } from './multi-row-insert.js';
import type { Queryable } from './store.js';

/**
 * An empirical NDVI-to-biomass model, as the users load it. `form` with `coefficients`
 * gives density in Mg/ha: linear a + b*ndvi, power a * ndvi^b, exponential a * e^(b*ndvi).
 */
export interface ForestryModel {
  modelId: string;
  modelVersion: string;
  form: 'linear' | 'power' | 'exponential';
  coefficients: Record<string, number>;
  coverType: string;
  /** The label the users gave the region it was fitted for ('*' for anywhere). */
  region: string;
  /** States it applies to (2-digit FIPS or postal codes); empty means anywhere. Default: from region. */
  states?: string[];
  fitStats: Record<string, number>;
  citation: string;
  /** True for demo rows that are not fitted to real data. */
  illustrative: boolean;
}

const COLUMNS = 10;

/** The table the forestry migration creates; the plan's sources.forestry.table default. */
export const DEFAULT_MODELS_TABLE = 'biomass_models';

/**
 * The SQL name of the models table the plan names (sources.forestry.table): `name` is in
 * schema biomass, `schema.name` anywhere. Identifiers are checked and quoted, since they
 * cannot be query parameters.
 */
export function modelsTable(name: string = DEFAULT_MODELS_TABLE): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => /^[a-z_][a-z0-9_]*$/.test(part))) {
    throw new BiomassError('DB_MODELS_TABLE', `"${name}" is not a table name`, {
      hint: 'sources.forestry.table takes lower-case letters, digits and _ (optionally schema.table)',
      exitCode: 2,
    });
  }
  return (parts.length === 1 ? ['biomass', ...parts] : parts).map((part) => `"${part}"`).join('.');
}

/** Loads models; a model id loaded again is replaced. */
export async function upsertForestryModels(db: Queryable, models: readonly ForestryModel[], table = DEFAULT_MODELS_TABLE): Promise<void> {
  const unique = [...new Map(models.map((m) => [m.modelId, m])).values()];
  for (const group of statementGroups(unique, COLUMNS)) {
    await db.query(
      `INSERT INTO ${modelsTable(table)}
         (model_id, model_version, form, coefficients, cover_type, region, fit_stats, citation, illustrative, states)
       VALUES ${rowsPlaceholders(group.length, COLUMNS)}
       ON CONFLICT (model_id) DO UPDATE SET
         model_version = EXCLUDED.model_version, form = EXCLUDED.form, coefficients = EXCLUDED.coefficients,
         cover_type = EXCLUDED.cover_type, region = EXCLUDED.region, fit_stats = EXCLUDED.fit_stats,
         citation = EXCLUDED.citation, illustrative = EXCLUDED.illustrative, states = EXCLUDED.states, loaded_at = now()`,
      group.flatMap((m) => [
        m.modelId, m.modelVersion, m.form, JSON.stringify(m.coefficients), m.coverType, m.region,
        JSON.stringify(m.fitStats), m.citation, m.illustrative, `{${statesOf(m).map((st) => `"${st}"`).join(',')}}`,
      ]),
    );
  }
}

/** The states a model applies to: as given, else read from its region label ('IL, IN'; '*' = anywhere). */
export function statesOf(model: Pick<ForestryModel, 'region' | 'states'>): string[] {
  if (model.states) return model.states.filter((st) => /^[A-Za-z0-9]{2}$/.test(st));
  if (model.region.trim() === '*') return [];
  return model.region.split(',').map((st) => st.trim()).filter((st) => /^[A-Za-z0-9]{2}$/.test(st));
}

interface ModelRow {
  model_id: string; model_version: string; form: ForestryModel['form']; coefficients: Record<string, number>;
  cover_type: string; region: string; fit_stats: Record<string, number>; citation: string; illustrative: boolean;
  states?: string[];
}

function toModel(row: ModelRow): ForestryModel {
  return {
    modelId: row.model_id, modelVersion: row.model_version, form: row.form, coefficients: row.coefficients,
    coverType: row.cover_type, region: row.region, fitStats: row.fit_stats, citation: row.citation,
    illustrative: row.illustrative,
    ...(row.states ? { states: row.states } : {}),
  };
}

/** Every model, by id. */
export async function listForestryModels(db: Queryable, table = DEFAULT_MODELS_TABLE): Promise<ForestryModel[]> {
  const result = await db.query<ModelRow>(`SELECT * FROM ${modelsTable(table)} ORDER BY model_id`);
  return result.rows.map(toModel);
}

/**
 * The model for a cover type in a region, falling back to one fitted for region '*'
 * (anywhere); undefined when none applies (the parcel is then `no_model`).
 */
export async function findForestryModel(
  db: Queryable,
  coverType: string,
  region: string,
  table = DEFAULT_MODELS_TABLE,
): Promise<ForestryModel | undefined> {
  const result = await db.query<ModelRow>(
    `SELECT * FROM ${modelsTable(table)} WHERE cover_type = $1 AND region IN ($2, '*')
     ORDER BY (region = $2) DESC, model_id LIMIT 1`,
    [coverType, region],
  );
  return result.rows[0] ? toModel(result.rows[0]) : undefined;
}

/**
 * The model for a cover group in a state (its 2-digit FIPS and postal code): one fitted for
 * that state before one that applies anywhere; undefined when none applies (`no_model`).
 */
export async function findModelForState(
  db: Queryable,
  coverType: string,
  state: { fips: string; postal: string },
  table = DEFAULT_MODELS_TABLE,
): Promise<ForestryModel | undefined> {
  const result = await db.query<ModelRow>(
    `SELECT * FROM ${modelsTable(table)}
     WHERE cover_type = $1 AND (cardinality(states) = 0 OR $2 = ANY(states) OR $3 = ANY(states))
     ORDER BY cardinality(states) = 0, model_id LIMIT 1`,
    [coverType, state.fips, state.postal],
  );
  return result.rows[0] ? toModel(result.rows[0]) : undefined;
}

/**
 * Reads the biomass models users load (`biomass models load FILE`): CSV or YAML. Every
 * problem is reported with the file, the row and the fix; nothing is loaded from a file that
 * has one.
 *
 * CSV header: model_id,model_version,form,a,b,cover_type,states,citation[,region,r2,rmse,n,illustrative]
 * (states separated by spaces or semicolons, empty = anywhere). YAML: a list (or `models:`)
 * of { model_id, model_version, form, coefficients: {a, b}, cover_type, states: [..],
 * fit_stats: {..}, citation, illustrative }.
 */
import { parse } from 'yaml';
import { BiomassError } from '../biomass-error.js';
import type { ForestryModel } from '../db/forestry-models-repository.js';

const FORMS = ['linear', 'power', 'exponential'] as const;

export function parseModelFile(file: string, text: string): ForestryModel[] {
  const records = /\.ya?ml$/i.test(file) ? yamlRecords(file, text) : csvRecords(file, text);
  return records.map((record, i) => toModel(file, i + 1, record));
}

type RawModel = Record<string, unknown>;

function yamlRecords(file: string, text: string): RawModel[] {
  const doc = parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) throw bad(file, 'is not a list of models', 'write a YAML list, or `models:` with a list');
  return list as RawModel[];
}

function csvRecords(file: string, text: string): RawModel[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim());
  for (const need of ['model_id', 'model_version', 'form', 'a', 'b', 'cover_type', 'citation']) {
    if (!header.includes(need)) throw bad(file, `has no column "${need}"`, `header: ${header.join(',')}`);
  }
  return lines.slice(1).map((line) => {
    const cells = splitCsv(line);
    const row = Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
    const fitStats: Record<string, number> = {};
    for (const key of ['r2', 'rmse', 'n']) if (row[key]) fitStats[key] = Number(row[key]);
    return {
      ...row,
      coefficients: { a: Number(row.a), b: Number(row.b) },
      states: row.states ? row.states.split(/[\s;]+/).filter(Boolean) : [],
      fit_stats: fitStats,
      illustrative: /^(true|yes|1)$/i.test(row.illustrative ?? ''),
    };
  });
}

/** Splits one CSV line: commas, with "quoted, fields" and "" for a quote. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cell = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cell); cell = ''; }
    else cell += ch;
  }
  out.push(cell);
  return out;
}

function toModel(file: string, n: number, r: RawModel): ForestryModel {
  const where = `model ${n}${typeof r.model_id === 'string' ? ` (${r.model_id})` : ''}`;
  const text = (key: string, value = r[key]): string => {
    if (typeof value !== 'string' && typeof value !== 'number') throw bad(file, `${where}: ${key} is missing`, `give ${key}`);
    return String(value);
  };
  const form = text('form');
  if (!(FORMS as readonly string[]).includes(form)) throw bad(file, `${where}: form "${form}" is not one of ${FORMS.join(', ')}`, 'linear a+b*ndvi, power a*ndvi^b, exponential a*e^(b*ndvi)');
  const coefficients = (r.coefficients ?? {}) as Record<string, unknown>;
  const a = Number(coefficients.a), b = Number(coefficients.b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw bad(file, `${where}: coefficients a and b must be numbers`, 'e.g. coefficients: { a: -12.5, b: 310 }');
  const states = Array.isArray(r.states) ? r.states.map(String) : [];
  for (const st of states) if (!/^([0-9]{2}|[A-Z]{2})$/.test(st)) throw bad(file, `${where}: "${st}" is not a state`, 'use 2-digit FIPS (17) or postal codes (IL)');
  return {
    modelId: text('model_id'),
    modelVersion: text('model_version', r.model_version ?? r.version),
    form: form as ForestryModel['form'],
    coefficients: { a, b },
    coverType: text('cover_type'),
    region: typeof r.region === 'string' && r.region !== '' ? r.region : states.length > 0 ? states.join(', ') : '*',
    states,
    fitStats: Object.fromEntries(Object.entries((r.fit_stats ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Number(v)])),
    citation: text('citation'),
    illustrative: r.illustrative === true,
  };
}

function bad(file: string, problem: string, hint: string): BiomassError {
  return new BiomassError('MODEL_FILE', `${file} ${problem}`, { hint, exitCode: 2 });
}

import { findState, US_STATES } from '../geo/states.js';
import { nearest } from '../nearest.js';
import type { Plan } from './plan.js';
import type { Problem } from './problem.js';
import { redact } from '../secrets.js';
import { formatBytes } from './units.js';
import type { PlanPath, YamlSource } from './yaml-source.js';

/** What a rule sees: the compiled plan, the values as written, and where each key is. */
export interface RuleContext {
  plan: Plan;
  /** The plan as written (after ${VAR} interpolation, defaults filled). */
  written: { rollout: { states: string[] }; sources: Record<string, Record<string, unknown>>; database: Record<string, unknown> };
  /** Paths whose value came from the environment. */
  fromEnv: ReadonlySet<string>;
  /** For those paths, the text as written, before ${VAR} interpolation. */
  templates?: ReadonlyMap<string, string>;
  source: YamlSource;
}

/** A semantic rule: one small check after the schema, returning its problems. */
export type PlanRule = (ctx: RuleContext) => Problem[];

function problem(ctx: RuleContext, path: PlanPath, fields: Omit<Problem, 'file' | 'line' | 'column' | 'length' | 'severity'> & { severity?: Problem['severity'] }): Problem {
  return { file: ctx.source.file, ...ctx.source.locate(path), severity: 'error', ...fields };
}

const describeState = (fips: string) => `"${fips}" (${US_STATES.find((s) => s.fips === fips)?.name})`;

/**
 * Unknown state codes, checked on the plan as written so they are reported together with
 * schema errors (the rest of the rules need a plan that passed the schema).
 */
export function unknownStates(written: unknown, source: YamlSource): Problem[] {
  const states = (written as { rollout?: { states?: unknown } } | undefined)?.rollout?.states;
  if (!Array.isArray(states)) return [];
  const ctx = { source } as RuleContext;
  return states.flatMap((code: unknown, i) => {
    if (typeof code !== 'string' || !/^([0-9]{2}|[A-Za-z]{2})$/.test(code) || findState(code)) return [];
    const numeric = /^\d+$/.test(code);
    const candidates = numeric ? US_STATES.map((s) => s.fips) : US_STATES.map((s) => s.postal);
    const suggestions = nearest(numeric ? code : code.toUpperCase(), candidates, 4).map((c) =>
      describeState(numeric ? c : findState(c)!.fips),
    );
    return [
      problem(ctx, ['rollout', 'states', i], {
        code: 'STATE_UNKNOWN',
        message: `rollout.states[${i}]: "${code}" is not a US state`,
        hint: suggestions.length
          ? `did you mean ${suggestions.join(' or ')}?`
          : 'use a 2-digit state FIPS code ("17") or a postal code ("IL")',
      }),
    ];
  });
}

const uniqueStates: PlanRule = (ctx) => {
  const firstAt = new Map<string, number>();
  return ctx.plan.rollout.states.flatMap((fips, i) => {
    if (!findState(fips)) return [];
    const first = firstAt.get(fips);
    if (first === undefined) {
      firstAt.set(fips, i);
      return [];
    }
    return [
      problem(ctx, ['rollout', 'states', i], {
        code: 'STATE_DUPLICATE',
        message: `rollout.states[${i}]: state ${describeState(fips)} is already listed at rollout.states[${first}]`,
        hint: 'list each state once; its counties all run when the state runs',
      }),
    ];
  });
};

const countiesInStates: PlanRule = (ctx) => {
  const states = new Set(ctx.plan.rollout.states);
  const seen = new Set<string>();
  return ctx.plan.rollout.counties.flatMap((fips, i) => {
    const where = ['rollout', 'counties', i];
    if (seen.has(fips)) {
      return [problem(ctx, where, { code: 'COUNTY_DUPLICATE', message: `rollout.counties[${i}]: county "${fips}" is listed twice`, hint: 'remove the repeated county' })];
    }
    seen.add(fips);
    if (states.has(fips.slice(0, 2))) return [];
    const state = findState(fips.slice(0, 2));
    return [
      problem(ctx, where, {
        code: 'COUNTY_OUTSIDE_STATES',
        message: `rollout.counties[${i}]: county "${fips}" is in ${state ? describeState(state.fips) : `no state (its first two digits "${fips.slice(0, 2)}" are not a state FIPS code)`}, which rollout.states does not list`,
        hint: state ? `add "${state.fips}" to rollout.states or remove the county` : 'a county FIPS code is the state code followed by 3 digits, e.g. "17113"',
      }),
    ];
  });
};

const seasonOrder: PlanRule = (ctx) => {
  const { start, end } = ctx.plan.season;
  if (end < start) {
    return [problem(ctx, ['season', 'end'], { code: 'SEASON_ORDER', message: `season.end ${end} is before season.start ${start}`, hint: 'swap the two dates or correct the year' })];
  }
  const days = (Date.parse(end) - Date.parse(start)) / 86_400_000;
  if (days > 366) {
    return [problem(ctx, ['season', 'end'], { severity: 'warning', code: 'SEASON_LONG', message: `the season spans ${Math.round(days)} days; a seasonal composite usually covers one growing season`, hint: 'make it one growing season (e.g. 2024-04-01 to 2024-09-30) unless you mean to mix years' })];
  }
  return [];
};

/** Connections the plan's parallel work holds at once: per state, one per batch plus one for its steps; plus the orchestrator. */
export function connectionsNeeded(plan: Plan): number {
  return plan.rollout.parallelStates * (plan.processing.parallelBatches + 1) + 1;
}

const poolFitsParallelWork: PlanRule = (ctx) => {
  const { plan } = ctx;
  // The embedded database is one connection in this process; a URL from an unset ${VAR} is
  // still a server the run will use, so the rule holds for it.
  if (plan.database.url === '' && !plan.unresolved['database.url']) return [];
  const needed = connectionsNeeded(plan);
  if (needed <= plan.database.pool.max) return [];
  return [
    problem(ctx, ['database', 'pool', 'max'], {
      code: 'POOL_TOO_SMALL',
      message: `parallel work needs ${needed} database connections (${plan.rollout.parallelStates} state(s) x (${plan.processing.parallelBatches} batches + 1) + 1) but database.pool.max is ${plan.database.pool.max}`,
      hint: `raise database.pool.max to ${needed} or lower processing.parallel_batches / rollout.parallel_states`,
    }),
  ];
};

const budgetHoldsWork: PlanRule = (ctx) => {
  const { storage, preprocess } = ctx.plan;
  const item = storage.tileSize.compressedBytes + storage.tileSize.uncompressedBytes;
  if (storage.budgetBytes < item) {
    return [problem(ctx, ['storage', 'budget'], { code: 'STORAGE_BUDGET_TINY', message: `storage.budget ${formatBytes(storage.budgetBytes)} cannot hold even one tile item being preprocessed (${formatBytes(item)}: original plus converted)`, hint: `raise storage.budget to at least ${formatBytes(item)}` })];
  }
  if (storage.budgetBytes < item * preprocess.parallelJobs) {
    const fits = Math.floor(storage.budgetBytes / item);
    return [problem(ctx, ['preprocess', 'parallel_jobs'], { severity: 'warning', code: 'PARALLELISM_WASTED', message: `storage.budget ${formatBytes(storage.budgetBytes)} holds only ${fits} conversions at once, fewer than preprocess.parallel_jobs ${preprocess.parallelJobs}`, hint: `lower preprocess.parallel_jobs to ${fits} or raise storage.budget` })];
  }
  return [];
};

/** Keys that carry credentials, with the variable their value should come from. */
const SECRET_KEYS: ReadonlyArray<{ path: PlanPath; variable: string; alwaysSecret: boolean }> = [
  { path: ['sources', 'tiles', 'connection'], variable: 'AZURE_STORAGE_CONNECTION_STRING', alwaysSecret: true },
  { path: ['sources', 'tiles', 'sas_token'], variable: 'AZURE_STORAGE_SAS_TOKEN', alwaysSecret: true },
  { path: ['sources', 'forestry', 'url'], variable: 'FORESTRY_DATABASE_URL', alwaysSecret: false },
  { path: ['sources', 'parcels', 'uri'], variable: 'PARCELS_URI', alwaysSecret: false },
  { path: ['database', 'url'], variable: 'DATABASE_URL', alwaysSecret: false },
  // A webhook URL is one whole secret: its path is the key.
  { path: ['notify', 'webhook'], variable: 'BIOMASS_WEBHOOK_URL', alwaysSecret: true },
];

function writtenAt(ctx: RuleContext, path: PlanPath): unknown {
  const [a, b, c] = path as [string, string, string | undefined];
  return c === undefined ? ctx.written[a as 'database']?.[b] : ctx.written.sources[b]?.[c];
}

const secretsFromEnvironment: PlanRule = (ctx) =>
  SECRET_KEYS.flatMap(({ path, variable, alwaysSecret }) => {
    const value = writtenAt(ctx, path);
    if (typeof value !== 'string' || value === '' || ctx.fromEnv.has(path.join('.'))) return [];
    if (!alwaysSecret && redact(value) === value) return [];
    return [
      problem(ctx, path, {
        code: 'SECRET_IN_PLAN',
        message: `${path.join('.')} holds a secret written in the plan, which is kept in git`,
        hint: `write "\${${variable}}" and set that variable in the environment`,
      }),
    ];
  });

/** A whole value from one variable: ${VAR} or ${VAR:-default}. */
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * Credentials from the environment go only where the environment says: a credential key that
 * mixes plan text with a ${VAR} could put a host written in the plan in front of a password,
 * key or token taken from the environment. (A parcel URI may mix them unless it holds a secret.)
 */
const credentialsWholeFromEnvironment: PlanRule = (ctx) =>
  SECRET_KEYS.flatMap(({ path, variable, alwaysSecret }) => {
    const template = ctx.templates?.get(path.join('.'));
    if (template === undefined || WHOLE_REFERENCE.test(template)) return [];
    const value = writtenAt(ctx, path);
    if (!alwaysSecret && path[path.length - 1] === 'uri' && typeof value === 'string' && redact(value) === value) return [];
    return [
      problem(ctx, path, {
        code: 'CREDENTIAL_MIXED',
        message: `${path.join('.')} must be exactly one \${VARIABLE}: it mixes text written in the plan with values from the environment, which could send a credential to a host the plan names`,
        hint: `put the whole value in one variable and write "\${${variable}}"`,
      }),
    ];
  });

const azureCredentials: PlanRule = (ctx) => {
  const { tiles, unresolved } = ctx.plan;
  if (tiles.kind !== 'azure' || tiles.connection || tiles.sasToken || tiles.tokenUrl) return [];
  if (unresolved['sources.tiles.connection'] || unresolved['sources.tiles.sas_token']) return [];
  return [
    problem(ctx, ['sources', 'tiles', 'uri'], {
      severity: 'warning',
      code: 'TILES_NO_CREDENTIALS',
      message: `sources.tiles.uri is ${tiles.uri} but none of sources.tiles.connection, sas_token or token_url is given`,
      hint: 'add connection: "${AZURE_STORAGE_CONNECTION_STRING}" (or account with sas_token or token_url); `run` will need one',
    }),
  ];
};

/** The semantic rules, in the order their problems are reported. */
export const PLAN_RULES: readonly PlanRule[] = [
  uniqueStates,
  countiesInStates,
  seasonOrder,
  poolFitsParallelWork,
  budgetHoldsWork,
  secretsFromEnvironment,
  credentialsWholeFromEnvironment,
  azureCredentials,
];

import type { PlanPath } from './yaml-source.js';

/** A ${VAR} that the environment did not set and that had no default. */
export interface UnsetVariable {
  path: PlanPath;
  variable: string;
}

export interface Interpolated {
  value: unknown;
  unset: UnsetVariable[];
  /** Every path whose string came (partly) from the environment, with the variables used. */
  fromEnv: Array<{ path: PlanPath; variables: string[]; value: string; template: string }>;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$/g;

/**
 * Replaces ${VAR} and ${VAR:-default} in every string of the plan with values from `env`
 * ("$$" stands for a literal "$"). An unset variable without default becomes "" and is
 * reported, so `validate` can warn and a command that needs the value can refuse by name.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const unset: UnsetVariable[] = [];
  const fromEnv: Interpolated['fromEnv'] = [];
  const walk = (node: unknown, path: Array<string | number>): unknown => {
    if (typeof node === 'string') {
      const variables: string[] = [];
      const out = node.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (whole === '$$') return '$';
        variables.push(name!);
        const set = env[name!];
        if (set !== undefined && set !== '') return set;
        if (fallback !== undefined) return fallback;
        unset.push({ path: [...path], variable: name! });
        return '';
      });
      if (variables.length > 0) fromEnv.push({ path: [...path], variables, value: out, template: node });
      return out;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(value, []), unset, fromEnv };
}

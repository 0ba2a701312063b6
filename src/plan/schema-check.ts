import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { nearest } from '../nearest.js';
import { DURATION_PATTERN, SIZE_PATTERN } from './units.js';
import { PLAN_SCHEMA_PATH } from './plan-schema-path.js';
import type { Problem } from './problem.js';
import type { PlanPath, YamlSource } from './yaml-source.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => Ajv;

interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  enum?: unknown[];
  examples?: unknown[];
  writeOnly?: boolean;
  items?: SchemaNode;
}

/** The plan schema, parsed once. */
export const planSchema: SchemaNode = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8'));

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    // The schema is checked against the JSON Schema meta-schema by test/plan/generated-files.test.ts,
    // not at every start (that check alone costs as much as compiling the plan's validator).
    const ajv = new Ajv({
      allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true,
      validateSchema: false, code: { optimize: false },
    });
    addFormats(ajv, ['date']);
    validator = ajv.compile(planSchema);
  }
  return validator;
}

/**
 * Validates (and fills defaults into) the interpolated plan value, returning each schema
 * error as a problem placed on its YAML node, with the fix.
 */
export function checkSchema(value: unknown, source: YamlSource): Problem[] {
  const validate = compiled();
  if (validate(value)) return [];
  const problems = (validate.errors ?? []).map((error) => toProblem(error, source));
  // allErrors reports an enum/const failure and its type failure both; keep one per place.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The schema node at a plan path, for descriptions and valid keys. */
export function schemaAt(path: PlanPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = planSchema;
  for (const segment of path) {
    node = typeof segment === 'number' ? node?.items : node?.properties?.[segment];
  }
  return node;
}

function toProblem(error: ErrorObject, source: YamlSource): Problem {
  const path = pointerToPath(error.instancePath);
  const dotted = dottedPath(path);
  const schema = error.parentSchema as SchemaNode | undefined;
  const at = (p: PlanPath, key = false) => ({ file: source.file, ...source.locate(p, { key }), severity: 'error' as const });
  const describe = schema?.description ? ` (${firstSentence(schema.description)})` : '';

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const valid = Object.keys(schema?.properties ?? {});
      const suggestions = nearest(key, valid);
      const where = path.length ? ` in ${dotted}` : ' at the top level';
      return {
        ...at([...path, key], true),
        length: key.length,
        code: 'UNKNOWN_KEY',
        message: `unknown key "${key}"${where}`,
        hint: suggestions.length
          ? `did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
          : `valid keys here: ${valid.join(', ')}`,
      };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const child = schema?.properties?.[key];
      return {
        ...at(path, true),
        code: 'MISSING_KEY',
        message: `${path.length ? dotted : 'the plan'} needs "${key}"`,
        hint: `add ${key}:${child?.description ? ` ${firstSentence(child.description)}` : ''}`,
      };
    }
    case 'type':
      return {
        ...at(path),
        code: 'WRONG_TYPE',
        message: `${dotted} must be ${article(String(error.params.type))}, not ${typeName(error.data)}`,
        hint: `write ${article(String(error.params.type))}${describe}${exampleOf(schema)}`,
      };
    case 'enum':
    case 'const': {
      const allowed = (error.params.allowedValues ?? [error.params.allowedValue]) as unknown[];
      const suggestions = nearest(String(error.data), allowed.map(String));
      return {
        ...at(path),
        code: 'BAD_VALUE',
        message: `${dotted}: ${JSON.stringify(error.data)} is not allowed`,
        hint: `${suggestions.length ? `did you mean ${JSON.stringify(suggestions[0])}? ` : ''}allowed: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...at(path),
        code: 'OUT_OF_RANGE',
        message: `${dotted} is ${JSON.stringify(error.data)} but ${error.message}`,
        hint: `use a value ${String(error.params.comparison)} ${String(error.params.limit)}${describe}`,
      };
    case 'pattern':
    case 'format':
    case 'minLength': {
      const unit = unitHint((schema as { pattern?: string } | undefined)?.pattern, schema);
      if (unit) {
        return { ...at(path), code: 'BAD_FORMAT', message: `${dotted}: ${JSON.stringify(error.data)} is not ${unit.what}`, hint: unit.hint };
      }
      return {
        ...at(path),
        code: 'BAD_FORMAT',
        message: `${dotted}: ${JSON.stringify(error.data)} is not in the expected form`,
        hint: `expected${describe || ' a value of the documented form'}${exampleOf(schema)}`,
      };
    }
    case 'minItems':
    case 'uniqueItems':
      return {
        ...at(path),
        code: error.keyword === 'minItems' ? 'EMPTY_LIST' : 'DUPLICATE_ITEM',
        message: `${dotted} ${error.message}`,
        hint: error.keyword === 'minItems' ? `list at least ${String(error.params.limit)} item(s)${describe}` : 'remove the repeated item',
      };
    default:
      return { ...at(path), code: 'SCHEMA', message: `${dotted} ${error.message}`, hint: `see docs/plan-reference.md${describe}` };
  }
}

/** Sizes and durations get the same hint wherever they appear: the units to write. */
function unitHint(pattern: string | undefined, schema: SchemaNode | undefined): { what: string; hint: string } | undefined {
  if (pattern === SIZE_PATTERN) {
    return { what: 'a size', hint: `write a number and a unit (B, KB, MB, GB, TB, or KiB, MiB, GiB, TiB)${exampleOf(schema)}` };
  }
  if (pattern === DURATION_PATTERN) {
    return { what: 'a duration', hint: `write a number and a unit (ms, s, m, h, d)${exampleOf(schema)}` };
  }
  return undefined;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** "rollout.states[3]" */
export function dottedPath(path: PlanPath): string {
  return path.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end > 0 ? text.slice(0, end) : text;
}

function exampleOf(schema: SchemaNode | undefined): string {
  const example = schema?.examples?.[0];
  return example === undefined ? '' : `, e.g. ${JSON.stringify(example)}`;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

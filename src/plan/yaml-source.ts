import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar } from 'yaml';
import { PLAN_LIMITS } from './plan-limits.js';
import type { Problem } from './problem.js';

/** A path into the plan: object keys and array indexes. */
export type PlanPath = ReadonlyArray<string | number>;

/** A plan file parsed with positions, so every problem can point at its line and column. */
export class YamlSource {
  readonly lines: string[];
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;
  /** The parser itself ran out of stack (nesting far beyond PLAN_LIMITS.maxDepth). */
  private readonly overflowed: boolean = false;
  private expanded: { value: unknown } | undefined;

  constructor(readonly file: string, readonly text: string) {
    this.lines = text.split(/\r?\n/);
    try {
      this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      this.doc = new Document(null);
      this.overflowed = true;
    }
  }

  /**
   * Syntax errors and duplicate keys, as problems; then, for a file that parsed, what
   * breaks PLAN_LIMITS (nesting, numbers, alias expansion).
   */
  syntaxProblems(): Problem[] {
    if (this.overflowed) return [this.tooDeep(0)];
    // The parser reports its own stack overflow as an error at the node it was in, once per
    // level it unwinds through: how many depends on where the stack ran out (the JIT's frame
    // sizes), so the plan gets one problem, at the first of them.
    const overflow = this.doc.errors.find((error) => /call stack/i.test(error.message));
    if (overflow) return [this.tooDeep(overflow.pos[0])];
    const syntax = this.doc.errors.map((error): Problem => {
      const start = error.pos[0];
      const { line, col } = this.lineCounter.linePos(start);
      const duplicate = error.code === 'DUPLICATE_KEY';
      return {
        file: this.file,
        line,
        column: col,
        length: Math.max(1, error.pos[1] - start),
        severity: 'error' as const,
        code: duplicate ? 'DUPLICATE_KEY' : 'YAML_SYNTAX',
        message: duplicate ? 'this key appears twice in the same mapping' : firstLine(error.message),
        hint: duplicate
          ? 'keep one of the two entries; YAML would silently use only one of them'
          : 'fix the YAML syntax here (indentation with spaces, a ":" after each key, quotes closed)',
      };
    });
    return syntax.length > 0 ? syntax : this.limitProblems();
  }

  /** The plain value of the document (undefined for an empty file); call syntaxProblems first. */
  value(): unknown {
    this.expanded ??= { value: this.doc.toJS({ maxAliasCount: PLAN_LIMITS.maxAliasCount }) };
    return this.expanded.value;
  }

  /** Nesting and numbers, walked without recursion (the nesting may be deep); then alias expansion. */
  private limitProblems(): Problem[] {
    let deepest: number | undefined;
    const numbers: Problem[] = [];
    let firstAlias = this.text.length;
    const stack: Array<{ node: unknown; depth: number }> = [{ node: this.doc.contents, depth: 1 }];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const { node, depth } = next;
      if (isMap(node) || isSeq(node)) {
        if (depth > PLAN_LIMITS.maxDepth) {
          const start = rangeOf(node)?.[0] ?? 0;
          deepest = deepest === undefined ? start : Math.min(deepest, start);
          continue;
        }
        for (const item of node.items) {
          if (isPair(item)) stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
          else stack.push({ node: item, depth: depth + 1 });
        }
      } else if (isScalar(node) && typeof node.value === 'number') {
        const n = node.value;
        if (!Number.isFinite(n) || Math.abs(n) > PLAN_LIMITS.maxNumber) numbers.push(this.numberOutOfRange(node as Scalar<number>));
      } else if (isAlias(node)) {
        firstAlias = Math.min(firstAlias, rangeOf(node)?.[0] ?? 0);
      }
    }
    if (deepest !== undefined) return [this.tooDeep(deepest)];
    if (numbers.length > 0) return numbers.sort((a, b) => a.line - b.line || a.column - b.column);
    try {
      this.value();
    } catch (error) {
      // yaml's guard against exponential expansion ("billion laughs") throws a ReferenceError.
      if (!(error instanceof ReferenceError)) throw error;
      const { line, col } = this.lineCounter.linePos(firstAlias);
      return [{
        file: this.file, line, column: col, length: 1, severity: 'error', code: 'PLAN_ALIASES',
        message: `the plan's aliases expand to more than ${PLAN_LIMITS.maxAliasCount} nodes (an alias bomb?)`,
        hint: 'write the values out, or use fewer aliases (*name) of anchors (&name) that themselves hold aliases',
      }];
    }
    return [];
  }

  private tooDeep(offset: number): Problem {
    const { line, col } = this.lineCounter.linePos(offset);
    return {
      file: this.file, line: Math.max(1, line), column: Math.max(1, col), length: 1, severity: 'error', code: 'PLAN_TOO_DEEP',
      message: `mappings and lists are nested deeper than ${PLAN_LIMITS.maxDepth} levels here`,
      hint: 'a plan is a few levels deep (see docs/plan-reference.md); check the indentation and the brackets',
    };
  }

  private numberOutOfRange(node: Scalar<number>): Problem {
    const [start, end] = rangeOf(node) ?? [0, 1];
    const value = node.value;
    const why = Number.isNaN(value) ? 'not a number' : Number.isFinite(value) ? 'too large to be exact' : 'infinite';
    const { line, col } = this.lineCounter.linePos(start);
    const written = this.text.slice(start, end);
    return {
      file: this.file, line, column: col, length: Math.max(1, end - start), severity: 'error', code: 'NUMBER_OUT_OF_RANGE',
      message: `${written} is not a number a plan can use: ${why}`,
      hint: `write a finite number of at most ${PLAN_LIMITS.maxNumber.toLocaleString('en-US')} in magnitude (sizes and durations take units: "2.5TB", "30s")`,
    };
  }

  /**
   * Where a path is in the file: the key when `key` is set (for unknown keys), else the value.
   * Falls back to the nearest existing parent, so a missing key points at its parent mapping.
   */
  locate(path: PlanPath, options: { key?: boolean } = {}): { line: number; column: number; length: number } {
    let node: unknown = this.doc.contents;
    let range: [number, number] | undefined = rangeOf(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        const keyRange = rangeOf(pair.key);
        const valueRange = rangeOf(pair.value);
        range = (options.key && segment === path[path.length - 1]) || !valueRange ? keyRange ?? range : valueRange;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        range = rangeOf(node) ?? range;
      } else {
        break;
      }
    }
    if (!range) return { line: 1, column: 1, length: 1 };
    const { line, col } = this.lineCounter.linePos(range[0]);
    const lineText = this.lines[line - 1] ?? '';
    const length = Math.max(1, Math.min(range[1] - range[0], lineText.length - col + 1));
    return { line, column: col, length };
  }
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from './problem.js';

/** A path into the plan: object keys and array indexes. */
export type PlanPath = ReadonlyArray<string | number>;

/** A plan file parsed with positions, so every problem can point at its line and column. */
export class YamlSource {
  readonly lines: string[];
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;

  constructor(readonly file: string, readonly text: string) {
    this.lines = text.split(/\r?\n/);
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false });
  }

  /** Syntax errors and duplicate keys, as problems. */
  syntaxProblems(): Problem[] {
    return this.doc.errors.map((error) => {
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
  }

  /** The plain value of the document (undefined for an empty file). */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
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

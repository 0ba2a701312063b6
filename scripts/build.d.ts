// Types of build.js (plain JavaScript: it runs before anything is built, without tsx).
import type { Metafile } from 'esbuild';

export declare const EXTERNAL: string[];
export declare function build(options?: { outDir?: string; root?: string }): Promise<Metafile>;

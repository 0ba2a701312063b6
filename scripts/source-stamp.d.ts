// Types of source-stamp.js (plain JavaScript: bin/biomass.js loads it before any TypeScript).
export declare const STAMP_FILE: string;
export declare function sourceStamp(root: string): { newestMs: number; entries: number };
export declare function distIsFresh(root: string): boolean;

/**
 * The figures runners report (NodeMetrics), summed per node and for the whole run. A node's
 * figures go to node_status.figures when it ends; the run's to the summary, the metrics
 * endpoint and biomass.performance_metrics.
 */
import type { NodeMetrics } from '../dag/kinds/node-kind.js';

export interface Figures {
  /** Bytes read by read path (streamed, downloaded, local, ...). */
  bytesByPath: Record<string, number>;
  requestsByPath: Record<string, number>;
  bytesWritten: number;
  cacheHits: number;
  cacheMisses: number;
  parcels: number;
}

export function emptyFigures(): Figures {
  return { bytesByPath: {}, requestsByPath: {}, bytesWritten: 0, cacheHits: 0, cacheMisses: 0, parcels: 0 };
}

/** The figures of one node, adding into the run's totals as they come. */
export function nodeMetrics(node: Figures, run: Figures): NodeMetrics {
  const both = [node, run];
  return {
    addRead(path, bytes, requests = 1) {
      for (const f of both) {
        f.bytesByPath[path] = (f.bytesByPath[path] ?? 0) + bytes;
        f.requestsByPath[path] = (f.requestsByPath[path] ?? 0) + requests;
      }
    },
    addWritten(bytes) {
      for (const f of both) f.bytesWritten += bytes;
    },
    addCache(hits, misses) {
      for (const f of both) {
        f.cacheHits += hits;
        f.cacheMisses += misses;
      }
    },
    addParcels(count) {
      for (const f of both) f.parcels += count;
    },
  };
}

/** Share of cache lookups that hit; null before any lookup. */
export function cacheHitRatio(f: Figures): number | null {
  const lookups = f.cacheHits + f.cacheMisses;
  return lookups === 0 ? null : f.cacheHits / lookups;
}

/** Share of bytes read that were streamed (windowed reads), null before any read. */
export function streamedShare(f: Figures): number | null {
  const total = Object.values(f.bytesByPath).reduce((a, b) => a + b, 0);
  return total === 0 ? null : (f.bytesByPath['streamed'] ?? 0) / total;
}

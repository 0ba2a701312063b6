/** The run's live figures in the Prometheus text exposition format (version 0.0.4). */
import type { NodeEnd } from './run-events.js';
import type { RunProgress } from './run-progress.js';
import { cacheHitRatio, type Figures } from './run-figures.js';

export interface LiveFigures {
  progress: RunProgress;
  figures: Figures;
  startedMs: number;
  nowMs: number;
  workerPool: { threads: number; queued: number; utilization: number };
  dbPool: { total: number; idle: number; waiting: number; max: number };
  freeBytes: number | null;
  diskInUseBytes: number;
}

export function prometheusText(live: LiveFigures): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, type: 'gauge' | 'counter', samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  };
  const byStatus = new Map<string, number>();
  for (const stage of live.progress.stages.values()) {
    const ended = Object.values(stage.ended).reduce((a, b) => a + b, 0);
    for (const [end, count] of Object.entries(stage.ended) as Array<[NodeEnd, number]>) byStatus.set(end, (byStatus.get(end) ?? 0) + count);
    byStatus.set('running', (byStatus.get('running') ?? 0) + stage.running.size);
    byStatus.set('waiting', (byStatus.get('waiting') ?? 0) + stage.nodes - ended - stage.running.size);
  }
  metric('biomass_nodes', 'DAG nodes by status in this run', 'gauge', [...byStatus].map(([status, n]) => [{ status }, n]));
  const seconds = Math.max(0.001, (live.nowMs - live.startedMs) / 1000);
  metric('biomass_parcels_total', 'Parcels whose outputs were committed in this run', 'counter', [[{}, live.figures.parcels]]);
  metric('biomass_parcels_per_second', 'Parcels committed per second, averaged over the run', 'gauge', [[{}, live.figures.parcels / seconds]]);
  metric('biomass_read_bytes_total', 'Bytes read, by read path', 'counter', Object.entries(live.figures.bytesByPath).map(([path, b]) => [{ path }, b]));
  metric('biomass_read_bytes_per_second', 'Bytes read per second by read path, averaged over the run', 'gauge', Object.entries(live.figures.bytesByPath).map(([path, b]) => [{ path }, b / seconds]));
  metric('biomass_cache_hit_ratio', 'Share of cache lookups that hit', 'gauge', [[{}, cacheHitRatio(live.figures) ?? 0]]);
  metric('biomass_worker_pool_threads', 'Threads of the shared worker pool', 'gauge', [[{}, live.workerPool.threads]]);
  metric('biomass_worker_pool_waiting', 'Tasks queued for a worker thread', 'gauge', [[{}, live.workerPool.queued]]);
  metric('biomass_db_pool_in_use', 'Database connections in use', 'gauge', [[{}, live.dbPool.total - live.dbPool.idle]]);
  metric('biomass_db_pool_waiting', 'Callers waiting for a database connection', 'gauge', [[{}, live.dbPool.waiting]]);
  if (live.freeBytes !== null) metric('biomass_free_bytes', 'Free space under storage.dir', 'gauge', [[{}, live.freeBytes]]);
  metric('biomass_disk_claimed_bytes', 'Storage claimed by running and held nodes', 'gauge', [[{}, live.diskInUseBytes]]);
  return lines.join('\n') + '\n';
}

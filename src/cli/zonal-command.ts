import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BiomassError } from '../biomass-error.js';
import type { CliIo } from './cli-io.js';

interface ZonalFlags {
  layer?: string;
  idField?: string;
  band: string;
  coverage: string;
  csv?: string;
  workers: string;
}

/**
 * `biomass zonal RASTER VECTOR`: the county step's kernels on any band and polygon layer, so
 * users (and we) can check them against other tools. CSV `id,count,sum,mean,min,max`, one
 * row per feature in layer order; values printed with full double precision (shortest
 * round-trip form); mean, min and max empty where nothing valid is covered.
 */
export function registerZonalCommand(program: Command, io: CliIo, state: { exitCode: number }): void {
  program
    .command('zonal')
    .description('zonal statistics of a raster band per polygon (the county step\'s kernels): id,count,sum,mean,min,max')
    .argument('<raster>', 'any GDAL raster')
    .argument('<vector>', 'any OGR polygon source; reprojected to the raster\'s CRS')
    .option('--layer <name>', 'layer of the vector source (default: the first)')
    .option('--id-field <name>', 'field for the id column (default: the feature id)')
    .option('--band <n>', 'band number, from 1', '1')
    .option('--coverage <rule>', 'centre (pixel centre strictly inside) or fractional (exact area share)', 'centre')
    .option('--csv <file>', 'write the CSV to this file instead of stdout')
    .option('--workers <n>', 'worker threads (0: one per core)', '0')
    .action(async (raster: string, vector: string, flags: ZonalFlags) => {
      if (flags.coverage !== 'centre' && flags.coverage !== 'fractional') {
        throw new BiomassError('ZONAL_COVERAGE', `--coverage ${flags.coverage} is not a coverage rule`, { hint: 'use centre or fractional', exitCode: 2 });
      }
      const band = Number(flags.band);
      const workers = Number(flags.workers);
      if (!Number.isInteger(band) || !Number.isInteger(workers) || workers < 0) {
        throw new BiomassError('ZONAL_USAGE', '--band and --workers take whole numbers', { exitCode: 2 });
      }
      const { openKernelPool } = await import('../biomass/kernel-pool.js');
      const { zonalOfLayer } = await import('../biomass/zonal-layer.js');
      const pool = await openKernelPool(workers);
      try {
        const rows = await zonalOfLayer({
          raster: path.resolve(io.cwd, raster), vector: path.resolve(io.cwd, vector), layer: flags.layer,
          idField: flags.idField, band, rule: flags.coverage, pool,
        });
        const num = (v: number) => (Number.isNaN(v) ? '' : String(v));
        const lines = ['id,count,sum,mean,min,max', ...rows.map((r) => [csvField(r.id), num(r.count), num(r.sum), num(r.mean), num(r.min), num(r.max)].join(','))];
        const text = lines.join('\n') + '\n';
        if (flags.csv) {
          const out = path.resolve(io.cwd, flags.csv);
          await writeFile(`${out}.tmp`, text);
          await rename(`${out}.tmp`, out);
          io.stderr.write(`zonal: ${rows.length} features -> ${flags.csv}\n`);
        } else {
          io.stdout.write(text);
        }
        state.exitCode = 0;
      } finally {
        await pool.close();
      }
    });
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// Lists the mutants a Stryker run left (survived or not covered) from reports/mutation/PART.json
// as the rows of docs/testing.md's table, each with the reason given for its place in
// REASONS below (a mutant with no reason is printed as "left: not yet looked at").
//
//   node --import tsx scripts/mutation-survivors.ts geo
import { readFileSync } from 'node:fs';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

/** file:firstLine-lastLine -> why the mutants there are left. Most specific first. */
const REASONS: Array<[string, number, number, string]> = [
  // geo
  ['geo/transverse-mercator.ts', 20, 35, 'equivalent: an n⁵ or n⁶ term of the series, which moves a coordinate by under 0.1 µm (n ≈ 0.0017), below the 0.02 µm agreement with PROJ only where it is n⁶'],
  ['geo/transverse-mercator.ts', 66, 72, 'equivalent: the sixth term of the series (j = 6) moves a coordinate by under a nanometre'],
  ['geo/transverse-mercator.ts', 80, 86, 'equivalent: the sixth term of the series (j = 6) moves a coordinate by under a nanometre'],
  ['geo/transverse-mercator.ts', 88, 90, 'equivalent: a longitude of exactly ±180° (the same meridian either way) never comes out of the series'],
  ['geo/transverse-mercator.ts', 92, 104, 'equivalent: Newton\'s iteration for the latitude converges in 2-3 steps to full precision; more steps, a slightly wrong derivative or a later stop give the same double'],
  ['geo/tile-cover.ts', 94, 102, 'equivalent: `<` against `<=` at a square edge exactly on the central meridian, or a longitude exactly on the zone edge: both answers are the same there'],
  ['geo/polygon-clip.ts', 36, 45, 'equivalent: a vertex exactly on the box edge is kept or replaced by the same crossing point, so the area is the same'],
  ['geo/polygon-clip.ts', 50, 70, 'equivalent: splitting where no edge runs along the line, or edges of zero length, changes no area'],
  ['geo/polygon-clip.ts', 78, 86, 'equivalent: a closed ring\'s repeated first vertex, kept or dropped, adds an edge of zero length'],
];

function reasonFor(file: string, line: number): string {
  const found = REASONS.find(([f, from, to]) => file.endsWith(f) && line >= from && line <= to);
  return found ? found[3] : 'left: not yet looked at';
}

const part = process.argv[2];
if (!part) {
  console.error('usage: node --import tsx scripts/mutation-survivors.ts PART (plan, dag, geo, db)');
  process.exit(2);
}
const report = JSON.parse(readFileSync(`reports/mutation/${part}.json`, 'utf8')) as { files: Record<string, { mutants: Mutant[] }> };
console.log('| where | mutant | why |');
console.log('| --- | --- | --- |');
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const where = `${file.replace(/^src\//, '')}:${m.location.start.line}:${m.location.start.column}`;
    const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').replaceAll('|', '\\|').slice(0, 60);
    const status = m.status === 'NoCoverage' ? ' (no test runs it)' : '';
    console.log(`| ${where} | ${m.mutatorName} \`${replacement}\`${status} | ${reasonFor(file, m.location.start.line)} |`);
  }
}

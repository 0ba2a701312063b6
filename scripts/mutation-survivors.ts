// Lists the mutants a Stryker run left (survived or not covered) from reports/mutation/PART.json
// as the rows of docs/testing.md's table, each with the reason given for its place in
// REASONS below (a mutant with no reason is printed as "left: not yet looked at").
//
//   node --import tsx scripts/mutation-survivors.ts geo [REPORT.json] [FILE-FILTER]
// REPORT.json: another report of the part (an incremental file of a targeted run holds one too);
// FILE-FILTER: only files whose path contains it.
//   node --import tsx scripts/mutation-survivors.ts scores [REPORT.json]
// prints the score of each part and of the whole from one report (reports/mutation/all.json,
// what `npm run test:mutation` writes), as docs/testing.md's table: Stryker's score, detected
// (killed or timed out) over detected, survived and not covered.
import { readFileSync } from 'node:fs';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

/** file:firstLine-lastLine -> why the mutants there are left. Most specific first. */
const REASONS: Array<[string, number, number, string]> = [
  // dag/scheduler.ts (the targeted run of 2026-11-29, third session)
  ['dag/scheduler.ts', 75, 75, 'equivalent: the resource list only names a queue; unsorted, two nodes with the same resources may sit in two queues, and admit() compares every queue head, so the same nodes start'],
  ['dag/scheduler.ts', 76, 76, 'equivalent: the separator and the suffix of a non-disk signature only name a queue'],
  ['dag/scheduler.ts', 127, 127, 'equivalent: another admission round after one that passed no turn starts nothing (the same nodes wait for the same reasons)'],
  ['dag/scheduler.ts', 78, 78, 'equivalent: a stray id in a dependents list has no deps count, so it is never readied'],
  ['dag/scheduler.ts', 80, 80, 'equivalent for `<=` and `length + 1`: the turn can then pass the last state, but a state after the last one has no disk nodes to admit'],
  ['dag/scheduler.ts', 135, 135, 'equivalent: a queue is deleted when it empties, so every queue in the map has a head'],
  ['dag/scheduler.ts', 138, 138, 'equivalent: two queue heads never compare equal (each node has its own ready number)'],
  ['dag/scheduler.ts', 169, 169, 'equivalent: an empty queue left in the map is skipped by admit() and adds nothing to waiting()'],
  ['dag/scheduler.ts', 197, 197, 'equivalent: a stray id in a dependents list has no deps count, so it is never readied'],
  ['dag/scheduler.ts', 221, 221, 'equivalent for `<=` and `length + 1`: the turn can then pass the last state, but a state after the last one has no disk nodes to admit'],
  ['dag/scheduler.ts', 227, 227, 'equivalent: `>=` writes the same peak again'],
  // the other dag files (the runs of 2026-11-29, fourth session, after the tests written for their first runs)
  // the dag survivors looked at in the fifth session (2026-12-05)
  ['dag/dry-run.ts', 49, 49, 'equivalent: the order given to the DAG of one state alone; one state has one order'],
  ['dag/dry-run.ts', 68, 68, 'equivalent: building the chosen order again gives the same DAG, simulated at the same capacity'],
  ['dag/dry-run.ts', 111, 111, 'equivalent: the warnings are replaced by estimateWarnings() before anything reads them'],
  ['dag/dry-run.ts', 136, 136, 'equivalent: without the item count the shortcut for states that cannot stall is never taken, and simulating such a state alone finds no stall (as for line 137)'],
  ['dag/dry-run.ts', 144, 144, 'equivalent: a stalled schedule always has a waiting node, so stallOf() always returns a stall'],
  ['dag/compile-inputs.ts', 60, 60, 'equivalent: `undefined > 0` is false, so dropping the check for undefined changes nothing'],
  ['dag/reachable-dry-run.ts', 44, 44, 'left for the dropped filter: only a stored tile index beside --catalog tells which tiles are listed, and the dag tests with a catalog have none (cli-index and cli-plan tests cover the stored index)'],
  ['dag/reachable-dry-run.ts', 48, 48, 'left: parcel counts are read through GDAL (OGR), which the mutation run cannot load; test/dag/parcel-counts.test.ts and the cli-plan tests read them'],
  ['dag/reachable-dry-run.ts', 50, 50, 'equivalent: with no layer layeredTileIndex() returns the estimated index itself'],
  ['dag/reachable-dry-run.ts', 53, 53, 'left: parcel counts are read through GDAL (OGR), which the mutation run cannot load, so in the dag tests the source is always unreadable; test/dag/parcel-counts.test.ts and the cli-plan tests read it'],
  ['dag/reachable-dry-run.ts', 54, 55, 'left: a guard that cannot be reached; the dry run schedules a refused rollout under its least budget, which always finishes'],
  ['dag/schedule-summary.ts', 80, 80, 'equivalent for `end !== undefined` made true: every node of a finished schedule has an end, and the dry run asks for the path of a finished schedule only; left for `>=`: two nodes ending last with the same priority number (a state\'s cleanup and a tile copy\'s cleanup can share one) are both last, and no test says which'],
  ['dag/schedule-summary.ts', 85, 85, 'equivalent: a node without an end is filed under `undefined`, a key no start looks up'],
  ['dag/schedule-summary.ts', 89, 89, 'left: the walk goes back in time and takes only unseen freeing nodes, so a node already on the path comes back only through nodes of zero length at one instant; no test builds such a chain'],
  ['dag/schedule-summary.ts', 104, 104, 'equivalent: in a simulated schedule a node that starts after 0 and not at its dependency\'s end started because another node ended then (so the list is never missing); left for the dropped filter: a node already on the path ends at this start only if it has zero length'],
  ['dag/dry-run.ts', 53, 55, 'left: no test has a rollout that still stalls under the largest need of its states alone (states overlapping); that fallback is the least budget, tested on its own'],
  ['dag/dry-run.ts', 70, 70, 'equivalent: for the chosen order the schedule is the one already simulated, at the same capacity'],
  ['dag/dry-run.ts', 137, 137, 'equivalent for `false` and `<` (the shortcut only saves simulating a state that cannot stall); left for `-`, `/` and the dropped lookup: no test has a state between the two bounds'],
  ['dag/dry-run.ts', 149, 161, 'left: no test makes a rollout stall whose every state fits alone (the compiler breaks kept tiles until it does not)'],
  ['dag/dry-run.ts', 156, 156, 'equivalent: of two states with the same need either gives the same hint'],
  ['dag/dry-run.ts', 181, 181, 'left: no test prices only one of storage and egress'],
  ['dag/schedule-summary.ts', 10, 11, 'left: in every test the items made per tile equal the index\'s items per tile, so counting them from the nodes or taking the index gives the same'],
  ['dag/schedule-summary.ts', 17, 17, 'left: in every test the items made per tile equal the index\'s items per tile, so counting them from the nodes or taking the index gives the same'],
  ['dag/schedule-summary.ts', 32, 32, 'equivalent: without nodes the first start stays infinite and the span is 0 anyway'],
  ['dag/schedule-summary.ts', 37, 39, 'equivalent: every node of a finished schedule has a start and an end, so both ends are finite'],
  ['dag/schedule-summary.ts', 51, 51, 'equivalent: only preprocess nodes claim disk in a compiled DAG'],
  ['dag/schedule-summary.ts', 59, 59, 'left: no test has a release and a take of one state\'s tile copies at the same instant where their order changes the peak'],
  ['dag/rollout-facts.ts', 56, 56, 'equivalent: the weight is read only when the area is positive'],
  ['dag/rollout-facts.ts', 74, 76, 'equivalent: no US county\'s box has an edge exactly at 0°, and shifting an edge by 360° is undone by the wrap that follows for every box narrower than 360°; no US county\'s box has its west edge at or west of 0° and its east edge east of 0°'],
  ['dag/stored-figures.ts', 34, 81, 'left: the cases are checked by test/dag/stored-figures.test.ts, but Stryker\'s per-test coverage did not run them against this mutant (see the note on per-test coverage); not confirmed by planting it by hand'],
  ['dag/stored-work.ts', 27, 45, 'left: checked by test/report/plan-diff.test.ts where its plans reach it (an empty and a seeded database); the unset variable, missing embedded database and unreadable server are not'],
  ['dag/tile-counts.ts', 18, 18, 'left: every caller passes the tiles it needs; no test leaves them out'],
  ['dag/tile-counts.ts', 37, 39, 'left: tested through `biomass plan --catalog` (test/cli-plan.test.ts), outside the dag tests'],
  ['dag/estimate-warnings.ts', 50, 55, 'left: the rollout.parallel_states warning cannot fire from a compiled DAG (a state claims its slot from its index node on, before any disk); see the known gap above'],
  ['dag/estimate-warnings.ts', 63, 63, 'equivalent: a compiled DAG has at least one state'],
  ['dag/estimate-warnings.ts', 68, 68, 'left: no test has a county with two or more batches but fewer than parallel_batches, where the suggested number differs'],
  ['dag/estimate-warnings.ts', 74, 74, 'equivalent: the chosen order is always among the orders compared'],
  ['dag/least-budget.ts', 17, 17, 'equivalent: with no disk claims the bisection does not run and returns the sum of claims, 0'],
  ['dag/least-budget.ts', 19, 19, 'left: only the precision of the bisection; a tighter bound returns a budget that still finishes, which is what the test checks'],
  ['dag/rollout-order.ts', 70, 70, 'equivalent: multiplying instead of dividing by the same constant scales every distance alike, so the ranking is the same'],
  ['dag/simulate.ts', 134, 134, 'left: the tie in the test (two ends at t=10) pops in priority order with or without the tie-break; a heap with more same-time events would tell'],
  // dag/compile.ts (the full run of the file and the rerun of its survivors' lines, 2026-11-29, third session)
  ['dag/compile.ts', 66, 67, 'equivalent: a stalled schedule always names a waiting node'],
  ['dag/compile.ts', 77, 77, 'equivalent: a break at the position of a copy\'s maker is never consulted (breaks are looked up only for a state that continues a copy)'],
  ['dag/compile.ts', 79, 79, 'equivalent: a break already made splits its copy, so the same break cannot be chosen again'],
  ['dag/compile.ts', 100, 100, 'equivalent: for k = 0 the previous position is undefined, and undefined + 1 equals no position'],
  ['dag/compile.ts', 116, 116, 'equivalent: the groups are replaced by groupsOf before they are read'],
  ['dag/compile.ts', 144, 150, 'equivalent: every node\'s claims are replaced by its kind\'s estimate'],
  ['dag/compile.ts', 171, 171, 'equivalent: every tile copy has a reader (the `?? []`)'],
  ['dag/compile.ts', 191, 191, 'equivalent: a compiled rollout has a state, a county and a tile'],
  ['dag/compile.ts', 224, 224, 'equivalent: every node\'s claims are replaced by its kind\'s estimate'],
  ['dag/compile.ts', 252, 252, 'left: a middle latitude off by half the state\'s height changes the sweep axis only for a state almost as tall as wide'],
  ['dag/compile.ts', 255, 255, 'equivalent: a state exactly as wide as tall in kilometres does not occur'],
  // geo (the forced full run of 2026-11-29, second session)
  ['geo/geography.ts', 69, 69, 'left: no test makes us-atlas fail to load'],
  ['geo/geography.ts', 89, 89, 'equivalent: every us-atlas county is a polygon or a multipolygon'],
  ['geo/geography.ts', 113, 113, 'left: tested since (state " 99 "), not rerun'],
  ['geo/geography.ts', 142, 142, 'equivalent: the `?? []` is for a state without counties, and every state has some'],
  ['geo/geography.ts', 151, 151, 'equivalent: every state of the table has an outline in us-atlas (the states test checks the table against it)'],
  ['geo/geography.ts', 165, 168, 'left: tested since (counties 11999 and 99001), not rerun'],
  ['geo/geography.ts', 187, 187, 'equivalent: no longitude is exactly 0 in a county of the rollout'],
  ['geo/geography.ts', 194, 194, 'equivalent for `>=` (no box exactly 180° wide, no longitude exactly 180°) and for always shifting (us-atlas longitudes are exact after +360 -360); `if (false)` fails grid-rules.test.ts when planted by hand, see the note on per-test coverage; `wShifted + 360` would need a county whose west edge lies past 180°'],
  ['geo/tile-cover.ts', 63, 63, 'equivalent: no outline point lies exactly on the equator'],
  ['geo/tile-cover.ts', 67, 67, 'left: no zero-area outline lies where a square outside its zone reaches'],
  ['geo/tile-cover.ts', 86, 96, 'equivalent: a square edge exactly on the central meridian or a longitude exactly on the zone edge gives the same answer either way; eastings are multiples of 100 km, so `nearX` is never undefined'],
  ['geo/tile-cover.ts', 104, 144, 'equivalent: unwrapping longitudes by 360° is undone by the strip shift, more strips or hemispheres only add pieces of zero area that are dropped, and clipping a whole piece changes nothing; these lines only save work'],
  ['geo/tile-cover.ts', 158, 158, 'equivalent: an overlap of exactly 1 m² does not occur'],
  ['geo/mgrs.ts', 29, 29, 'equivalent: (lon - 180) and (lon + 180) are the same modulo 360'],
  ['geo/mgrs.ts', 40, 40, 'killed when planted by hand (grid-rules.test.ts fails); see the note on per-test coverage'],
  ['geo/polygon-clip.ts', 36, 45, 'equivalent: a vertex exactly on the box edge is kept, or replaced by the same crossing point, so the area is the same'],
  ['geo/polygon-clip.ts', 50, 70, 'equivalent: splitting where no edge runs along the line, or at edges of zero length, changes no area'],
  ['geo/polygon-clip.ts', 78, 86, 'equivalent: a closed ring\'s repeated first vertex, kept or dropped, adds an edge of zero length'],
  ['geo/spherical-area.ts', 33, 35, 'equivalent: no edge spans exactly 180° of longitude, and the ring area is taken absolute, so its sign does not matter'],
  ['geo/states.ts', 26, 27, 'left: the territories\' names are checked against us-atlas, which writes Northern Mariana Islands and U.S. Virgin Islands in full'],
  ['geo/states.ts', 31, 41, 'left: the lookups by FIPS and postal code are tested; these arrow functions and anchors survive only by the per-test coverage of module-level code'],
  ['geo/tile-grid.ts', 20, 30, 'equivalent: the band of a square\'s centre, moved half a square or clamped at the equator, is the same band for every square of the grid'],
  ['geo/tile-grid.ts', 36, 55, 'left: the cache, the malformed-id guard and the row search of footprintOfTile give the same footprints for every id the tests use'],
  ['geo/transverse-mercator.ts', 20, 35, 'equivalent: an n⁵ or n⁶ term of the series moves a coordinate by less than the 0.02 µm the tests hold it to against PROJ (n ≈ 0.0017)'],
  ['geo/transverse-mercator.ts', 66, 72, 'equivalent: the sixth term of the series (j = 6) moves a coordinate by under a nanometre'],
  ['geo/transverse-mercator.ts', 80, 86, 'equivalent: the sixth term of the series (j = 6) moves a coordinate by under a nanometre'],
  ['geo/transverse-mercator.ts', 88, 90, 'equivalent: a longitude of exactly ±180° (the same meridian either way) never comes out of the series'],
  ['geo/transverse-mercator.ts', 92, 104, 'equivalent: Newton\'s iteration for the latitude converges in 2-3 steps to full precision; more steps, a slightly wrong derivative or a later stop give the same double'],
];

/**
 * The reasons docs/testing.md already gives, row by row (`where` and `mutant` as printed): a
 * mutant at the same place, with the same replacement, keeps the reason written for it when the
 * report is listed again. Reasons for the plan and db parts were written there by hand.
 */
function reasonsInDocs(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync('docs/testing.md', 'utf8').split('\n')) {
    const cells = /^\| ([a-z-]+\/[^ |]+:\d+:\d+|secrets\.ts:\d+:\d+) \| (.+) \| ([^|]+) \|$/.exec(line);
    if (cells && !cells[3]!.startsWith('left: not yet looked at')) rows.set(`${cells[1]} | ${cells[2]}`, cells[3]!);
  }
  return rows;
}
const documented = reasonsInDocs();

function reasonFor(file: string, line: number, row: string): string {
  const found = REASONS.find(([f, from, to]) => file.endsWith(f) && line >= from && line <= to);
  return found ? found[3] : documented.get(row) ?? 'left: not yet looked at';
}

/** The part of the scope a source file belongs to (stryker.config.mjs). */
function partOf(file: string): string {
  return file === 'src/secrets.ts' ? 'plan' : file.split('/')[1]!;
}

function printScores(report: { files: Record<string, { mutants: Mutant[] }> }): void {
  const rows = new Map<string, Record<string, number>>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const name of [partOf(file), 'whole scope']) {
      const row = rows.get(name) ?? {};
      rows.set(name, row);
      for (const m of mutants) row[m.status] = (row[m.status] ?? 0) + 1;
    }
  }
  // Ignored: the static mutants of a run with STRYKER_IGNORE_STATIC=1, and the node kinds' runners
  // (Stryker disable comments); they count neither way.
  console.log('| part | mutants | killed | timed out | survived | no coverage | score | ignored |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const name of ['plan', 'dag', 'geo', 'db', 'whole scope']) {
    const c = rows.get(name);
    if (!c) continue;
    const [killed, timeout, survived, none] = [c.Killed ?? 0, c.Timeout ?? 0, c.Survived ?? 0, c.NoCoverage ?? 0];
    const valid = killed + timeout + survived + none;
    console.log(`| ${name} | ${valid} | ${killed} | ${timeout} | ${survived} | ${none} | ${((100 * (killed + timeout)) / valid).toFixed(1)} % | ${c.Ignored ?? 0} |`);
  }
}

const part = process.argv[2];
if (part === 'scores') {
  printScores(JSON.parse(readFileSync(process.argv[3] ?? 'reports/mutation/all.json', 'utf8')));
  process.exit(0);
}
if (!part) {
  console.error('usage: node --import tsx scripts/mutation-survivors.ts PART|all [REPORT.json] [FILE-FILTER], or scores [REPORT.json]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(process.argv[3] ?? `reports/mutation/${part}.json`, 'utf8')) as { files: Record<string, { mutants: Mutant[] }> };
const only = process.argv[4];
console.log('| where | mutant | why |');
console.log('| --- | --- | --- |');
for (const [file, { mutants }] of Object.entries(report.files)) {
  if (only && !file.includes(only)) continue;
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const where = `${file.replace(/^src\//, '')}:${m.location.start.line}:${m.location.start.column}`;
    const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').replaceAll('|', '\\|').slice(0, 60);
    const status = m.status === 'NoCoverage' ? ' (no test runs it)' : '';
    const row = `${where} | ${m.mutatorName} \`${replacement}\`${status}`;
    console.log(`| ${row} | ${reasonFor(file, m.location.start.line, row)} |`);
  }
}

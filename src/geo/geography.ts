/**
 * The geography API the rest of the project calls: states, counties (Census boundaries from
 * the npm package us-atlas, counties-10m.json, id = 5-digit FIPS) and the Sentinel-2 tiles
 * each county needs. `loadGeography()` reads the atlas once; every method of the returned
 * object is synchronous and does no I/O, so the DAG compiler can call it freely.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Geometry as GeoJsonGeometry, MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { BiomassError } from '../biomass-error.js';
import { nearest } from '../nearest.js';
import type { Footprint } from './mgrs.js';
import { sphericalAreaKm2 } from './spherical-area.js';
import { findState, US_STATES, type UsState } from './states.js';
import { tileCover, type TileCover } from './tile-cover.js';
import { footprintOfTile } from './tile-grid.js';

export type { UsState } from './states.js';
export type { Footprint } from './mgrs.js';
export type { TileCover, TileOverlap } from './tile-cover.js';

/** A county (or county equivalent) as the Census draws it. */
export interface County {
  /** 5-digit FIPS code, e.g. "17113". */
  fips: string;
  /** e.g. "McLean". */
  name: string;
  /** 2-digit state FIPS code, e.g. "17". */
  stateFips: string;
  /** Area on the sphere, km² (within ~0.3 % of the ellipsoidal area). */
  areaKm2: number;
  /**
   * [west, south, east, north] in degrees. For a county across the antimeridian (Aleutians
   * West, 02016) west > east, as RFC 7946 §5.2 writes such boxes.
   */
  bbox: [number, number, number, number];
}

export interface Geography {
  /** A state by FIPS ("17") or postal code ("IL"); throws BiomassError UNKNOWN_STATE with the nearest codes. */
  state(code: string): UsState;
  /** The counties of a state (FIPS or postal code), ordered by FIPS. */
  countiesOf(stateFips: string): County[];
  /** A county by 5-digit FIPS; throws BiomassError UNKNOWN_COUNTY with the nearest codes. */
  county(fips: string): County;
  /** Sorted MGRS tile ids (e.g. "16TCK") whose footprints overlap the county. Memoized. */
  tilesOfCounty(fips: string): string[];
  /** The tiles of a county with the overlap area of each and the county's UTM area. Memoized. */
  coverOfCounty(fips: string): TileCover;
  /** A tile's footprint in its zone's UTM projection, metres. Throws BiomassError UNKNOWN_TILE. */
  tileFootprint(tileId: string): Footprint;
  /** The county's boundary, lon/lat GeoJSON (Census 2017, 1:10M). */
  countyGeometry(fips: string): Polygon | MultiPolygon;
  /** The state's boundary, lon/lat GeoJSON (1:10M generalized), for maps. */
  stateOutline(stateFips: string): GeoJsonGeometry;
}

interface CountyRecord {
  county: County;
  geometry: Polygon | MultiPolygon;
}

let loading: Promise<Geography> | undefined;

/** Loads us-atlas once (about 0.3 s); later calls return the same object. */
export function loadGeography(): Promise<Geography> {
  loading ??= buildGeography().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function readAtlas(file: string): Promise<Topology> {
  const path = createRequire(import.meta.url).resolve(`us-atlas/${file}`);
  return JSON.parse(await readFile(path, 'utf8')) as Topology;
}

async function buildGeography(): Promise<Geography> {
  const [countiesTopo, statesTopo] = await Promise.all([readAtlas('counties-10m.json'), readAtlas('states-10m.json')]);
  const records = new Map<string, CountyRecord>();
  const byState = new Map<string, County[]>();
  const countyFeatures = feature(countiesTopo, countiesTopo.objects['counties'] as GeometryCollection);
  for (const f of countyFeatures.features) {
    const fips = String(f.id);
    const geometry = f.geometry;
    if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') continue;
    const props = (f.properties ?? {}) as { name?: string };
    const county: County = {
      fips, name: props.name ?? fips, stateFips: fips.slice(0, 2),
      areaKm2: sphericalAreaKm2(geometry), bbox: boundsOf(geometry),
    };
    records.set(fips, { county, geometry });
    const list = byState.get(county.stateFips) ?? [];
    list.push(county);
    byState.set(county.stateFips, list);
  }
  for (const list of byState.values()) list.sort((a, b) => a.fips.localeCompare(b.fips));

  const outlines = new Map<string, GeoJsonGeometry>();
  const stateFeatures = feature(statesTopo, statesTopo.objects['states'] as GeometryCollection);
  for (const f of stateFeatures.features) outlines.set(String(f.id), f.geometry);

  const covers = new Map<string, TileCover>();

  const state = (code: string): UsState => {
    const found = findState(code);
    if (found) return found;
    // Digits are compared with FIPS codes, letters with postal codes: "IK" is one typo from
    // five postal codes and they should all be offered.
    const digits = /^\d+$/.test(code.trim());
    const candidates = US_STATES.map((s) => (digits ? s.fips : s.postal));
    const near = nearest(code.trim(), candidates, 5);
    throw new BiomassError('UNKNOWN_STATE', `unknown state "${code}"`, {
      hint: near.length > 0
        ? `did you mean ${near.map((c) => describeState(findState(c)!)).join(' or ')}?`
        : 'use a 2-digit state FIPS code (17) or a postal code (IL)',
      exitCode: 2,
    });
  };

  const record = (fips: string): CountyRecord => {
    const found = records.get(fips.trim());
    if (found) return found;
    throw unknownCounty(fips.trim(), records, byState);
  };

  const coverOfCounty = (fips: string): TileCover => {
    const { county, geometry } = record(fips);
    let cover = covers.get(county.fips);
    if (!cover) {
      cover = tileCover(geometry);
      covers.set(county.fips, cover);
    }
    return cover;
  };

  return {
    state,
    countiesOf: (stateFips) => [...(byState.get(state(stateFips).fips) ?? [])],
    county: (fips) => record(fips).county,
    tilesOfCounty: (fips) => coverOfCounty(fips).tiles.map((t) => t.tileId),
    coverOfCounty,
    tileFootprint: (tileId) => footprintOfTile(tileId),
    countyGeometry: (fips) => record(fips).geometry,
    stateOutline: (stateFips) => {
      const s = state(stateFips);
      const outline = outlines.get(s.fips);
      if (!outline) throw new BiomassError('NO_OUTLINE', `us-atlas has no outline for ${describeState(s)}`);
      return outline;
    },
  };
}

function describeState(s: UsState): string {
  return `${s.fips} (${s.postal}, ${s.name})`;
}

function unknownCounty(code: string, records: Map<string, CountyRecord>, byState: Map<string, County[]>): BiomassError {
  // Suggest within the state the code names when it names one: a typo is likelier in the
  // county digits than in the state digits.
  const sameState = byState.get(code.slice(0, 2));
  const pool = sameState ? sameState.map((c) => c.fips) : [...records.keys()];
  let near = nearest(code, pool, 3);
  if (near.length === 0 && sameState && /^\d{5}$/.test(code)) {
    near = [...pool].sort((a, b) => Math.abs(Number(a) - Number(code)) - Math.abs(Number(b) - Number(code))).slice(0, 3);
  }
  const named = near.map((f) => `${f} (${records.get(f)!.county.name})`);
  return new BiomassError('UNKNOWN_COUNTY', `unknown county FIPS code "${code}"`, {
    hint: named.length > 0 ? `did you mean ${named.join(' or ')}?` : 'a county FIPS code has 5 digits: state (2) + county (3), e.g. 17113',
    exitCode: 2,
  });
}

/** Lon/lat bounds; across the antimeridian the box that is narrower when wrapped (west > east). */
export function boundsOf(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  const polygons: Position[][][] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let w = Infinity, e = -Infinity, s = Infinity, n = -Infinity;
  let wShifted = Infinity, eShifted = -Infinity;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (const [lon, lat] of ring) {
        w = Math.min(w, lon!); e = Math.max(e, lon!);
        s = Math.min(s, lat!); n = Math.max(n, lat!);
        const shifted = lon! < 0 ? lon! + 360 : lon!;
        wShifted = Math.min(wShifted, shifted); eShifted = Math.max(eShifted, shifted);
      }
    }
  }
  // Wider than half the globe is the long way round a county across the antimeridian: the
  // box of the shifted longitudes is the narrow one.
  if (e - w > 180) return [wShifted > 180 ? wShifted - 360 : wShifted, s, eShifted > 180 ? eShifted - 360 : eShifted, n];
  return [w, s, e, n];
}

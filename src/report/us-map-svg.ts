/**
 * A US map as inline SVG from lon/lat state outlines: Albers equal-area for the lower 48,
 * Alaska and Hawaii in their own Albers projections, each fitted into an inset box (the
 * layout of d3's geoAlbersUsa, without the dependency). Pure.
 */
import type { Geometry, Position } from 'geojson';

export interface MapShape {
  fips: string;
  geometry: Geometry;
  /** Fill colour; undefined draws the state as context (not in the plan). */
  fill?: string;
  title: string;
}

interface Albers {
  lon0: number;
  lat0: number;
  lat1: number;
  lat2: number;
}

const CONUS: Albers = { lon0: -96, lat0: 37.5, lat1: 29.5, lat2: 45.5 };
const ALASKA: Albers = { lon0: -154, lat0: 50, lat1: 55, lat2: 65 };
const HAWAII: Albers = { lon0: -157, lat0: 3, lat1: 8, lat2: 18 };

const WIDTH = 960;
const HEIGHT = 600;
/** [x, y, width, height] of each region's box in the SVG. */
const BOXES: Record<'conus' | 'alaska' | 'hawaii', [number, number, number, number]> = {
  conus: [10, 10, 940, 560],
  alaska: [10, 430, 230, 160],
  hawaii: [250, 500, 140, 90],
};

export function usMapSvg(shapes: MapShape[], options: { id: string; label: string }): string {
  const regionOf = (fips: string) => (fips === '02' ? 'alaska' : fips === '15' ? 'hawaii' : 'conus');
  const projected = shapes.map((shape) => {
    const region = regionOf(shape.fips);
    const projection = region === 'alaska' ? ALASKA : region === 'hawaii' ? HAWAII : CONUS;
    return { shape, region, rings: ringsOf(shape.geometry).map((ring) => ring.map(([lon, lat]) => albers(projection, lon!, lat!))) };
  });
  const fits = new Map<string, (p: [number, number]) => [number, number]>();
  for (const region of ['conus', 'alaska', 'hawaii'] as const) {
    const points = projected.filter((p) => p.region === region).flatMap((p) => p.rings.flat());
    if (points.length > 0) fits.set(region, fitTo(points, BOXES[region]));
  }
  const paths = projected.map(({ shape, region, rings }) => {
    const fit = fits.get(region)!;
    const d = rings.map((ring) => pathOf(ring.map(fit))).join('');
    const cls = shape.fill ? 'state' : 'other';
    const fill = shape.fill ?? '#e8e8e8';
    return `<path class="${cls}" data-fips="${shape.fips}" d="${d}" fill="${fill}"><title>${escapeXml(shape.title)}</title></path>`;
  });
  return `<svg class="map" id="${options.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(options.label)}" xmlns="http://www.w3.org/2000/svg">${paths.join('')}</svg>`;
}

function ringsOf(geometry: Geometry): Position[][] {
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(ringsOf);
  return [];
}

function albers(p: Albers, lon: number, lat: number): [number, number] {
  const rad = Math.PI / 180;
  const n = (Math.sin(p.lat1 * rad) + Math.sin(p.lat2 * rad)) / 2;
  const c = Math.cos(p.lat1 * rad) ** 2 + 2 * n * Math.sin(p.lat1 * rad);
  const rho0 = Math.sqrt(c - 2 * n * Math.sin(p.lat0 * rad)) / n;
  const rho = Math.sqrt(c - 2 * n * Math.sin(lat * rad)) / n;
  const dLon = ((((lon - p.lon0 + 180) % 360) + 360) % 360) - 180; // across the antimeridian (Aleutians)
  const theta = n * dLon * rad;
  return [rho * Math.sin(theta), -(rho0 - rho * Math.cos(theta))];
}

/** Scales points uniformly into a box, centred. */
function fitTo(points: Array<[number, number]>, [bx, by, bw, bh]: [number, number, number, number]): (p: [number, number]) => [number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const scale = Math.min(bw / (maxX - minX || 1), bh / (maxY - minY || 1));
  const ox = bx + (bw - (maxX - minX) * scale) / 2;
  const oy = by + (bh - (maxY - minY) * scale) / 2;
  return ([x, y]) => [ox + (x - minX) * scale, oy + (y - minY) * scale];
}

/** An SVG path of one ring, dropping points less than half a pixel from the last one kept. */
function pathOf(ring: Array<[number, number]>): string {
  let d = '';
  let last: [number, number] | undefined;
  for (const point of ring) {
    if (last && Math.abs(point[0] - last[0]) < 0.5 && Math.abs(point[1] - last[1]) < 0.5) continue;
    d += `${last ? 'L' : 'M'}${point[0].toFixed(1)},${point[1].toFixed(1)}`;
    last = point;
  }
  return d ? `${d}Z` : '';
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

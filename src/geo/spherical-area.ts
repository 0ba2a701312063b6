/**
 * Area of a lon/lat polygon on a sphere of the Earth's authalic radius, without projecting:
 * cheap enough to compute for every county at load time. Within ~0.3 % of the ellipsoidal
 * area, which is plenty for ordering and estimates; intersections use UTM (tile-cover.ts).
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Radius of the sphere with the WGS 84 ellipsoid's surface area, km. */
const AUTHALIC_RADIUS_KM = 6371.0072;
const RAD = Math.PI / 180;

/** Area in km² of a (multi)polygon; holes are subtracted whatever the ring orientation. */
export function sphericalAreaKm2(geometry: Polygon | MultiPolygon): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let total = 0;
  for (const rings of polygons) {
    rings.forEach((ring, i) => {
      const area = Math.abs(ringArea(ring));
      total += i === 0 ? area : -area;
    });
  }
  return total;
}

/** Signed ring area (Chamberlain & Duquette 2007, "Some algorithms for polygons on a sphere"). */
function ringArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [lon1, lat1] = ring[i]!;
    const [lon2, lat2] = ring[i + 1]!;
    let dLon = (lon2! - lon1!) * RAD;
    // An edge over the antimeridian goes the short way round.
    if (dLon > Math.PI) dLon -= 2 * Math.PI;
    if (dLon < -Math.PI) dLon += 2 * Math.PI;
    sum += dLon * (2 + Math.sin(lat1! * RAD) + Math.sin(lat2! * RAD));
  }
  return (sum * AUTHALIC_RADIUS_KM * AUTHALIC_RADIUS_KM) / 2;
}

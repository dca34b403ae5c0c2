import type { GeoPoint } from '../events/geo.js'

/**
 * A point on the city's local plane, in km east (`x`) and north (`y`) of the city centre. The simulator moves cars
 * on this plane because it is cheap and exact enough: over a 30 km city an equirectangular projection is off by
 * well under 0.5 %, far below GPS noise.
 */
export interface PlanePoint {
  x: number
  y: number
}

const KM_PER_DEG_LAT = 110.574
const KM_PER_DEG_LON_AT_EQUATOR = 111.32

/**
 * Projection between the local plane and WGS84 around one origin.
 *
 * @example
 * const plane = createPlane({ lat: 52.52, lon: 13.4 })
 * plane.toGeo({ x: 1, y: 0 }) // ≈ { lat: 52.52, lon: 13.4147 }
 */
export interface Plane {
  readonly origin: GeoPoint
  toGeo(p: PlanePoint): GeoPoint
  toPlane(g: GeoPoint): PlanePoint
}

export function createPlane(origin: GeoPoint): Plane {
  const kmPerDegLon = KM_PER_DEG_LON_AT_EQUATOR * Math.cos((origin.lat * Math.PI) / 180)
  return {
    origin,
    toGeo: (p) => ({ lat: origin.lat + p.y / KM_PER_DEG_LAT, lon: origin.lon + p.x / kmPerDegLon }),
    toPlane: (g) => ({ x: (g.lon - origin.lon) * kmPerDegLon, y: (g.lat - origin.lat) * KM_PER_DEG_LAT }),
  }
}

export function distanceKm(a: PlanePoint, b: PlanePoint): number {
  return Math.hypot(b.x - a.x, b.y - a.y)
}

/** Compass bearing from `a` to `b` in degrees, 0 = north, clockwise, in [0, 360). */
export function bearingDeg(a: PlanePoint, b: PlanePoint): number {
  const deg = (Math.atan2(b.x - a.x, b.y - a.y) * 180) / Math.PI
  return deg < 0 ? deg + 360 : deg
}

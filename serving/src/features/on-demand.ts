import { CITY_CENTRE, CITY_ZONES, cityTime } from '@freshet/pipelines'

/** A point on the map (WGS84 degrees). */
export interface LatLon {
  lat: number
  lon: number
}

/**
 * One driving leg the ETA model scores: the pickup leg (the car's last known position → pickup) or the trip leg
 * (pickup → dropoff), at the time it starts.
 */
export interface LegInput {
  origin: LatLon
  destination: LatLon
  /** Epoch ms. */
  at: number
  isPickupLeg: boolean
}

/**
 * Names in model input order of the on-demand part: computed from the request alone, never stored. Training
 * computes its columns with this same module (through `onDemandFeatures`), so serving and training cannot drift.
 * Origin and destination coordinates are here because the city's speed depends on where a leg runs (zones have
 * their own free-flow speeds and rush hours) and the destination zone has no online feature of its own.
 */
export const ON_DEMAND_FEATURES: readonly string[] = Object.freeze([
  'leg_distance_km',
  'origin_lat',
  'origin_lon',
  'destination_lat',
  'destination_lon',
  'hour_of_day',
  'day_of_week',
  'is_pickup_leg',
])

/**
 * Minutes east of UTC of the city clock. The simulated city keeps UTC (the simulator's default `utcOffsetMin`),
 * so its rush hours line up with hour-of-day computed here.
 */
export const CITY_UTC_OFFSET_MIN = 0

const EARTH_RADIUS_KM = 6371.0088

/**
 * Great-circle distance in km (haversine).
 *
 * @example
 * haversineKm({ lat: 52.52, lon: 13.4 }, { lat: 52.53, lon: 13.4 }) // ≈ 1.112
 */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/**
 * The on-demand features of one leg, keyed by the names in {@link ON_DEMAND_FEATURES} (every name present,
 * every value finite). Throws a `RangeError` on a non-finite coordinate or time: a leg without a place or a time
 * cannot be scored, and NaN must never reach the model.
 *
 * @example
 * onDemandFeatures({ origin: { lat: 52.52, lon: 13.4 }, destination: { lat: 52.5345, lon: 13.3616 },
 *   at: Date.UTC(2025, 0, 6, 8, 30), isPickupLeg: false })
 * // { leg_distance_km: 3.02…, origin_lat: 52.52, …, hour_of_day: 8.5, day_of_week: 1, is_pickup_leg: 0 }
 */
export function onDemandFeatures(leg: LegInput): Record<string, number> {
  const { origin, destination, at } = leg
  for (const [name, value] of [
    ['origin.lat', origin.lat],
    ['origin.lon', origin.lon],
    ['destination.lat', destination.lat],
    ['destination.lon', destination.lon],
    ['at', at],
  ] as const) {
    if (!Number.isFinite(value)) throw new RangeError(`leg ${name} must be a finite number, got ${value}`)
  }
  const time = cityTime(at, CITY_UTC_OFFSET_MIN)
  return {
    leg_distance_km: haversineKm(origin, destination),
    origin_lat: origin.lat,
    origin_lon: origin.lon,
    destination_lat: destination.lat,
    destination_lon: destination.lon,
    hour_of_day: time.hour,
    day_of_week: time.weekday,
    is_pickup_leg: leg.isPickupLeg ? 1 : 0,
  }
}

// The simulator's local plane (pipelines/src/simulator/plane.ts): the same projection and the same nearest-zone
// rule as a car's onboard geofence, so `zoneOf(position)` is the `zoneId` the car itself reports there, and
// zone features are looked up under the key they were computed for.
const KM_PER_DEG_LAT = 110.574
const KM_PER_DEG_LON = 111.32 * Math.cos((CITY_CENTRE.lat * Math.PI) / 180)
const ZONES = CITY_ZONES.map((z) => ({
  id: z.id,
  x: (z.centre.lon - CITY_CENTRE.lon) * KM_PER_DEG_LON,
  y: (z.centre.lat - CITY_CENTRE.lat) * KM_PER_DEG_LAT,
  radiusKm: z.radiusKm,
}))

/**
 * How far beyond the edge of every zone a point still counts as in the city (on the arterial roads between
 * zones, where cars report the nearest zone). Farther out there is no zone whose traffic describes the point.
 */
export const CITY_MARGIN_KM = 5

/**
 * The city zone containing a point, as a car's geofence reports it: the zone it is in (the relatively deepest
 * one where zones overlap), else the nearest relative to zone size; `undefined` when the point is more than
 * {@link CITY_MARGIN_KM} beyond every zone's edge, or not a finite coordinate.
 *
 * @example
 * zoneOf({ lat: 52.52, lon: 13.4 })  // 'z-downtown'
 * zoneOf({ lat: 48.14, lon: 11.58 }) // undefined (another city)
 */
export function zoneOf(point: LatLon): string | undefined {
  if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon)) return undefined
  const x = (point.lon - CITY_CENTRE.lon) * KM_PER_DEG_LON
  const y = (point.lat - CITY_CENTRE.lat) * KM_PER_DEG_LAT
  let best: string | undefined
  let bestRel = Number.POSITIVE_INFINITY
  let nearestEdgeKm = Number.POSITIVE_INFINITY
  for (const z of ZONES) {
    const d = Math.hypot(x - z.x, y - z.y)
    const rel = d / z.radiusKm
    if (rel < bestRel) {
      bestRel = rel
      best = z.id
    }
    nearestEdgeKm = Math.min(nearestEdgeKm, d - z.radiusKm)
  }
  return nearestEdgeKm <= CITY_MARGIN_KM ? best : undefined
}

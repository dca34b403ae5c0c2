import type { GeoPoint } from '../events/geo.js'
import type { CongestionProfile } from './congestion.js'
import { createPlane, type Plane, type PlanePoint } from './plane.js'

/** What a zone is used for; decides when people want rides from and to it (see `demand.ts`). */
export type ZoneKind =
  | 'core'
  | 'business'
  | 'nightlife'
  | 'university'
  | 'industrial'
  | 'airport'
  | 'residential'
  | 'leisure'

/** A named district of the simulated city. */
export interface CityZone {
  readonly id: string
  readonly name: string
  readonly kind: ZoneKind
  readonly centre: GeoPoint
  readonly radiusKm: number
  /** Relative share of ride requests that start here (before the hour-of-day profile). */
  readonly demandWeight: number
  /** Typical driving speed on empty roads. */
  readonly freeFlowKmh: number
  readonly congestion: CongestionProfile
  /** Traffic lights and junctions a car stops at per km; dense centres stop cars far more often. */
  readonly stopsPerKm: number
  /** Whether the fleet's charging depot for this part of town sits at the zone centre. */
  readonly depot: boolean
}

/** The made-up city's centre; every zone is laid out around it. */
export const CITY_CENTRE: GeoPoint = { lat: 52.52, lon: 13.4 }

/**
 * The roads between zones: faster than any centre, still jammed at rush hour. Not a zone (no id); a car outside
 * every zone radius drives at this speed and reports the nearest zone.
 */
export const ARTERIAL_ROADS = {
  freeFlowKmh: 60,
  congestion: { amPeak: 0.9, pmPeak: 1.1, midday: 0.25, weekend: 0.3, evening: 0.1 },
  stopsPerKm: 0.4,
} as const satisfies Pick<CityZone, 'freeFlowKmh' | 'congestion' | 'stopsPerKm'>

/**
 * The default city: ten zones within about 12 km of {@link CITY_CENTRE}. Downtown and the financial district jam
 * hardest at rush hour; the airport is reached over fast roads; suburbs are quiet except in the morning.
 *
 * @example
 * const downtown = CITY_ZONES.find((z) => z.id === 'z-downtown')
 */
export const CITY_ZONES: readonly CityZone[] = [
  zone('z-downtown', 'Downtown', 'core', [52.52, 13.4], 2.0, 3.0, 36, [1.5, 1.9, 0.6, 0.7, 0.4], 1.6),
  zone(
    'z-old-town',
    'Old Town',
    'nightlife',
    [52.5345, 13.3616],
    1.4,
    1.6,
    30,
    [0.9, 1.2, 0.5, 0.6, 1.0],
    1.8,
  ),
  zone(
    'z-financial',
    'Financial District',
    'business',
    [52.5091, 13.4354],
    1.3,
    1.8,
    40,
    [1.7, 1.6, 0.4, 0.15, 0],
    1.2,
  ),
  zone(
    'z-university',
    'University',
    'university',
    [52.4947, 13.3469],
    1.6,
    1.2,
    42,
    [0.9, 0.7, 0.4, 0.2, 0.3],
    1.0,
  ),
  zone(
    'z-docks',
    'Docks',
    'industrial',
    [52.5507, 13.4768],
    2.0,
    0.7,
    50,
    [0.6, 0.6, 0.3, 0.1, 0],
    0.5,
    true,
  ),
  zone('z-airport', 'Airport', 'airport', [52.5815, 13.2598], 2.2, 1.1, 70, [0.5, 0.6, 0.2, 0.3, 0.1], 0.15),
  zone(
    'z-suburb-north',
    'North Suburbs',
    'residential',
    [52.5942, 13.4089],
    3.0,
    1.0,
    50,
    [0.8, 0.6, 0.1, 0.15, 0],
    0.6,
    true,
  ),
  zone(
    'z-suburb-south',
    'South Suburbs',
    'residential',
    [52.444, 13.4177],
    3.0,
    1.0,
    50,
    [0.8, 0.6, 0.1, 0.15, 0],
    0.6,
    true,
  ),
  zone(
    'z-east-end',
    'East End',
    'residential',
    [52.4911, 13.5152],
    2.2,
    0.8,
    46,
    [0.7, 0.7, 0.2, 0.2, 0.2],
    0.8,
  ),
  zone(
    'z-west-park',
    'West Park',
    'leisure',
    [52.5128, 13.2996],
    2.0,
    0.6,
    48,
    [0.4, 0.5, 0.2, 0.5, 0.1],
    0.5,
  ),
]

function zone(
  id: string,
  name: string,
  kind: ZoneKind,
  [lat, lon]: [number, number],
  radiusKm: number,
  demandWeight: number,
  freeFlowKmh: number,
  [amPeak, pmPeak, midday, weekend, evening]: [number, number, number, number, number],
  stopsPerKm: number,
  depot = false,
): CityZone {
  return {
    id,
    name,
    kind,
    centre: { lat, lon },
    radiusKm,
    demandWeight,
    freeFlowKmh,
    congestion: { amPeak, pmPeak, midday, weekend, evening },
    stopsPerKm,
    depot,
  }
}

/** The city as the simulation uses it: zones on the local plane, with a fast point-to-zone lookup. */
export interface City {
  readonly zones: readonly CityZone[]
  readonly plane: Plane
  /** Zone centres on the plane, same order as `zones`. */
  readonly centres: readonly PlanePoint[]
  /** Charging depots on the plane. */
  readonly depots: readonly PlanePoint[]
  /**
   * Index of the zone a point belongs to: the containing zone (the one whose edge is relatively farthest, where
   * zones overlap), else the nearest relative to zone size. `inside` is false on the arterial roads between zones.
   */
  locate(p: PlanePoint): { index: number; inside: boolean }
}

/**
 * Builds the city geometry. Zone ids must be unique and there must be at least one depot.
 *
 * @example
 * const city = createCity()
 * city.zones[city.locate({ x: 0, y: 0 }).index]?.id // 'z-downtown'
 */
export function createCity(zones: readonly CityZone[] = CITY_ZONES, centre: GeoPoint = CITY_CENTRE): City {
  const plane = createPlane(centre)
  const centres = zones.map((z) => plane.toPlane(z.centre))
  const depots = centres.filter((_, i) => zones[i]?.depot === true)
  const radii = zones.map((z) => z.radiusKm)
  return {
    zones,
    plane,
    centres,
    depots,
    locate(p) {
      let best = 0
      let bestRel = Number.POSITIVE_INFINITY
      for (let i = 0; i < centres.length; i++) {
        const c = centres[i]!
        const rel = Math.hypot(p.x - c.x, p.y - c.y) / radii[i]!
        if (rel < bestRel) {
          bestRel = rel
          best = i
        }
      }
      return { index: best, inside: bestRel <= 1 }
    },
  }
}

import type { Car } from './car.js'
import type { City } from './city.js'
import type { Demand } from './demand.js'
import { distanceKm, type PlanePoint } from './plane.js'
import type { Rng } from './random.js'

export interface FleetOptions {
  cars: number
  startMs: number
  telemetryIntervalMs: number
}

/**
 * The fleet at the start of a run: cars parked across the city where demand is (by zone weight), with batteries
 * anywhere from nearly empty to full and odometers of cars a few years in service.
 *
 * @example
 * const cars = createFleet(city, demand, rng, { cars: 50, startMs, telemetryIntervalMs: 1000 })
 */
export function createFleet(city: City, demand: Demand, rng: Rng, options: FleetOptions): Car[] {
  const weights = city.zones.map((z) => z.demandWeight)
  const cars: Car[] = []
  for (let i = 0; i < options.cars; i++) {
    const zone = Math.max(0, rng.weighted(weights))
    cars.push({
      id: `car-${String(i + 1).padStart(4, '0')}`,
      index: i,
      speedBias: Math.exp(0.05 * rng.normal()),
      pos: demand.pointIn(zone, rng),
      headingDeg: rng.between(0, 360),
      speedKmh: 0,
      // One car in ten starts low, so charging shows up from the first minutes of a run.
      batteryPct: rng.chance(0.1) ? rng.between(12, 25) : rng.between(35, 100),
      odometerKm: rng.between(2_000, 80_000),
      task: 'parked',
      route: [],
      routeIndex: 0,
      routeTailKm: [],
      routeLuck: 1,
      lastMs: options.startMs,
      // Spread first samples over one period so the fleet does not report in lockstep.
      nextSampleMs: options.startMs + rng.int(0, options.telemetryIntervalMs - 1),
      holdUntilMs: options.startMs,
      speedNoise: 0,
      kmSinceDecision: 0,
      zoneIndex: zone,
      chargeTargetPct: 90,
    })
  }
  return cars
}

/** The charging depot closest to `p`. */
export function nearestDepot(city: City, p: PlanePoint): PlanePoint {
  let best = city.depots[0]!
  for (const depot of city.depots) if (distanceKm(p, depot) < distanceKm(p, best)) best = depot
  return best
}

/**
 * Where an idle car repositions to: a point in a zone chosen by current request rate, discounted by distance so
 * cars mostly drift to busy nearby zones instead of crossing the city empty.
 */
export function repositionTarget(city: City, demand: Demand, from: PlanePoint, timeMs: number, rng: Rng) {
  const weights = city.centres.map(
    (c, z) => demand.ratePerHour(z, timeMs) * Math.exp(-distanceKm(from, c) / 4),
  )
  const zone = Math.max(0, rng.weighted(weights))
  return demand.pointIn(zone, rng)
}

import type { RideCompleted } from '@freshet/pipelines'
import { type LatLon, zoneOf } from '../features/on-demand.js'

/** One training example before features: a driven leg of a completed ride and how long it took. */
export interface Leg {
  rideId: string
  kind: 'pickup' | 'trip'
  carId: string
  /** When the leg starts (epoch ms): features are joined as of this instant. */
  at: number
  origin: LatLon
  destination: LatLon
  /** The zone whose traffic features the leg gets: the origin's, as serving looks it up; '' outside the city. */
  originZone: string
  /** The label. */
  durationS: number
}

/**
 * The legs of a completed ride, as the contract defines them: the trip leg (pickup → dropoff from pickedUpAt,
 * the ride's own duration) and, when the car's position as of the request is known, the pickup leg (that
 * position → pickup from requestedAt, until the rider was picked up: dispatch, driving and boarding included,
 * which is what a rider waits for).
 *
 * @example
 * legsOf(ride, { lat: 52.51, lon: 13.39 }).map((l) => l.kind) // ['pickup', 'trip']
 */
export function legsOf(ride: RideCompleted, carPosition: LatLon | undefined): Leg[] {
  const trip: Leg = {
    rideId: ride.rideId,
    kind: 'trip',
    carId: ride.carId,
    at: ride.pickedUpAt,
    origin: ride.pickup,
    destination: ride.dropoff,
    originZone: zoneOf(ride.pickup) ?? '',
    durationS: ride.actualDurationS,
  }
  if (carPosition === undefined) return [trip]
  const pickup: Leg = {
    rideId: ride.rideId,
    kind: 'pickup',
    carId: ride.carId,
    at: ride.requestedAt,
    origin: carPosition,
    destination: ride.pickup,
    originZone: zoneOf(carPosition) ?? '',
    durationS: (ride.pickedUpAt - ride.requestedAt) / 1000,
  }
  return [pickup, trip]
}

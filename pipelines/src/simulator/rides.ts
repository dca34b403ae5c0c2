import type { GeoPoint } from '../events/geo.js'
import type { RideEvent } from '../events/ride-event.js'
import type { Car } from './car.js'
import type { Plane, PlanePoint } from './plane.js'
import type { Rng } from './random.js'
import { round } from './telemetry.js'

/** Where a ride is in its lifecycle; `closed` covers both completed and cancelled. */
export type RideState = 'waiting' | 'assigned' | 'on_board' | 'closed'

/** One ride request and what has happened to it so far. */
export interface Ride {
  readonly id: string
  readonly riderId: string
  readonly requestedAt: number
  readonly pickup: PlanePoint
  readonly dropoff: PlanePoint
  readonly pickupZone: string
  readonly dropoffZone: string
  /** How long this rider waits for *any* car to be assigned before giving up. */
  readonly patienceMs: number
  state: RideState
  car: Car | undefined
  pickedUpAt: number
  odometerAtPickupKm: number
}

/**
 * How long a rider without an assigned car waits before cancelling. Riders are impatient: most give up within a
 * few minutes, some sooner than the dispatcher's own timeout, which then yields `rider_cancelled` instead of
 * `no_car_available`.
 */
export function riderPatienceMs(rng: Rng): number {
  return Math.round(rng.between(60_000, 420_000))
}

/**
 * Whether and when a rider cancels after a car was assigned: the longer the quoted wait, the likelier (3 % for a
 * short quote, up to 25 % above ~14 min). Returns the delay after assignment, or undefined if the rider waits.
 */
export function riderCancelDelayMs(quotedPickupS: number, rng: Rng): number | undefined {
  const p = 0.03 + 0.22 * Math.min(1, Math.max(0, (quotedPickupS - 240) / 600))
  if (!rng.chance(p)) return undefined
  return Math.round(rng.between(0.2, 1.2) * Math.max(60, quotedPickupS) * 1000)
}

/** Ride events, built from simulation state; points are rounded like GPS fixes. */
export function rideRequested(ride: Ride, plane: Plane): RideEvent {
  return {
    type: 'ride_requested',
    rideId: ride.id,
    ts: ride.requestedAt,
    riderId: ride.riderId,
    pickup: geo(plane, ride.pickup),
    dropoff: geo(plane, ride.dropoff),
    pickupZone: ride.pickupZone,
    dropoffZone: ride.dropoffZone,
  }
}

export function rideAssigned(ride: Ride, car: Car, ts: number, quotedPickupS: number): RideEvent {
  return {
    type: 'ride_assigned',
    rideId: ride.id,
    ts,
    carId: car.id,
    pickupZone: ride.pickupZone,
    quotedPickupS,
  }
}

export function ridePickedUp(ride: Ride, car: Car, ts: number): RideEvent {
  return {
    type: 'ride_picked_up',
    rideId: ride.id,
    ts,
    carId: car.id,
    pickupZone: ride.pickupZone,
    waitS: (ts - ride.requestedAt) / 1000,
  }
}

export function rideCompleted(ride: Ride, car: Car, ts: number, plane: Plane): RideEvent {
  return {
    type: 'ride_completed',
    rideId: ride.id,
    ts,
    carId: car.id,
    requestedAt: ride.requestedAt,
    pickedUpAt: ride.pickedUpAt,
    pickup: geo(plane, ride.pickup),
    dropoff: geo(plane, ride.dropoff),
    pickupZone: ride.pickupZone,
    dropoffZone: ride.dropoffZone,
    distanceKm: round(car.odometerKm - ride.odometerAtPickupKm, 3),
    actualDurationS: (ts - ride.pickedUpAt) / 1000,
  }
}

export function rideCancelled(
  ride: Ride,
  ts: number,
  reason: 'rider_cancelled' | 'no_car_available' | 'car_fault',
): RideEvent {
  return {
    type: 'ride_cancelled',
    rideId: ride.id,
    ts,
    ...(ride.car === undefined ? {} : { carId: ride.car.id }),
    pickupZone: ride.pickupZone,
    reason,
  }
}

function geo(plane: Plane, p: PlanePoint): GeoPoint {
  const g = plane.toGeo(p)
  return { lat: round(g.lat, 6), lon: round(g.lon, 6) }
}

import { z } from 'zod'
import { carId, epochMs, geoPoint, zoneId } from './geo.js'

const rideId = z.string().regex(/^ride-[0-9a-z-]+$/, 'ride id must look like ride-000123')
const base = { rideId, ts: epochMs.describe('Event time (epoch ms)') }

export const rideRequested = z.strictObject({
  ...base,
  type: z.literal('ride_requested'),
  riderId: z.string().min(1).max(64),
  pickup: geoPoint,
  dropoff: geoPoint,
  pickupZone: zoneId,
  dropoffZone: zoneId,
})

export const rideAssigned = z.strictObject({
  ...base,
  type: z.literal('ride_assigned'),
  carId,
  pickupZone: zoneId,
  /** The dispatcher's pickup estimate at assignment time; what the ETA model is meant to beat. */
  quotedPickupS: z.number().min(0),
})

export const ridePickedUp = z.strictObject({
  ...base,
  type: z.literal('ride_picked_up'),
  carId,
  pickupZone: zoneId,
  waitS: z.number().min(0).describe('Seconds from request to pickup'),
})

/** Self-contained so it can serve as a training label row without joining the rest of the lifecycle. */
export const rideCompleted = z.strictObject({
  ...base,
  type: z.literal('ride_completed'),
  carId,
  requestedAt: epochMs,
  pickedUpAt: epochMs,
  pickup: geoPoint,
  dropoff: geoPoint,
  pickupZone: zoneId,
  dropoffZone: zoneId,
  distanceKm: z.number().min(0),
  actualDurationS: z.number().positive().describe('Seconds from pickup to drop-off: the ETA label'),
})

export const rideCancelled = z.strictObject({
  ...base,
  type: z.literal('ride_cancelled'),
  carId: carId.optional().describe('Absent when no car had been assigned'),
  pickupZone: zoneId,
  reason: z.enum(['rider_cancelled', 'no_car_available', 'car_fault']),
})

/**
 * Ride lifecycle event, schema `ride_event` v1: requested → assigned → picked_up → completed, or cancelled.
 *
 * @example
 * rideEventV1.parse({ type: 'ride_picked_up', rideId: 'ride-000001', ts: 1_764_000_000_000,
 *   carId: 'car-0003', pickupZone: 'z-docks', waitS: 240 })
 */
export const rideEventV1 = z
  .discriminatedUnion('type', [rideRequested, rideAssigned, ridePickedUp, rideCompleted, rideCancelled])
  .describe('Ride lifecycle event (schema ride_event v1)')

export type RideEvent = z.infer<typeof rideEventV1>
export type RideEventType = RideEvent['type']
export type RideCompleted = z.infer<typeof rideCompleted>

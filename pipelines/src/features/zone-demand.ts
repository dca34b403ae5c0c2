import { count, defineFeatureView, type FeatureSpec, hopping } from '@freshet/feature-store'
import type { RideEvent, RideEventType } from '../events/ride-event.js'
import { GRACE, OWNER, rideSource } from './sources.js'
import { ZONE_TTL } from './zone-keyed.js'

/** Counts ride events of one type; events of other types have no value, so `count` skips them. */
function eventsOf(type: RideEventType): FeatureSpec<RideEvent> {
  return {
    value: (e) => (e.type === type ? 1 : undefined),
    aggregations: [count],
    description: `${type} events`,
  }
}

/**
 * Ride demand per pickup zone over the last 15 minutes, recomputed every minute. Every ride event names
 * its pickup zone, so requests and pickups are counted where the rider waits. Ride events are keyed by car
 * or ride, so the view is aggregated in two phases (per input partition, then merged by zone): see `zone-keyed.ts`.
 *
 * Outputs: `ride_requested_count_15m` (requests), `ride_picked_up_count_15m` (pickups). A window
 * without ride events emits no record; the short ttl makes its features expire, which reads as zero.
 *
 * @example
 * const unserved = f.ride_requested_count_15m - f.ride_picked_up_count_15m
 */
export const zoneDemand = defineFeatureView({
  name: 'zone_demand',
  version: 1,
  entity: 'zone',
  description:
    'Ride demand per pickup zone over the last 15 minutes: ride requests and pickups, emitted every minute ' +
    'once the window closes.',
  owner: OWNER,
  source: rideSource,
  key: (e) => e.pickupZone,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: GRACE,
  emit: 'final',
  features: {
    rideRequested: eventsOf('ride_requested'),
    ridePickedUp: eventsOf('ride_picked_up'),
  },
  ttl: ZONE_TTL,
  // Telemetry and ride events are keyed by car (or ride): aggregate per partition, then merge by zone.
  repartition: true,
})

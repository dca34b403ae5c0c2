import { defineFeatureView, distinctCount, hopping, mean } from '@freshet/feature-store'
import { GRACE, OWNER, telemetrySource } from './sources.js'
import { ZONE_TTL } from './zone-keyed.js'

/**
 * Traffic in each city zone over the last 15 minutes, recomputed every minute, from the telemetry of the
 * cars that were in the zone. Aggregated in two phases (per input partition, then merged by zone): see `zone-keyed.ts`.
 *
 * Outputs:
 * - `car_id_distinct_15m`: active cars, i.e. distinct cars that reported from the zone (HyperLogLog,
 *   ±1.6 %; exact or off by one at fleet-sized counts).
 * - `speed_kmh_mean_15m`: mean speed over every sample, parked and charging cars included, so it mixes
 *   congestion with how many cars stand still.
 * - `trip_speed_kmh_mean_15m`: mean speed of samples of cars on a trip, the cleaner congestion signal
 *   (cars driving a route, stops at lights included); null when no trip crossed the zone.
 *
 * @example
 * const congestion = 1 - f.trip_speed_kmh_mean_15m / freeFlowKmh[zone]
 */
export const zoneTraffic = defineFeatureView({
  name: 'zone_traffic',
  version: 1,
  entity: 'zone',
  description:
    'Traffic per city zone over the last 15 minutes: active cars (distinct cars reporting from the zone), ' +
    'mean speed of all samples and of on-trip samples (congestion), emitted every minute once the window closes.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.zoneId,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: GRACE,
  emit: 'final',
  features: {
    carId: [distinctCount()],
    speedKmh: [mean],
    tripSpeedKmh: {
      value: (e) => (e.status === 'on_trip' ? e.speedKmh : undefined),
      aggregations: [mean],
      description: 'speed of samples reported with status on_trip',
    },
  },
  ttl: ZONE_TTL,
  // Telemetry and ride events are keyed by car (or ride): aggregate per partition, then merge by zone.
  repartition: true,
})

import {
  count,
  defineFeatureView,
  distinctCount,
  type FeatureSpec,
  hopping,
  max,
} from '@freshet/feature-store'
import type { CarStatus, CarTelemetry } from '../events/car-telemetry.js'
import { GRACE, OWNER, telemetrySource } from './sources.js'

/** Counts the samples a car reported in `status`; other samples have no value, so `count` skips them. */
function samplesIn(status: CarStatus): FeatureSpec<CarTelemetry> {
  return {
    value: (e) => (e.status === status ? 1 : undefined),
    aggregations: [count],
    description: `telemetry samples reported with status '${status}'`,
  }
}

/**
 * What each car has been doing over the last 15 minutes, and when it last reported, recomputed every minute.
 *
 * Why samples per status rather than a count of status transitions: a transition count needs the status
 * of the previous event, which a pane (one slide of a hopping window) does not have at its start, so it
 * does not merge from panes without a custom aggregator carrying (first, last, transitions). Cars sample
 * at about 1 Hz, so samples per status read as "seconds spent in that status" (and share of the window,
 * divided by `telemetry_ts_count_15m`); `status_distinct_15m` > 1 says the status changed at least once.
 *
 * Why `max` of the event time for "time since last telemetry": an age cannot be a window aggregate (it
 * depends on when serving asks), so the view publishes the latest sample time and serving computes
 * `now - telemetry_ts_max_15m`. `max` rather than `last`: same value, simpler to reason about. A car that
 * stops reporting keeps its last value until the 2 h ttl, after which serving sees the feature expire.
 *
 * Outputs: `telemetry_ts_max_15m`, `telemetry_ts_count_15m`, `status_distinct_15m`,
 * `status_{idle,to_pickup,on_trip,charging,offline}_count_15m`.
 *
 * @example
 * const ageS = (Date.now() - f.telemetry_ts_max_15m) / 1000
 * const busyShare = (f.status_to_pickup_count_15m + f.status_on_trip_count_15m) / f.telemetry_ts_count_15m
 */
export const carStatus = defineFeatureView({
  name: 'car_status',
  version: 1,
  entity: 'car',
  description:
    'What each car did over the last 15 minutes: telemetry samples per status (≈ seconds at 1 Hz), number of ' +
    'distinct statuses, sample count and latest sample time (epoch ms; serving derives time since last ' +
    'telemetry), emitted every minute once the window closes.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: GRACE,
  emit: 'final',
  features: {
    telemetryTs: { value: (e) => e.ts, aggregations: [max, count], description: 'sample event time (ms)' },
    // A sketch is overkill for five values, but it merges across panes; it stays sparse (≤ 5 entries) and
    // is exact for every subset of the statuses (checked in features.test.ts).
    status: [distinctCount()],
    statusIdle: samplesIn('idle'),
    statusToPickup: samplesIn('to_pickup'),
    statusOnTrip: samplesIn('on_trip'),
    statusCharging: samplesIn('charging'),
    statusOffline: samplesIn('offline'),
  },
  ttl: '2h',
})

import { defineFeatureView, hopping, max, mean, stddev } from '@freshet/feature-store'
import { GRACE, OWNER, telemetrySource } from './sources.js'

/**
 * How each car has been driving lately: speed statistics over the last 5 and 15 minutes, recomputed every
 * minute. The hourly distance lives in `car_distance`, because every window of a view computes every
 * feature and an hourly speed stddev (or a 5-minute distance) is not something anyone asked for.
 *
 * Outputs: `speed_kmh_{mean,max,stddev}_{5m,15m}`. stddev is the population stddev of the samples, so a
 * car parked for the whole window has 0, not null.
 *
 * @example
 * // serving: the latest closed window per car
 * const { speed_kmh_mean_15m, speed_kmh_stddev_15m } = record.features
 */
export const carMotion = defineFeatureView({
  name: 'car_motion',
  version: 1,
  entity: 'car',
  description:
    'Speed of each car over the last 5 and 15 minutes (mean, max, population stddev of its ~1 Hz telemetry ' +
    'samples, stops included), emitted every minute once the window closes.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [hopping('5m', '1m'), hopping('15m', '1m')],
  grace: GRACE,
  emit: 'final',
  features: { speedKmh: [mean, max, stddev] },
  ttl: '2h',
})

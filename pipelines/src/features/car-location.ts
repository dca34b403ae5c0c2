import { defineFeatureView, last, tumbling } from '@freshet/feature-store'
import { GRACE, OWNER, telemetrySource } from './sources.js'

/**
 * Where each car last reported itself: the position of its latest telemetry sample in the current minute.
 * The ETA service reads it as the origin of a car's pickup leg, so it emits `updating`: every micro-batch
 * publishes the open minute's latest position, and serving sees a car that moved seconds ago, not at the
 * last minute boundary. The offline store keeps the final record of each minute (partials depend on batching),
 * so a training set sees the position as of the last closed minute: up to a minute plus grace older than what
 * serving sees, the noise a pickup leg's origin carries in training.
 *
 * A short ttl: a position is only worth dispatching on while it is fresh; a car silent for 10 minutes (offline,
 * a long dropout) has no usable position, and serving refuses a pickup ETA for it rather than guess.
 *
 * Outputs: `lat_last_1m`, `lon_last_1m` (WGS84 degrees, from the same sample).
 *
 * @example
 * const origin = { lat: f.lat_last_1m, lon: f.lon_last_1m } // the pickup leg starts here
 */
export const carLocation = defineFeatureView({
  name: 'car_location',
  version: 1,
  entity: 'car',
  description:
    "Each car's last reported position (latitude and longitude of its latest telemetry sample), per 1-minute " +
    'window, updated with every micro-batch while the minute is open; the origin of a pickup ETA.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [tumbling('1m')],
  grace: GRACE,
  emit: 'updating',
  features: {
    // `last` keeps the value with the largest event time, so both coordinates come from the same sample.
    lat: { value: (e) => e.position.lat, aggregations: [last], description: 'latitude of the sample' },
    lon: { value: (e) => e.position.lon, aggregations: [last], description: 'longitude of the sample' },
  },
  ttl: '10m',
})

import { defineFeatureView, delta, tumbling } from '@freshet/feature-store'
import { GRACE, OWNER, telemetrySource } from './sources.js'

/**
 * Kilometres each car drove per clock hour: the odometer's last minus first reading within the hour
 * ([10:00, 11:00) UTC, …). Serving's "distance in the last hour" is therefore the last completed clock
 * hour, available from hh:00:30 (end + grace). The ~1 s between an hour's last sample and the next hour's
 * first is counted in neither (a few metres at city speed).
 *
 * Output: `odometer_km_delta_1h`.
 *
 * @example
 * const kmLastHour = record.features.odometer_km_delta_1h
 */
export const carDistance = defineFeatureView({
  name: 'car_distance',
  version: 1,
  entity: 'car',
  description:
    'Distance driven by each car per clock hour (odometer km at the last sample minus at the first sample of ' +
    'the hour), emitted once the hour closes.',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  windows: [tumbling('1h')],
  grace: GRACE,
  emit: 'final',
  features: { odometerKm: [delta] },
  ttl: '2h',
})

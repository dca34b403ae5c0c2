import { defineAbsencePattern } from '../cep/absence-pattern.js'
import { OWNER, telemetrySource } from './sources.js'

/**
 * A car on a trip that stops reporting: no telemetry for 30 s after a sample with status `on_trip`. At ~1 Hz
 * that is about thirty missed samples, well past jitter and broker hiccups, and still short enough for
 * operations to call the rider while the trip lasts. Cars that go quiet while idle, charging or offline are
 * not alerted on (a parked car in a garage is expected to lose signal).
 *
 * Alerts (`freshet.alerts.v1`): `fired` 30 s after the last on-trip sample, with where the car was and how
 * fast it went; `resolved` at the car's next sample, with the gap length and where it reappeared (and
 * its status then: a trip that ended during the gap shows up as `idle`). A car silent for more than an hour
 * (the default `resolveWithin`) gets no `resolved`.
 *
 * @example
 * const detector = new AbsenceDetector(carTelemetryGap)
 * const alerts = [...detector.add(sample), ...detector.advance(watermark)]
 * // { kind: 'fired', key: 'car-0007', lastSeenAt, eventTime: lastSeenAt + 30_000, context: { zoneId, ... } }
 */
export const carTelemetryGap = defineAbsencePattern({
  name: 'car_telemetry_gap',
  version: 1,
  entity: 'car',
  description:
    'No telemetry for 30 s from a car whose last sample said it was on a trip (fired), and its return with ' +
    'the gap length (resolved).',
  owner: OWNER,
  source: telemetrySource,
  key: (e) => e.carId,
  eventTime: (e) => e.ts,
  while: (e) => e.status === 'on_trip',
  timeout: '30s',
  context: (e) => ({
    status: e.status,
    zoneId: e.zoneId,
    position: { lat: e.position.lat, lon: e.position.lon },
    speedKmh: e.speedKmh,
  }),
})

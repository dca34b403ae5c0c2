import { describe, expect, it } from 'vitest'
import type { CarTelemetry } from './car-telemetry.js'
import { decodeEvent, encodeEvent, HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from './codec.js'
import { carTelemetrySchema, rideEventSchema } from './event-schema.js'
import type { RideEvent } from './ride-event.js'

const sample: CarTelemetry = {
  carId: 'car-0001',
  ts: 1_764_000_000_000,
  position: { lat: 52.52, lon: 13.4 },
  zoneId: 'z-downtown',
  speedKmh: 31.5,
  headingDeg: 92,
  batteryPct: 78.2,
  status: 'on_trip',
  odometerKm: 10_432.7,
}

describe('event codec', () => {
  it('round-trips a telemetry event with schema headers, car key and event-time timestamp', () => {
    const encoded = encodeEvent(carTelemetrySchema, sample)
    expect(encoded.key).toBe('car-0001')
    expect(encoded.timestamp).toBe(sample.ts)
    expect(encoded.headers).toMatchObject({ [HEADER_SCHEMA]: 'car_telemetry', [HEADER_SCHEMA_VERSION]: '1' })
    const decoded = decodeEvent(encoded)
    expect(decoded).toMatchObject({ ok: true, event: sample })
  })

  it('keys ride events by car once assigned and by ride before', () => {
    const requested: RideEvent = {
      type: 'ride_requested',
      rideId: 'ride-000001',
      ts: sample.ts,
      riderId: 'rider-9',
      pickup: { lat: 52.5, lon: 13.4 },
      dropoff: { lat: 52.55, lon: 13.45 },
      pickupZone: 'z-downtown',
      dropoffZone: 'z-airport',
    }
    expect(encodeEvent(rideEventSchema, requested).key).toBe('ride-000001')
    const assigned: RideEvent = {
      type: 'ride_assigned',
      rideId: 'ride-000001',
      ts: sample.ts + 1000,
      carId: 'car-0007',
      pickupZone: 'z-downtown',
      quotedPickupS: 180,
    }
    expect(encodeEvent(rideEventSchema, assigned).key).toBe('car-0007')
  })

  it('refuses to encode an invalid event', () => {
    expect(() => encodeEvent(carTelemetrySchema, { ...sample, batteryPct: 140 })).toThrow(/batteryPct/)
  })

  const headers = { [HEADER_SCHEMA]: 'car_telemetry', [HEADER_SCHEMA_VERSION]: '1' }
  it.each([
    ['not JSON', { value: Buffer.from('{oops'), headers }, 'EVENT_UNDECODABLE', /not JSON/],
    ['a tombstone', { value: null, headers }, 'EVENT_UNDECODABLE', /tombstone/],
    ['no schema header', { value: Buffer.from('{}'), headers: {} }, 'EVENT_UNKNOWN_SCHEMA', /no header/],
    [
      'an unknown version',
      { value: Buffer.from('{}'), headers: { ...headers, [HEADER_SCHEMA_VERSION]: '9' } },
      'EVENT_UNKNOWN_SCHEMA',
      /car_telemetry@9/,
    ],
    [
      'seconds instead of milliseconds',
      { value: Buffer.from(JSON.stringify({ ...sample, ts: 1_764_000_000 })), headers },
      'EVENT_SCHEMA_INVALID',
      /ts/,
    ],
    [
      'an unknown status',
      { value: Buffer.from(JSON.stringify({ ...sample, status: 'flying' })), headers },
      'EVENT_SCHEMA_INVALID',
      /status/,
    ],
    [
      'an extra field',
      { value: Buffer.from(JSON.stringify({ ...sample, extra: 1 })), headers },
      'EVENT_SCHEMA_INVALID',
      /extra/,
    ],
    [
      'a latitude out of range',
      { value: Buffer.from(JSON.stringify({ ...sample, position: { lat: 91, lon: 0 } })), headers },
      'EVENT_SCHEMA_INVALID',
      /position\.lat/,
    ],
  ])('rejects %s with a typed error and a reason, without throwing', (_name, message, code, reason) => {
    const result = decodeEvent(message)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe(code)
    expect(result.reason).toMatch(reason)
  })
})

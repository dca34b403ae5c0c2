import { describe, expect, it } from 'vitest'
import { decodeEvent } from '../events/codec.js'
import { type AlertRecord, alertRecordMessage, alertRecordSchema } from './alert-record.js'

const fired: AlertRecord = {
  id: 'car_telemetry_gap:v1:car-0007:1764000000000:fired',
  pattern: 'car_telemetry_gap',
  version: 1,
  entity: 'car',
  key: 'car-0007',
  kind: 'fired',
  lastSeenAt: 1_764_000_000_000,
  eventTime: 1_764_000_030_000,
  watermark: 1_764_000_030_250,
  context: { status: 'on_trip', zoneId: 'z-docks', position: { lat: 52.5, lon: 13.4 }, speedKmh: 28.4 },
}

describe('alertRecordMessage', () => {
  it('keys the message by entity key, stamps the alert event time and names the schema in headers', () => {
    const message = alertRecordMessage('freshet.alerts.v1', fired, 1_764_000_031_000)
    expect(message).toMatchObject({
      topic: 'freshet.alerts.v1',
      key: 'car-0007',
      timestamp: 1_764_000_030_000,
      headers: {
        'freshet-schema': 'alert_record',
        'freshet-schema-version': '1',
        'content-type': 'application/json',
      },
    })
    expect(JSON.parse(message.value.toString())).toEqual({ ...fired, processedAt: 1_764_000_031_000 })
  })

  it('round-trips through the codec consumers use', () => {
    const message = alertRecordMessage('freshet.alerts.v1', fired, 1_764_000_031_000)
    const decoded = decodeEvent(message, new Map([['alert_record@1', alertRecordSchema]]))
    expect(decoded).toMatchObject({ ok: true, event: { ...fired, processedAt: 1_764_000_031_000 } })
  })

  it('refuses an alert whose context is not flat JSON, with EVENT_SCHEMA_INVALID', () => {
    const deep = { ...fired, context: { position: { at: { lat: 1 } } } } as unknown as AlertRecord
    const infinite = { ...fired, context: { speedKmh: Number.POSITIVE_INFINITY } }
    for (const alert of [deep, infinite]) {
      expect(() => alertRecordMessage('freshet.alerts.v1', alert, 0)).toThrow(
        expect.objectContaining({ code: 'EVENT_SCHEMA_INVALID' }),
      )
    }
  })
})

import { FEATURE_RECORD_SCHEMA, type FeatureRecord, featureTopicName } from '@freshet/feature-store'
import { HEADER_SCHEMA, HEADER_SCHEMA_VERSION } from '@freshet/pipelines'
import { describe, expect, it } from 'vitest'
import { carSpeed, featureRecord, T0, zoneLoad } from '../clickhouse/testing/fixtures.js'
import { createFeatureRecordValidator, type FeatureMessage } from './validate.js'

const validate = createFeatureRecordValidator([carSpeed, zoneLoad], featureTopicName)
const headers = {
  [HEADER_SCHEMA]: FEATURE_RECORD_SCHEMA.name,
  [HEADER_SCHEMA_VERSION]: String(FEATURE_RECORD_SCHEMA.version),
}
const good = featureRecord(carSpeed, {
  entity: 'car-0001',
  window: '5m',
  end: T0,
  features: { speed_kmh_mean_5m: 41.5, speed_kmh_max_5m: null },
})

function message(value: unknown, overrides: Partial<FeatureMessage> = {}): FeatureMessage {
  return {
    topic: featureTopicName(carSpeed),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers,
    ...overrides,
  }
}

function rejection(m: FeatureMessage) {
  const verdict = validate(m)
  if (verdict.ok) throw new Error('expected a rejection')
  return verdict
}

describe('feature record validation', () => {
  it('accepts a record that matches its view, as the engine writes it (processedAt included)', () => {
    const verdict = validate(message({ ...good, processedAt: T0 + 12_000 }))
    expect(verdict).toEqual({ ok: true, record: { ...good, processedAt: T0 + 12_000 } })
  })

  it('accepts a record of the other view on its own topic', () => {
    const zone = featureRecord(zoneLoad, {
      entity: 'z-1',
      window: '15m',
      end: T0,
      sizeMs: 900_000,
      features: { speed_kmh_sum_15m: 3 },
    })
    expect(validate(message(zone, { topic: featureTopicName(zoneLoad) })).ok).toBe(true)
  })

  it.each<[string, FeatureMessage, string, RegExp]>([
    ['a tombstone', { ...message(good), value: null }, 'EVENT_UNDECODABLE', /tombstone/],
    ['bytes that are not JSON', message('{"id":'), 'EVENT_UNDECODABLE', /not JSON/],
    ['no schema headers', message(good, { headers: {} }), 'EVENT_UNKNOWN_SCHEMA', /\(none\)/],
    [
      'another schema version',
      message(good, { headers: { ...headers, [HEADER_SCHEMA_VERSION]: '2' } }),
      'EVENT_UNKNOWN_SCHEMA',
      /v2/,
    ],
    ['a missing field', message({ ...good, windowEnd: undefined }), 'EVENT_SCHEMA_INVALID', /windowEnd/],
    ['an extra field', message({ ...good, extra: 1 }), 'EVENT_SCHEMA_INVALID', /extra/],
    ['an empty entity', message({ ...good, entity: '' }), 'EVENT_SCHEMA_INVALID', /entity is empty/],
    [
      'an id other than the derived one',
      message({ ...good, id: 'car_speed:v1:car-0001:5m:0:1' }),
      'EVENT_SCHEMA_INVALID',
      /is not the record's id/,
    ],
    [
      'inverted window bounds',
      message({ ...good, windowStart: good.windowEnd }),
      'EVENT_SCHEMA_INVALID',
      /bounds/,
    ],
    [
      'a record of another view on this topic',
      message({ ...good, view: 'zone_load' }),
      'FEATURE_SCHEMA_MISMATCH',
      /zone_load:v1 on features\.car_speed\.v1/,
    ],
    [
      'a record of an unknown version',
      message({ ...good, version: 2 }),
      'FEATURE_SCHEMA_MISMATCH',
      /car_speed:v2/,
    ],
    [
      'a topic no view owns',
      message(good, { topic: 'features.other.v1' }),
      'FEATURE_SCHEMA_MISMATCH',
      /no view/,
    ],
    [
      'an unknown window',
      message(
        featureRecord(carSpeed, { entity: 'car-0001', window: '1h', end: T0, features: {} }) as FeatureRecord,
      ),
      'FEATURE_SCHEMA_MISMATCH',
      /no window 1h \(windows: 5m, 15m\)/,
    ],
    [
      'an unknown feature name',
      message({ ...good, features: { ...good.features, speed_kmh_p99_5m: 80 } }),
      'FEATURE_SCHEMA_MISMATCH',
      /unknown features speed_kmh_p99_5m/,
    ],
    [
      "a feature of the view's other window",
      message({ ...good, features: { ...good.features, speed_kmh_mean_15m: 1 } }),
      'FEATURE_SCHEMA_MISMATCH',
      /unknown features speed_kmh_mean_15m/,
    ],
    [
      'a missing feature',
      message({ ...good, features: { speed_kmh_mean_5m: 41.5 } }),
      'FEATURE_SCHEMA_MISMATCH',
      /missing features speed_kmh_max_5m/,
    ],
    [
      'a value of the wrong type',
      message({ ...good, features: { ...good.features, speed_kmh_mean_5m: '41.5' } }),
      'FEATURE_SCHEMA_MISMATCH',
      /speed_kmh_mean_5m is "41.5", expected a number or null/,
    ],
    [
      'a partial record of a final view',
      message({ ...good, final: false }),
      'FEATURE_SCHEMA_MISMATCH',
      /final records only/,
    ],
  ])('rejects %s', (_name, m, code, reason) => {
    const verdict = rejection(m)
    expect(verdict.code).toBe(code)
    expect(verdict.reason).toMatch(reason)
  })
})

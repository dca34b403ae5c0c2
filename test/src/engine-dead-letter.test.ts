import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type CarTelemetry,
  carTelemetrySchema,
  createKafka,
  DLQ_HEADERS,
  encodeEvent,
  featureRecordV1,
  HEADER_SCHEMA,
  HEADER_SCHEMA_VERSION,
  startFeatureEngine,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { testCarView } from './fixtures/test-view.js'

const brokers = testBrokers()

const kafka = createKafka({ brokers, clientId: 'dlq-test' })
afterAll(() => kafka.close())

const T0 = Date.UTC(2026, 10, 2, 8, 0)
const telemetry = (i: number): CarTelemetry => ({
  carId: 'car-0001',
  ts: T0 + i * 1000,
  position: { lat: 52.52, lon: 13.4 },
  zoneId: 'z-downtown',
  speedKmh: 30,
  headingDeg: 90,
  batteryPct: 80,
  status: 'on_trip',
  odometerKm: 1000 + i * 0.01,
})
const headers = { [HEADER_SCHEMA]: 'car_telemetry', [HEADER_SCHEMA_VERSION]: '1' }

/** Bad input as it shows up in practice; each must reach the dead-letter topic with its bytes untouched. */
const corpus: { name: string; value: Buffer | null; headers: Record<string, string>; code: string }[] = [
  {
    name: 'truncated json',
    value: Buffer.from('{"carId":"car-0001","ts":'),
    headers,
    code: 'EVENT_UNDECODABLE',
  },
  {
    name: 'binary garbage',
    value: Buffer.from([0xff, 0x00, 0x13, 0x37]),
    headers,
    code: 'EVENT_UNDECODABLE',
  },
  { name: 'tombstone', value: null, headers, code: 'EVENT_UNDECODABLE' },
  {
    name: 'no schema header',
    value: Buffer.from(JSON.stringify(telemetry(1))),
    headers: {},
    code: 'EVENT_UNKNOWN_SCHEMA',
  },
  {
    name: 'future schema version',
    value: Buffer.from(JSON.stringify(telemetry(2))),
    headers: { ...headers, [HEADER_SCHEMA_VERSION]: '7' },
    code: 'EVENT_UNKNOWN_SCHEMA',
  },
  {
    name: 'ride event on the telemetry topic',
    value: Buffer.from(
      JSON.stringify({
        type: 'ride_cancelled',
        rideId: 'ride-1',
        ts: T0,
        pickupZone: 'z-a',
        reason: 'rider_cancelled',
      }),
    ),
    headers: { [HEADER_SCHEMA]: 'ride_event', [HEADER_SCHEMA_VERSION]: '1' },
    code: 'EVENT_UNKNOWN_SCHEMA',
  },
  {
    name: 'speed out of range',
    value: Buffer.from(JSON.stringify({ ...telemetry(3), speedKmh: -5 })),
    headers,
    code: 'EVENT_SCHEMA_INVALID',
  },
  {
    name: 'timestamp in seconds',
    value: Buffer.from(JSON.stringify({ ...telemetry(4), ts: Math.floor(T0 / 1000) })),
    headers,
    code: 'EVENT_SCHEMA_INVALID',
  },
]

describe('feature engine with bad input', () => {
  it('dead-letters every bad message with its original bytes, headers, source and reason, and keeps going', async () => {
    const input = testTopic('dlq-input', 1)
    const features = testTopic('dlq-features', 1)
    const dlq = testTopic('dlq-dlq', 1)
    const late = testTopic('dlq-late', 1)
    await kafka.ensureTopics([input, features, dlq, late])
    const producer = await kafka.producer()
    // Good events around the bad ones: 0–9 min, then 11 min closes the first 5-minute windows.
    const good = [...Array.from({ length: 540 }, (_, i) => telemetry(i)), telemetry(660)]
    await producer.send(
      good.slice(0, 200).map((e) => ({ topic: input.name, ...encodeEvent(carTelemetrySchema, e) })),
    )
    await producer.send(
      corpus.map((c) => ({
        topic: input.name,
        key: `bad-${c.name}`,
        value: c.value,
        headers: { ...c.headers, 'x-trace': c.name },
      })),
    )
    await producer.send(
      good.slice(200).map((e) => ({ topic: input.name, ...encodeEvent(carTelemetrySchema, e) })),
    )
    await producer.disconnect()

    const engine = await startFeatureEngine({
      kafka,
      views: [testCarView(input.name)],
      applicationId: `dlq-${randomUUID().slice(0, 8)}`,
      featureTopic: () => features.name,
      deadLetterTopic: dlq.name,
      lateTopic: late.name,
    })
    await engine.started
    let dead = await readAll(kafka, dlq.name, 10_000)
    for (let i = 0; i < 20 && dead.length < corpus.length; i++) {
      await sleep(1000)
      dead = await readAll(kafka, dlq.name, 10_000)
    }
    const published = await readAll(kafka, features.name, 10_000)
    await engine.stop()

    expect(dead).toHaveLength(corpus.length)
    for (const [i, c] of corpus.entries()) {
      const d = dead[i]!
      expect(d.key?.toString()).toBe(`bad-${c.name}`)
      expect(d.value === null ? null : Buffer.from(d.value)).toEqual(c.value)
      expect(d.headers).toMatchObject({ ...c.headers, 'x-trace': c.name })
      expect(d.headers[DLQ_HEADERS.errorCode]).toBe(c.code)
      expect(d.headers[DLQ_HEADERS.reason]).toMatch(/\S{5,}/)
      expect(d.headers[DLQ_HEADERS.sourceTopic]).toBe(input.name)
      expect(d.headers[DLQ_HEADERS.sourceOffset]).toBe(String(200 + i))
    }
    // The partition did not stall: windows after the bad messages closed and count only good events.
    const records = published.map((r) => featureRecordV1.parse(JSON.parse(r.value!.toString())))
    const first5m = records.find((r) => r.window === '5m' && r.windowStart === T0)
    expect(first5m?.features.speed_kmh_count_5m).toBe(300)
    expect(records.some((r) => r.window === '5m' && r.windowStart === T0 + 5 * 60_000)).toBe(true)
  }, 120_000)
})

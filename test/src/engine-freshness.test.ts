import { randomUUID } from 'node:crypto'
import { count, defineFeatureView, max, mean, tumbling } from '@freshet/feature-store'
import {
  type CarTelemetry,
  carTelemetrySchema,
  createKafka,
  encodeEvent,
  type FeatureRecord,
  featureRecordV1,
  startFeatureEngine,
} from '@freshet/pipelines'
import { collect, testBrokers, testTopic } from '@freshet/pipelines/testing'
import { afterAll, describe, expect, it } from 'vitest'

const kafka = createKafka({ brokers: testBrokers(), clientId: 'freshness-test' })

function updatingView(topic: string) {
  return defineFeatureView<CarTelemetry>({
    name: 'test_fresh_speed',
    version: 1,
    entity: 'car',
    owner: 'tests',
    description: 'speed per car, updating (test view)',
    source: { topic, schema: carTelemetrySchema },
    key: (e) => e.carId,
    eventTime: (e) => e.ts,
    windows: [tumbling('5s')],
    grace: 0,
    emit: 'updating',
    ttl: '1h',
    features: { speedKmh: [count, mean, max] },
  })
}

const sample = (ts: number, speedKmh: number): CarTelemetry => ({
  carId: 'car-0001',
  ts,
  position: { lat: 52.52, lon: 13.4 },
  zoneId: 'z-downtown',
  speedKmh,
  headingDeg: 90,
  batteryPct: 80,
  status: 'on_trip',
  odometerKm: 1000,
})

describe('feature engine freshness', () => {
  afterAll(() => kafka.close())

  for (const guarantee of ['exactly-once', 'at-least-once'] as const) {
    it(`publishes updating partials per batch and closes a quiet partition's window by idleness (${guarantee})`, async () => {
      const input = testTopic('fresh-input')
      const output = testTopic('fresh-features')
      await kafka.ensureTopics([input, output])
      const view = updatingView(input.name)
      const engine = await startFeatureEngine({
        kafka,
        views: [view],
        guarantee,
        applicationId: `fresh-${randomUUID().slice(0, 8)}`,
        featureTopic: () => output.name,
        idleTimeoutMs: 1500,
        tickMs: 200,
      })
      try {
        await engine.started
        const producer = await kafka.producer()
        const start = Math.floor(Date.now() / 5000) * 5000 - 60_000
        // Two batches, so the window is updated twice before it closes.
        await producer.send([
          { topic: input.name, ...encodeEvent(carTelemetrySchema, sample(start + 1000, 30)) },
        ])
        const first = await collect(kafka, output.name, 1, { timeoutMs: 20_000 })
        await producer.send([
          { topic: input.name, ...encodeEvent(carTelemetrySchema, sample(start + 2000, 50)) },
          { topic: input.name, ...encodeEvent(carTelemetrySchema, sample(start + 3000, 70)) },
        ])
        await producer.disconnect()
        // No more events: only the wall clock can close [start, start + 5 s).
        const records: FeatureRecord[] = (await collect(kafka, output.name, 3, { timeoutMs: 30_000 })).map(
          (r) => featureRecordV1.parse(JSON.parse(r.value!.toString())),
        )
        expect(first).toHaveLength(1)
        const [p1, p2, final] = records
        expect(p1).toMatchObject({
          final: false,
          eventTime: start + 1000,
          features: { speed_kmh_count_5s: 1 },
        })
        expect(p2).toMatchObject({
          final: false,
          eventTime: start + 3000,
          features: { speed_kmh_count_5s: 3 },
        })
        expect(final).toMatchObject({
          final: true,
          windowStart: start,
          windowEnd: start + 5000,
          eventTime: start + 5000,
          features: { speed_kmh_count_5s: 3, speed_kmh_mean_5s: 50, speed_kmh_max_5s: 70 },
        })
        expect(new Set(records.map((r) => r.id)).size).toBe(1) // partials and final share the window's id
        expect(final!.watermark).toBeGreaterThanOrEqual(start + 5000) // moved past the last event by idleness
      } finally {
        await engine.stop()
      }
    }, 60_000)
  }
})

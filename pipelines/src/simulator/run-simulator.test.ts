import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { carTelemetrySchema, rideEventSchema } from '../events/event-schema.js'
import { type ConsumedRecord, createKafka, type RecordConsumer } from '../kafka/kafka.js'
import { TOPICS } from '../topics/catalog.js'
import { loadConfig } from './config.js'
import { runSimulator, type SimulatorProgress } from './run-simulator.js'
import { simulate } from './simulation.js'

/**
 * Against the real local broker (`npm run infra -- up`, or KAFKA_BROKERS). Runs historical mode into throwaway
 * topics and reads everything back.
 */
const brokers = loadConfig().KAFKA_BROKERS
const kafka = createKafka({ brokers, clientId: 'simulator-test' })
const suffix = `${Date.now().toString(36)}-${process.pid}`
const topics = { telemetry: `test.sim.telemetry.${suffix}`, rides: `test.sim.rides.${suffix}` }
// Recent event times: topic retention deletes by record timestamp, so a 2025 start could vanish mid-test.
const HOUR_MS = 3_600_000
const startMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS
const options = { seed: 11, cars: 12, startMs, durationMs: 5 * 60_000 }

let consumer: RecordConsumer | undefined

beforeAll(async () => {
  try {
    await kafka.probe({ timeoutMs: 5000 })
  } catch (cause) {
    throw new Error(`no Kafka at ${brokers.join(',')}; start it with \`npm run infra -- up\``, { cause })
  }
  await kafka.ensureTopics([
    { ...TOPICS.telemetry, name: topics.telemetry, partitions: 3 },
    { ...TOPICS.rides, name: topics.rides, partitions: 3 },
  ])
}, 30_000)

afterAll(async () => {
  await consumer?.stop()
  await kafka.deleteTopics([topics.telemetry, topics.rides]).catch(() => {})
  await kafka.close()
}, 30_000)

describe('runSimulator (historical, real Kafka)', () => {
  it('produces every simulated event, keyed by its schema, in per-key event-time order', async () => {
    const expected = [...simulate(options)]
    const progress: SimulatorProgress[] = []
    const summary = await runSimulator({
      ...options,
      mode: 'historical',
      kafka,
      topics,
      ensureTopics: false,
      batchSize: 1000,
      progressIntervalMs: 0,
      onProgress: (p) => progress.push(p),
    })
    expect(summary.produced).toBe(expected.length)
    expect(summary.simulatedMs).toBe(startMs + options.durationMs)
    expect(progress.at(-1)?.produced).toBe(expected.length)

    const received: ConsumedRecord[] = []
    consumer = await kafka.consume({
      groupId: `test-sim-${suffix}`,
      topics: [topics.telemetry, topics.rides],
      fromBeginning: true,
      onBatch: async (records) => {
        received.push(...records)
      },
    })
    await consumer.started
    const deadline = Date.now() + 30_000
    while (received.length < expected.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200))
    expect(received.length).toBe(expected.length)

    const expectedKeys = expected.map((e) =>
      e.kind === 'telemetry'
        ? `${topics.telemetry}|${carTelemetrySchema.key(e.event)}`
        : `${topics.rides}|${rideEventSchema.key(e.event)}`,
    )
    const receivedKeys = received.map((r) => `${r.topic}|${r.key?.toString()}`)
    expect(receivedKeys.sort()).toEqual(expectedKeys.sort())

    // Within a partition, each key's records come back in event-time order, with the event time as timestamp.
    const lastTs = new Map<string, number>()
    let outOfOrder = 0
    const byOffset = [...received].sort((a, b) =>
      a.topic === b.topic
        ? a.partition - b.partition || Number(a.offset) - Number(b.offset)
        : a.topic < b.topic
          ? -1
          : 1,
    )
    for (const r of byOffset) {
      const value = JSON.parse(r.value!.toString()) as { ts: number }
      expect(r.timestamp).toBe(value.ts)
      const k = `${r.topic}|${r.key?.toString()}`
      if (value.ts < (lastTs.get(k) ?? 0)) outOfOrder++
      lastTs.set(k, value.ts)
    }
    expect(outOfOrder).toBe(0)
    expect(received.find((r) => r.topic === topics.rides)?.headers['freshet-schema']).toBe('ride_event')
  }, 60_000)
})

import { randomUUID } from 'node:crypto'
import type { FeatureRecord } from '@freshet/feature-store'
import {
  type ConsumedRecord,
  createBackfillClient,
  createKafka,
  featureRecordV1,
  inBackfillRange,
  runSimulator,
  startBackfillWorker,
  startFeatureEngine,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import {
  createClickHouseClient,
  createClickHouseOfflineWriter,
  createRedisOnlineReader,
  createRedisOnlineWriter,
} from '@freshet/sinks'
import { openTestTarget } from '@freshet/sinks/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { backfillReference, recordsInRange } from './fixtures/backfill-reference.js'
import { asVersion, backfillTestViews } from './fixtures/backfill-views.js'
import { deleteRedisKeys } from './fixtures/redis-cleanup.js'
import { expectedOffline, expectedOnline, readOffline, readOnline, until } from './fixtures/sink-records.js'

// Stream a period live (v1), then backfill the same period into a fresh version (v2, the same code), on real
// Kafka, Redis and ClickHouse: every record of the range must be identical, version aside.
const kafka = createKafka({ brokers: testBrokers(), clientId: 'backfill-determinism' })
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const run = randomUUID().slice(0, 8)
const prefix = `test-backfill-${run}`
const keyPrefix = `backfill-e2e:${run}:`
const topics = {
  input: testTopic('bf-input', 3),
  rides: testTopic('bf-rides', 1),
  cars: testTopic('bf-cars', 3),
  zones: testTopic('bf-zones', 3),
  dlq: testTopic('bf-dlq', 1),
  late: testTopic('bf-late', 1),
}
const cleanup: (() => Promise<unknown>)[] = []

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  await deleteRedisKeys(redisUrl, [`${keyPrefix}*`, `${prefix}:*`])
  await kafka.deleteTopics(Object.values(topics).map((t) => t.name)).catch(() => {})
  await kafka.close()
})

const parse = (r: ConsumedRecord) => featureRecordV1.parse(JSON.parse(r.value!.toString()))

describe('backfill determinism', () => {
  it('backfills a streamed period into a fresh version with identical records, and progress that adds up', async () => {
    const { carV1, zoneV1, carV2, zoneV2 } = backfillTestViews(topics.input.name)
    await kafka.ensureTopics(Object.values(topics))
    // Recent history (the online store keeps a value for the views' 1 h ttl), 5-minute aligned.
    const t0 = Math.floor((Date.now() - 55 * 60_000) / 300_000) * 300_000
    const from = t0 + 20 * 60_000
    const to = t0 + 40 * 60_000
    await runSimulator({
      mode: 'historical',
      kafka,
      cars: 12,
      seed: 23,
      startMs: t0,
      durationMs: 50 * 60_000,
      topics: { telemetry: topics.input.name, rides: topics.rides.name },
      ensureTopics: false,
    })
    const input = await readAll(kafka, topics.input.name)

    // Live: the engine over the whole stream. No wall-clock idle closing: every window closes by event time.
    const engine = await startFeatureEngine({
      kafka,
      views: [carV1, zoneV1],
      applicationId: `bf-live-${run}`,
      featureTopic: (v) => (v.repartition ? topics.zones.name : topics.cars.name),
      deadLetterTopic: topics.dlq.name,
      lateTopic: topics.late.name,
      idleTimeoutMs: 60 * 60_000,
    })
    cleanup.push(() => engine.stop())
    await engine.started
    // Wait until the live run has published every window of the range: as many as the engine's processors
    // give over the whole input (the records themselves are compared below).
    const reference = backfillReference(input, carV1, zoneV1, from, to)
    const want = {
      cars: reference.filter((r) => r.view === carV1.name).length,
      zones: reference.filter((r) => r.view === zoneV1.name).length,
    }
    const liveInRange = async (topic: string, count: number) => {
      let got: FeatureRecord[] = []
      await until(
        `${count} live records in range on ${topic}`,
        async () => {
          got = (await readAll(kafka, topic, 10_000)).map(parse).filter((r) => inBackfillRange(r, from, to))
          return got.length >= count
        },
        60_000,
      )
      return got
    }
    const live = [
      ...(await liveInRange(topics.cars.name, want.cars)),
      ...(await liveInRange(topics.zones.name, want.zones)),
    ]
    await engine.stop()
    const cars = live.filter((r) => r.view === carV1.name)
    const zones = live.filter((r) => r.view === zoneV1.name)
    expect(cars.length).toBeGreaterThanOrEqual(90)
    expect(zones.length).toBeGreaterThan(20)

    // Backfill v2 through a worker hosted like the sink hosts it: Redis online + ClickHouse offline writers.
    const target = await openTestTarget('backfill_e2e')
    cleanup.push(() => target.cleanup())
    const clickhouse = await target.options(`backfill_e2e_${run}`)
    const views = [carV2, zoneV2]
    const ttlMs = (ref: string) => views.find((v) => v.ref === ref)?.ttlMs
    const online = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
    const offline = await createClickHouseOfflineWriter({ ...clickhouse, views })
    cleanup.push(() => Promise.all([online.close(), offline.close()]))
    const worker = startBackfillWorker({ kafka, redisUrl, prefix, views, online, offline })
    cleanup.push(() => worker.close())
    await worker.ready
    const client = createBackfillClient({ redisUrl, prefix, views })
    cleanup.push(() => client.close())

    const started = await client.start({ views: ['all'], from, to, target: 'both', requestedBy: 'test' })
    expect(['queued', 'planning']).toContain(started.state)
    expect(started.request.views).toEqual([carV2.ref, zoneV2.ref])
    let status = started
    await until(
      'the backfill to finish',
      async () => {
        status = (await client.status(started.id))!
        return ['completed', 'failed', 'cancelled'].includes(status.state)
      },
      60_000,
    )
    expect(status.error).toBeUndefined()
    expect(status.state).toBe('completed')
    expect((await client.list()).map((b) => [b.id, b.state])).toEqual([[started.id, 'completed']])

    // Progress adds up: per child and partition, the records read are the topic's records in the planned range.
    expect(status.tasks.map((t) => `${t.kind}:${t.key}:${t.state}`)).toEqual([
      'partition:0.0:completed',
      'partition:0.1:completed',
      'partition:0.2:completed',
      'merge:0.merge:completed',
    ])
    for (const task of status.tasks) {
      for (const range of task.ranges) {
        const held = recordsInRange(input, range)
        expect(range.events, `${task.key} partition ${range.partition}`).toBe(held)
        expect(range.total).toBe(held)
        expect(range.done).toBe(true)
      }
    }
    expect(status.totals.percent).toBe(100)
    expect(status.totals.written).toBe(live.length)
    expect(status.totals.deadLetters).toBe(0)

    // Identical records: ids (version aside), entity, window bounds, event time and every feature value, in
    // the offline store; and the newest window per car and zone in the online store.
    const expected = live.map((r) => asVersion(r, 2))
    const reader = createRedisOnlineReader({ url: redisUrl, keyPrefix, ttlMs })
    cleanup.push(() => reader.close())
    const carIds = [...new Set(cars.map((r) => r.entity))]
    const zoneIds = [...new Set(zones.map((r) => r.entity))]
    expect(await readOnline(reader, carV2, carIds)).toEqual(expectedOnline(expected, carV2, carIds))
    expect(await readOnline(reader, zoneV2, zoneIds)).toEqual(expectedOnline(expected, zoneV2, zoneIds))
    await worker.close()
    await offline.close()
    const ch = createClickHouseClient(clickhouse)
    cleanup.push(() => ch.close())
    expect(await readOffline(ch, carV2)).toEqual(expectedOffline(expected, carV2))
    expect(await readOffline(ch, zoneV2)).toEqual(expectedOffline(expected, zoneV2))
  }, 150_000)
})

import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createKafka } from '@freshet/pipelines'
import { testBrokers } from '@freshet/pipelines/testing'
import {
  createClickHouseClient,
  createClickHouseOfflineWriter,
  createRedisOnlineReader,
  createRedisOnlineWriter,
  createSinkMetrics,
  replayOnlineStore,
  runSink,
  type SinkView,
} from '@freshet/sinks'
import { openTestTarget, type TestTarget } from '@freshet/sinks/testing'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisProcess, startRedisProcess } from './fixtures/redis-process.js'
import {
  expectedOffline,
  expectedOnline,
  featureRecords,
  publish,
  readOffline,
  readOnline,
  recentStart,
  sinkViews,
  until,
} from './fixtures/sink-records.js'
import { sinkTopics } from './fixtures/sink-topics.js'

const kafka = createKafka({ brokers: testBrokers(), clientId: 'sink-outage' })
const ttlMs = (ref: string) => sinkViews.find((v) => v.ref === ref)?.ttlMs
const [carView, zoneView] = sinkViews as [SinkView, SinkView]
const cars = Array.from({ length: 10 }, (_, i) => `car-${String(i).padStart(4, '0')}`)
const zones = ['z-airport', 'z-downtown']
// Fast retries so the outage shows many attempts in a few seconds.
const backoff = { initialMs: 100, maxMs: 1_000 }

let target: TestTarget
let redis: RedisProcess
beforeAll(async () => {
  target = await openTestTarget('sink_outage')
  redis = await startRedisProcess()
})
afterAll(async () => {
  await redis?.dispose()
  await kafka.close()
  await target?.cleanup()
})

async function committed(groupId: string, topics: readonly string[]) {
  const all = await Promise.all(topics.map((t) => kafka.committedOffsets(groupId, t)))
  return all.flat().map((o) => `${o.topic}:${o.partition}@${o.offset}`)
}

describe('sink with Redis failing', () => {
  it('commits nothing while Redis is down and, once it is back, writes everything exactly once', async () => {
    const { topicOf, messages } = await sinkTopics(kafka, 'outage')
    const topics = sinkViews.map(topicOf)
    const clickhouse = await target.options(`sink_outage_${randomUUID().slice(0, 8)}`)
    const online = createRedisOnlineWriter({ url: redis.url, ttlMs, connectTimeoutMs: 1_000 })
    const offline = await createClickHouseOfflineWriter({ ...clickhouse, views: sinkViews })
    const client = createClickHouseClient(clickhouse)
    const registry = new Registry()
    const metrics = createSinkMetrics(registry)
    const groupId = `sink-outage-${randomUUID()}`
    const from = recentStart()
    const before = [
      ...featureRecords(carView, { entities: cars, from, ends: 3 }),
      ...featureRecords(zoneView, { entities: zones, from, ends: 3 }),
    ]
    const during = [
      ...featureRecords(carView, { entities: cars, from: from + 3 * 300_000, ends: 3 }),
      ...featureRecords(zoneView, { entities: zones, from: from + 3 * 300_000, ends: 3 }),
    ]
    let written = 0
    const sink = await runSink({
      kafka,
      views: sinkViews,
      online,
      offline,
      groupId,
      topic: topicOf,
      deadLetterTopic: null,
      backoff,
      metrics,
      onCommit: (c) => {
        written += c.written
      },
    })
    try {
      await publish(kafka, messages(before))
      await until('the first records written', () => written === before.length)
      const committedBefore = await committed(groupId, topics)

      await redis.kill()
      await publish(kafka, messages(during), 40)
      await until('a partition stalled on the dead Redis', () => sink.status().stalledPartitions > 0)
      // Several retries happen in this time (backoff capped at 1 s); none may commit or count as written.
      await sleep(3_000)
      expect(await committed(groupId, topics)).toEqual(committedBefore)
      expect(written).toBe(before.length)
      expect(
        (await metrics.retries.get()).values.find((v) => v.labels.stage === 'online')?.value,
      ).toBeGreaterThan(2)

      await redis.restart()
      await until('every record written after the restart', () => written === before.length + during.length)
      expect(sink.status().stalledPartitions).toBe(0)
    } finally {
      await sink.stop()
    }

    const all = [...before, ...during]
    const reader = createRedisOnlineReader({ url: redis.url, ttlMs })
    try {
      expect(await readOnline(reader, carView, cars)).toEqual(expectedOnline(all, carView, cars))
      expect(await readOnline(reader, zoneView, zones)).toEqual(expectedOnline(all, zoneView, zones))
      for (const view of sinkViews) {
        expect(await readOffline(client, view)).toEqual(expectedOffline(all, view))
        // Nothing doubled even before merges: ClickHouse took each batch once, the retries were Redis' only.
        expect(await readOffline(client, view, false)).toHaveLength(expectedOffline(all, view).length)
      }
      expect((await metrics.retries.get()).values.some((v) => v.labels.stage === 'offline')).toBe(false)
      expect((await metrics.stalledPartitions.get()).values[0]?.value).toBe(0)
    } finally {
      await Promise.all([reader.close(), online.close(), offline.close(), client.close()])
    }
  })

  it('rebuilds a Redis that restarted without its data by replaying the feature topics', async () => {
    const { topicOf, messages } = await sinkTopics(kafka, 'outage')
    const from = recentStart()
    const records = [
      ...featureRecords(carView, { entities: cars, from, ends: 4, salt: 0.5 }),
      ...featureRecords(zoneView, { entities: zones, from, ends: 4, salt: 0.5 }),
    ]
    await publish(kafka, messages(records))
    // Its own keys: the first test left newer windows of the same cars in this Redis.
    const keyPrefix = `replay-${randomUUID().slice(0, 8)}:`
    const online = createRedisOnlineWriter({ url: redis.url, keyPrefix, ttlMs, connectTimeoutMs: 1_000 })
    const reader = createRedisOnlineReader({ url: redis.url, keyPrefix, ttlMs })
    let written = 0
    const live = await runSink({
      kafka,
      views: sinkViews,
      online,
      groupId: `sink-live-${randomUUID()}`,
      topic: topicOf,
      deadLetterTopic: null,
      backoff,
      onCommit: (c) => {
        written += c.written
      },
    })
    try {
      await until('the live sink caught up', () => written === records.length)
      const expected = expectedOnline(records, carView, cars)
      expect(await readOnline(reader, carView, cars)).toEqual(expected)

      await redis.restart({ wipe: true })
      expect((await readOnline(reader, carView, cars)).every((v) => v.status === 'missing')).toBe(true)

      // The live sink keeps running: the replay only fills what is missing or older.
      const replayWriter = createRedisOnlineWriter({ url: redis.url, keyPrefix, ttlMs })
      try {
        const summary = await replayOnlineStore({
          kafka,
          views: sinkViews,
          online: replayWriter,
          topic: topicOf,
          quietMs: 3_000,
          timeoutMs: 45_000,
        })
        expect(summary).toMatchObject({ written: records.length, rejected: 0 })
      } finally {
        await replayWriter.close()
      }
      expect(await readOnline(reader, carView, cars)).toEqual(expected)
      expect(await readOnline(reader, zoneView, zones)).toEqual(expectedOnline(records, zoneView, zones))
    } finally {
      await live.stop()
      await Promise.all([online.close(), reader.close()])
    }
  })
})

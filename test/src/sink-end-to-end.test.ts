import { randomUUID } from 'node:crypto'
import type { FeatureRecord } from '@freshet/feature-store'
import { createKafka, DLQ_HEADERS } from '@freshet/pipelines'
import { readAll, testBrokers } from '@freshet/pipelines/testing'
import {
  createClickHouseClient,
  createClickHouseOfflineWriter,
  createRedisOnlineReader,
  createRedisOnlineWriter,
  featureKey,
  runSink,
  type SinkView,
} from '@freshet/sinks'
import { openTestTarget, type TestTarget } from '@freshet/sinks/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteRedisKeys } from './fixtures/redis-cleanup.js'
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

const kafka = createKafka({ brokers: testBrokers(), clientId: 'sink-e2e' })
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const ttlMs = (ref: string) => sinkViews.find((v) => v.ref === ref)?.ttlMs
const [carView, zoneView] = sinkViews as [SinkView, SinkView]
const cars = Array.from({ length: 12 }, (_, i) => `car-${String(i).padStart(4, '0')}`)
const zones = ['z-airport', 'z-downtown', 'z-harbour']

let target: TestTarget
const prefixes: string[] = []
beforeAll(async () => {
  target = await openTestTarget('sink_e2e')
})
afterAll(async () => {
  await deleteRedisKeys(
    redisUrl,
    prefixes.map((prefix) => `${prefix}*`),
  )
  await kafka.close()
  await target?.cleanup()
})

/** Topics, stores and a sink factory of one test: its own topics, Redis key prefix and ClickHouse database. */
async function setup(partitions = 3) {
  const { topicOf, dlq, messages } = await sinkTopics(kafka, 'sink', partitions)
  const keyPrefix = `sink-e2e:${randomUUID().slice(0, 8)}:`
  prefixes.push(keyPrefix)
  const clickhouse = await target.options(`sink_e2e_${randomUUID().slice(0, 8)}`)
  const online = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
  const offline = await createClickHouseOfflineWriter({ ...clickhouse, views: sinkViews })
  const reader = createRedisOnlineReader({ url: redisUrl, keyPrefix, ttlMs })
  const client = createClickHouseClient(clickhouse)

  /** Runs a sink (fresh group unless given) until it has committed `records` messages, then stops it. */
  async function sinkUntil(count: number, groupId = `sink-e2e-${randomUUID()}`) {
    let seen = 0
    const sink = await runSink({
      kafka,
      views: sinkViews,
      online,
      offline,
      groupId,
      topic: topicOf,
      deadLetterTopic: dlq.name,
      onCommit: (c) => {
        seen += c.written + c.deadLettered
      },
    })
    try {
      await until(`${count} records through the sink`, () => seen >= count)
    } finally {
      await sink.stop()
    }
    return seen
  }

  return {
    topicOf,
    dlq,
    reader,
    client,
    sinkUntil,
    messages,
    async close() {
      await Promise.all([online.close(), offline.close(), reader.close(), client.close()])
    },
  }
}

describe('sink end to end', () => {
  it('lands two views in Redis and ClickHouse exactly as published', async () => {
    const t = await setup()
    try {
      const from = recentStart()
      const records = [
        ...featureRecords(carView, { entities: cars, from, ends: 6 }),
        ...featureRecords(zoneView, { entities: zones, from, ends: 6 }),
      ]
      await publish(kafka, t.messages(records))
      expect(await t.sinkUntil(records.length)).toBe(records.length)

      expect(await readOnline(t.reader, carView, cars)).toEqual(expectedOnline(records, carView, cars))
      expect(await readOnline(t.reader, zoneView, zones)).toEqual(expectedOnline(records, zoneView, zones))
      expect(await readOffline(t.client, carView)).toEqual(expectedOffline(records, carView))
      expect(await readOffline(t.client, zoneView)).toEqual(expectedOffline(records, zoneView))
    } finally {
      await t.close()
    }
  })

  it('leaves identical stores when the stream is delivered twice, and once more from the beginning', async () => {
    const t = await setup()
    const admin = new Redis(redisUrl)
    try {
      const from = recentStart()
      const records = [
        ...featureRecords(carView, { entities: cars, from, ends: 4 }),
        ...featureRecords(zoneView, { entities: zones, from, ends: 4 }),
      ]
      await publish(kafka, t.messages(records))
      await t.sinkUntil(records.length)
      const snapshot = async () => ({
        // Raw hashes, write times included: a record that is not newer must leave them untouched.
        online: await Promise.all(
          cars.map((car) => admin.hgetall(featureKey(prefixes.at(-1)!, carView.name, carView.version, car))),
        ),
        offline: [await readOffline(t.client, carView), await readOffline(t.client, zoneView)],
      })
      const once = await snapshot()
      expect(Object.keys(once.online[0]!).length).toBeGreaterThan(0)

      // The same stream again on the topics (a producer that retried everything), then a new consumer
      // group reads both copies from the beginning (a sink that lost its offsets).
      await publish(kafka, t.messages(records))
      await t.sinkUntil(2 * records.length)
      expect(await snapshot()).toEqual(once)
      expect(await readOffline(t.client, carView)).toHaveLength(
        records.filter((r) => r.view === carView.name).length,
      )
    } finally {
      admin.disconnect()
      await t.close()
    }
  })

  it('dead-letters records that do not match their view, with the reason, and keeps the partition going', async () => {
    const t = await setup(1)
    try {
      const from = recentStart()
      const good = featureRecords(carView, { entities: cars.slice(0, 4), from, ends: 2 })
      const [template] = featureRecords(carView, { entities: ['car-bad'], from, ends: 1 })
      const unknownFeature: FeatureRecord = {
        ...template!,
        features: { ...template!.features, speed_kmh_p99_5m: 88 },
      }
      const wrongType = {
        ...template!,
        entity: 'car-bad2',
        id: template!.id.replace('car-bad', 'car-bad2'),
        features: { ...template!.features, speed_kmh_mean_5m: 'fast' },
      } as unknown as FeatureRecord
      const after = featureRecords(carView, { entities: cars.slice(4, 8), from, ends: 2 })
      const stream = [...good, unknownFeature, wrongType, ...after]
      await publish(kafka, t.messages(stream))
      expect(await t.sinkUntil(stream.length)).toBe(stream.length)

      const dead = await readAll(kafka, t.dlq.name, 15_000)
      expect(dead.map((d) => d.headers[DLQ_HEADERS.errorCode])).toEqual([
        'FEATURE_SCHEMA_MISMATCH',
        'FEATURE_SCHEMA_MISMATCH',
      ])
      expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/unknown features speed_kmh_p99_5m/)
      expect(dead[1]!.headers[DLQ_HEADERS.reason]).toMatch(/speed_kmh_mean_5m is "fast"/)
      expect(dead.map((d) => d.headers[DLQ_HEADERS.sourceOffset])).toEqual([
        String(good.length),
        String(good.length + 1),
      ])
      expect(dead.map((d) => d.headers[DLQ_HEADERS.sourceTopic])).toEqual([
        t.topicOf(carView),
        t.topicOf(carView),
      ])
      // Original bytes travel untouched.
      expect(JSON.parse(dead[0]!.value!.toString()).features.speed_kmh_p99_5m).toBe(88)

      // Nothing of the rejected records was written; everything around them was.
      const bad = ['car-bad', 'car-bad2']
      expect((await readOnline(t.reader, carView, bad)).every((v) => v.status === 'missing')).toBe(true)
      const valid = [...good, ...after]
      const entities = cars.slice(0, 8)
      expect(await readOnline(t.reader, carView, entities)).toEqual(expectedOnline(valid, carView, entities))
      expect(await readOffline(t.client, carView)).toEqual(expectedOffline(valid, carView))
    } finally {
      await t.close()
    }
  })
})

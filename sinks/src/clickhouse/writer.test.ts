import type { ClickHouseClient } from '@clickhouse/client'
import { type FeatureRecord, isFreshetError } from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseClient } from './client.js'
import { carSpeed, featureRecord, T0, zoneLoad } from './testing/fixtures.js'
import { openTestTarget, type TestTarget } from './testing/test-target.js'
import { createClickHouseOfflineWriter } from './writer.js'

async function rows<T = Record<string, unknown>>(client: ClickHouseClient, query: string) {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>()
}

const count = async (client: ClickHouseClient, table: string, final = '') =>
  Number((await rows<{ n: string }>(client, `SELECT count() AS n FROM ${table} ${final}`))[0]?.n)

/** Deterministic pseudo-random order (a seeded Fisher–Yates), so a failure replays. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** 3 cars × 40 minutes of both windows, ends every minute, processed 12 s after the window end. */
function history(): FeatureRecord[] {
  const records: FeatureRecord[] = []
  for (let car = 0; car < 3; car++) {
    for (let minute = 1; minute <= 40; minute++) {
      const end = T0 + minute * 60_000
      for (const window of ['5m', '15m']) {
        records.push(
          featureRecord(carSpeed, {
            entity: `car-${car}`,
            window,
            end,
            sizeMs: window === '5m' ? 300_000 : 900_000,
            processedAt: end + 12_000,
            features: {
              [`speed_kmh_mean_${window}`]: car * 10 + minute / 4,
              [`speed_kmh_max_${window}`]: null,
            },
          }),
        )
      }
    }
  }
  return records
}

const STORED = `SELECT * EXCEPT ingested_at FROM features_car_speed_v1 FINAL ORDER BY id`

describe('ClickHouse offline writer', () => {
  let target: TestTarget
  beforeAll(async () => {
    target = await openTestTarget('writer')
  })
  afterAll(async () => {
    await target?.cleanup()
  })

  it('stores a record with its times, availability and only its own window’s features', async () => {
    const options = await target.options('row')
    const writer = await createClickHouseOfflineWriter({ ...options, views: [carSpeed], maxDelayMs: 10 })
    const live = featureRecord(carSpeed, {
      entity: 'car-1',
      window: '5m',
      end: T0 + 300_000,
      processedAt: T0 + 312_345,
      features: { speed_kmh_mean_5m: 42.5, speed_kmh_max_5m: null },
    })
    const offline = featureRecord(carSpeed, {
      entity: 'car-1',
      window: '15m',
      end: T0 + 900_000,
      sizeMs: 900_000,
      watermark: T0 + 930_000,
      features: { speed_kmh_mean_15m: 40, speed_kmh_max_15m: 61 },
    })
    await writer.write([live, offline])
    await writer.close()
    const client = createClickHouseClient(options)
    try {
      expect(await rows(client, STORED)).toEqual([
        {
          id: offline.id,
          entity: 'car-1',
          window_label: '15m',
          window_start: '2025-11-20 00:00:00.000',
          window_end: '2025-11-20 00:15:00.000',
          event_time: '2025-11-20 00:15:00.000',
          available_at: '2025-11-20 00:15:30.000', // no processedAt (offline run): the watermark
          is_final: true,
          speed_kmh_mean_5m: null,
          speed_kmh_max_5m: null,
          speed_kmh_mean_15m: 40,
          speed_kmh_max_15m: 61,
        },
        {
          id: live.id,
          entity: 'car-1',
          window_label: '5m',
          window_start: '2025-11-20 00:00:00.000',
          window_end: '2025-11-20 00:05:00.000',
          event_time: '2025-11-20 00:05:00.000',
          available_at: '2025-11-20 00:05:12.345',
          is_final: true,
          speed_kmh_mean_5m: 42.5,
          speed_kmh_max_5m: null,
          speed_kmh_mean_15m: null,
          speed_kmh_max_15m: null,
        },
      ])
    } finally {
      await client.close()
    }
  })

  it('ends up with the same rows whether records come once, twice or shuffled in other batches', async () => {
    const records = history()
    const once = await target.options('once')
    const writer = await createClickHouseOfflineWriter({ ...once, views: [carSpeed], maxDelayMs: 10 })
    await writer.write(records)
    await writer.close()

    const replayed = await target.options('replayed')
    const replayer = await createClickHouseOfflineWriter({
      ...replayed,
      views: [carSpeed],
      batchRows: 37,
      maxDelayMs: 10,
    })
    const deliveries = [...shuffled(records, 1), ...shuffled(records, 2)]
    const calls: Promise<void>[] = []
    for (let i = 0; i < deliveries.length; i += 50) calls.push(replayer.write(deliveries.slice(i, i + 50)))
    await Promise.all(calls)
    await replayer.close()

    const a = createClickHouseClient(once)
    const b = createClickHouseClient(replayed)
    try {
      expect(await count(b, 'features_car_speed_v1')).toBeGreaterThan(records.length) // not merged yet
      const expected = await rows(a, STORED)
      expect(expected).toHaveLength(records.length)
      expect(await rows(b, STORED)).toEqual(expected)
      await b.command({ query: 'OPTIMIZE TABLE features_car_speed_v1 FINAL' })
      expect(await count(b, 'features_car_speed_v1')).toBe(records.length)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('drops a redelivered batch by its deduplication token instead of storing it twice', async () => {
    const options = await target.options('dedup')
    const batch = history().slice(0, 30)
    for (let delivery = 0; delivery < 2; delivery++) {
      // A new writer each time: a sink that crashed after inserting and got the same batch again.
      const writer = await createClickHouseOfflineWriter({ ...options, views: [carSpeed], maxDelayMs: 10 })
      await writer.write(batch)
      await writer.close()
    }
    const client = createClickHouseClient(options)
    try {
      expect(await count(client, 'features_car_speed_v1')).toBe(30) // without FINAL: never inserted twice
    } finally {
      await client.close()
    }
  })

  it('inserts once batchRows rows are buffered, smaller batches after maxDelayMs, the rest on close', async () => {
    const options = await target.options('batching')
    const records = history()
    const writer = await createClickHouseOfflineWriter({
      ...options,
      views: [carSpeed],
      batchRows: 100,
      maxDelayMs: 300,
    })
    const client = createClickHouseClient(options)
    try {
      let started = Date.now()
      await writer.write(records.slice(0, 100)) // a full batch: no waiting for the timer
      expect(Date.now() - started).toBeLessThan(300)
      expect(await count(client, 'features_car_speed_v1')).toBe(100)

      started = Date.now()
      const small = writer.write(records.slice(100, 110))
      expect(await count(client, 'features_car_speed_v1')).toBe(100) // still buffered
      await small
      expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      expect(await count(client, 'features_car_speed_v1')).toBe(110)

      void writer.write(records.slice(110, 120)).catch(() => undefined)
      await writer.close()
      expect(await count(client, 'features_car_speed_v1')).toBe(120)
    } finally {
      await client.close()
    }
  })

  it('keeps only final records and refuses a view it was not opened with, storing none of that call', async () => {
    const options = await target.options('filter')
    const writer = await createClickHouseOfflineWriter({ ...options, views: [carSpeed], maxDelayMs: 10 })
    const [first, second] = history()
    const partial = { ...first!, final: false, eventTime: first!.eventTime - 1000 }
    const zone = featureRecord(zoneLoad, { entity: 'z-1', window: '15m', end: T0, features: {} })
    let error: unknown
    try {
      await writer.write([second!, zone])
    } catch (err) {
      error = err
    }
    expect(isFreshetError(error) && error.code).toBe('CONFIG_INVALID')
    await writer.write([partial, first!])
    await writer.close()
    const client = createClickHouseClient(options)
    try {
      expect(await rows(client, 'SELECT id, is_final FROM features_car_speed_v1')).toEqual([
        { id: first!.id, is_final: true },
      ])
    } finally {
      await client.close()
    }
  })
})

import type { FeatureRecord } from '@freshet/feature-store'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { featureKey } from './keys.js'
import { closedPort } from './testing/closed-port.js'
import { TEST_REDIS_URL, testKeySpace } from './testing/key-space.js'
import { featureRecord, T0, TEST_TTL_MS, testTtl } from './testing/records.js'
import { createRedisOnlineWriter, type OnlineWriteSummary, type RedisOnlineWriterOptions } from './writer.js'

let space: Awaited<ReturnType<typeof testKeySpace>>
let subspace = 0

beforeAll(async () => {
  space = await testKeySpace()
})
afterAll(() => space.cleanup())

/** A writer on a key prefix of its own; summaries of its writes collect in `summaries`. */
function openWriter(options: Partial<RedisOnlineWriterOptions> = {}) {
  const prefix = `${space.prefix}${subspace++}:`
  const summaries: OnlineWriteSummary[] = []
  const writer = createRedisOnlineWriter({
    url: TEST_REDIS_URL,
    keyPrefix: prefix,
    ttlMs: testTtl,
    onWrite: (s) => summaries.push(s),
    ...options,
  })
  const key = (entity = 'car-0001', view = 'car_motion', version = 1) =>
    featureKey(prefix, view, version, entity)
  return { writer, prefix, key, summaries }
}

/** HGETALL without the write time (the last field of each window state), which differs between runs. */
async function dumpWithoutWriteTime(key: string): Promise<Record<string, string>> {
  const hash = await space.dump(key)
  return Object.fromEntries(
    Object.entries(hash).map(([field, value]) => [
      field,
      field.startsWith('w:') ? value.slice(0, value.lastIndexOf(':')) : value,
    ]),
  )
}

describe('redis online writer', () => {
  it('stores a newer record of a window and refuses an older one, each window on its own', async () => {
    const { writer, key, summaries } = openWriter({ now: () => 1 })
    await writer.write([
      featureRecord({ window: '5m', windowEnd: T0, features: { speed_kmh_mean_5m: 10 } }),
      featureRecord({ window: '15m', windowEnd: T0, features: { speed_kmh_mean_15m: 20 } }),
    ])
    await writer.write([
      featureRecord({ window: '5m', windowEnd: T0 + 60_000, features: { speed_kmh_mean_5m: 11 } }),
      featureRecord({ window: '15m', windowEnd: T0 - 60_000, features: { speed_kmh_mean_15m: 99 } }),
    ])
    await writer.close()

    expect(await space.dump(key())).toEqual({
      'w:5m': `${T0 - 240_000}:${T0 + 60_000}:${T0 + 60_000}:1:1`,
      'f:speed_kmh_mean_5m': `${T0 + 60_000}:11`,
      'w:15m': `${T0 - 900_000}:${T0}:${T0}:1:1`,
      'f:speed_kmh_mean_15m': `${T0}:20`,
    })
    expect(summaries).toEqual([
      { records: 2, stored: 2, notNewer: 0, expired: 0 },
      { records: 2, stored: 1, notNewer: 1, expired: 0 },
    ])
  })

  it('lets a final record replace a partial of the same window at the same event time, never the reverse', async () => {
    const { writer, key } = openWriter()
    const partial = (eventTime: number, value: number) =>
      featureRecord({ final: false, eventTime, features: { speed_kmh_max_5m: value } })
    const final = featureRecord({ final: true, eventTime: T0, features: { speed_kmh_max_5m: 3 } })
    const value = async () => (await space.dump(key()))['f:speed_kmh_max_5m']

    await writer.write([partial(T0 - 20_000, 1)])
    await writer.write([partial(T0 - 30_000, 9)]) // an earlier partial, delivered late
    expect(await value()).toBe(`${T0 - 20_000}:1`)
    await writer.write([partial(T0, 2)])
    await writer.write([final])
    expect(await value()).toBe(`${T0}:3`)
    await writer.write([partial(T0, 4)])
    expect(await value()).toBe(`${T0}:3`)
    await writer.close()
  })

  it('leaves the same hashes whether a stream is written sorted, twice, or shuffled in any batches', async () => {
    const coordinates = fc.record({
      entity: fc.constantFrom('car-0001', 'car-0002'),
      view: fc.constantFrom('car_motion/5m', 'car_motion/15m', 'car_status/15m'),
      minute: fc.integer({ min: 0, max: 2 }),
      lagS: fc.integer({ min: 0, max: 2 }),
      final: fc.boolean(),
    })
    // Records are a function of their coordinates, so two records with the same (windowEnd, eventTime, final)
    // are the same record (a replay), as with the engine's deterministic output.
    const toRecord = (c: Coordinates) => {
      const [view, window] = c.view.split('/') as [string, string]
      const windowEnd = T0 + c.minute * 60_000
      // lag 0 puts a partial at the same event time as the final record of its window
      const eventTime = c.final ? windowEnd : windowEnd - c.lagS * 10_000
      const seed = c.minute * 100 + (c.final ? 1 : c.lagS * 10 + 2)
      return featureRecord({
        entity: c.entity,
        view,
        window,
        windowEnd,
        eventTime,
        final: c.final,
        features: { [`a_${window}`]: seed, [`b_${window}`]: seed % 7 === 0 ? null : seed / 3 },
      })
    }
    const stream = fc
      .array(coordinates, { minLength: 1, maxLength: 40 })
      .map((cs) => cs.map(toRecord))
      .chain((records) =>
        fc.tuple(
          fc.constant(records),
          fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
          fc.integer({ min: 1, max: 8 }),
        ),
      )

    await fc.assert(
      fc.asyncProperty(stream, async ([records, shuffled, batchSize]) => {
        const sorted = [...records].sort(compareFreshness)
        const inOrder = openWriter()
        for (const record of sorted) await inOrder.writer.write([record]) // one at a time: the Lua CAS decides
        for (let i = 0; i < sorted.length; i += batchSize) {
          await inOrder.writer.write(sorted.slice(i, i + batchSize))
        }
        const anyOrder = openWriter()
        for (let i = 0; i < shuffled.length; i += batchSize) {
          await anyOrder.writer.write(shuffled.slice(i, i + batchSize))
        }
        await Promise.all([inOrder.writer.close(), anyOrder.writer.close()])

        const expected = referenceHashes(records)
        for (const [entity, view, hash] of expected) {
          const [sortedDump, shuffledDump] = await Promise.all([
            dumpWithoutWriteTime(inOrder.key(entity, view)),
            dumpWithoutWriteTime(anyOrder.key(entity, view)),
          ])
          expect(sortedDump).toEqual(hash)
          expect(shuffledDump).toEqual(hash)
        }
        expect((await space.keys()).filter((k) => k.startsWith(anyOrder.prefix))).toHaveLength(
          expected.length,
        )
      }),
      { numRuns: 40 },
    )
  })

  it('sets the key to expire the view ttl after its newest event time, and never earlier', async () => {
    const { writer, key } = openWriter()
    const expireTime = () => space.admin.pexpiretime(key())

    await writer.write([featureRecord({ window: '5m', windowEnd: T0 })])
    expect(await expireTime()).toBe(T0 + TEST_TTL_MS)
    await writer.write([featureRecord({ window: '15m', windowEnd: T0 - 60_000 })]) // stored, but older
    expect(await space.admin.hexists(key(), 'w:15m')).toBe(1)
    expect(await expireTime()).toBe(T0 + TEST_TTL_MS)
    await writer.write([featureRecord({ window: '15m', windowEnd: T0 + 60_000 })])
    expect(await expireTime()).toBe(T0 + 60_000 + TEST_TTL_MS)
    await writer.close()
  })

  it('does not store a record already past its ttl', async () => {
    const { writer, prefix, summaries } = openWriter()
    const old = Date.now() - TEST_TTL_MS - 60_000
    await writer.write([featureRecord({ windowEnd: old, features: { speed_kmh_mean_5m: 1 } })])
    await writer.close()
    expect((await space.keys()).filter((k) => k.startsWith(prefix))).toEqual([])
    expect(summaries).toEqual([{ records: 1, stored: 0, notNewer: 0, expired: 1 }])
  })

  it('keys every view version of an entity by the entity as hash tag, so they share a cluster slot', async () => {
    const { writer, prefix } = openWriter()
    await writer.write(
      ['car-0001', 'car-0002'].flatMap((entity) => [
        featureRecord({ entity, view: 'car_motion', version: 1 }),
        featureRecord({ entity, view: 'car_motion', version: 2 }),
        featureRecord({ entity, view: 'car_status', version: 1, window: '15m' }),
      ]),
    )
    await writer.close()
    const keys = (await space.keys()).filter((k) => k.startsWith(prefix))
    expect(keys).toEqual([
      `${prefix}{car-0001}:car_motion:v1`,
      `${prefix}{car-0001}:car_motion:v2`,
      `${prefix}{car-0001}:car_status:v1`,
      `${prefix}{car-0002}:car_motion:v1`,
      `${prefix}{car-0002}:car_motion:v2`,
      `${prefix}{car-0002}:car_status:v1`,
    ])
    expect(keys.map(hashTag)).toEqual([
      'car-0001',
      'car-0001',
      'car-0001',
      'car-0002',
      'car-0002',
      'car-0002',
    ])
  })

  it('writes a batch of 10k records across many pipelines', async () => {
    const { writer, key, summaries } = openWriter({ chunkSize: 1000 })
    const entities = Array.from({ length: 1000 }, (_, i) => `car-${String(i).padStart(4, '0')}`)
    const records = entities.flatMap((entity, i) =>
      [0, 1, 2, 3, 4].flatMap((minute) =>
        ['5m', '15m'].map((window) =>
          featureRecord({
            entity,
            window,
            windowEnd: T0 + minute * 60_000,
            features: { [`speed_kmh_mean_${window}`]: i + minute },
          }),
        ),
      ),
    )
    expect(records).toHaveLength(10_000)
    await writer.write(records)
    await writer.close()

    // Within one batch only the newest record per window is sent: the minute-4 windows.
    expect(summaries).toEqual([{ records: 10_000, stored: 2000, notNewer: 8000, expired: 0 }])
    const pipeline = space.admin.pipeline()
    for (const entity of entities) pipeline.hmget(key(entity), 'f:speed_kmh_mean_5m', 'f:speed_kmh_mean_15m')
    const values = (await pipeline.exec())!.map(([, v]) => v)
    expect(values).toEqual(entities.map((_, i) => [`${T0 + 240_000}:${i + 4}`, `${T0 + 240_000}:${i + 4}`]))
  })

  it('writes 10k distinct windows through the Lua CAS', async () => {
    const { writer, prefix, summaries } = openWriter({ chunkSize: 1000 })
    const records = Array.from({ length: 10_000 }, (_, i) =>
      featureRecord({ entity: `car-${i}`, features: { speed_kmh_mean_5m: i } }),
    )
    await writer.write(records)
    await writer.write(records)
    await writer.close()
    expect(summaries).toEqual([
      { records: 10_000, stored: 10_000, notNewer: 0, expired: 0 },
      { records: 10_000, stored: 0, notNewer: 10_000, expired: 0 },
    ])
    expect((await space.keys()).filter((k) => k.startsWith(prefix))).toHaveLength(10_000)
  })

  it('rejects a batch holding a view it has no ttl for, before writing any of it', async () => {
    const { writer, prefix } = openWriter()
    const batch = [featureRecord(), featureRecord({ view: 'unknown_view' })]
    await expect(writer.write(batch)).rejects.toMatchObject({ code: 'CONFIG_INVALID', retriable: false })
    await writer.close()
    expect((await space.keys()).filter((k) => k.startsWith(prefix))).toEqual([])
  })

  it('fails with a non-retriable STORE_QUERY_FAILED when the key holds something else', async () => {
    const { writer, key } = openWriter()
    await space.admin.set(key(), 'not a hash')
    await expect(writer.write([featureRecord()])).rejects.toMatchObject({
      code: 'STORE_QUERY_FAILED',
      retriable: false,
    })
    await writer.close()
  })

  it('fails with a retriable STORE_UNAVAILABLE when Redis does not answer', async () => {
    const port = await closedPort()
    const writer = createRedisOnlineWriter({
      url: `redis://:s3cret@127.0.0.1:${port}`,
      ttlMs: testTtl,
      connectTimeoutMs: 500,
    })
    const failure = await writer.write([featureRecord()]).catch((err: unknown) => err)
    expect(failure).toMatchObject({ name: 'FreshetError', code: 'STORE_UNAVAILABLE', retriable: true })
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`)
    expect((failure as Error).message).not.toContain('s3cret')
    await writer.close()
  })
})

type Coordinates = { entity: string; view: string; minute: number; lagS: number; final: boolean }

function compareFreshness(a: FeatureRecord, b: FeatureRecord): number {
  return a.windowEnd - b.windowEnd || a.eventTime - b.eventTime || Number(a.final) - Number(b.final)
}

/** The naive model: per (entity, view, window) the greatest record by (windowEnd, eventTime, final). */
function referenceHashes(records: readonly FeatureRecord[]): [string, string, Record<string, string>][] {
  const latest = new Map<string, FeatureRecord>()
  for (const record of records) {
    const id = `${record.entity}|${record.view}|${record.window}`
    const held = latest.get(id)
    if (held === undefined || compareFreshness(record, held) > 0) latest.set(id, record)
  }
  const hashes = new Map<string, [string, string, Record<string, string>]>()
  for (const r of latest.values()) {
    const id = `${r.entity}|${r.view}`
    const entry = hashes.get(id) ?? [r.entity, r.view, {}]
    entry[2][`w:${r.window}`] = `${r.windowStart}:${r.windowEnd}:${r.eventTime}:${r.final ? 1 : 0}`
    for (const [name, value] of Object.entries(r.features)) {
      entry[2][`f:${name}`] = `${r.eventTime}:${value ?? ''}`
    }
    hashes.set(id, entry)
  }
  return [...hashes.values()]
}

/** Redis Cluster's rule: the part between the first `{` and the next `}`, when non-empty. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{')
  const close = key.indexOf('}', open + 1)
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : undefined
}

import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  type FeatureRef,
  isFreshetError,
  type OfflineFeatureReader,
  parseFeatureRef,
  type TrainingRow,
} from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClickHouseClientOptions, createClickHouseClient } from './client.js'
import { createClickHouseOfflineReader } from './reader.js'
import { carSpeed, featureRecord, T0, zoneLoad } from './testing/fixtures.js'
import { openTestTarget, type TestTarget } from './testing/test-target.js'
import { type ClickHouseOfflineWriter, createClickHouseOfflineWriter } from './writer.js'

const MIN = 60_000
const ref = (s: string): FeatureRef => parseFeatureRef(s)!

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return Buffer.concat((await collect(chunks)).map((c) => Buffer.from(c)))
}

async function thrown(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

// A view like carSpeed with a 10-minute ttl, so expiry shows within the property's 40-minute range.
const shortTtl = { ...carSpeed, name: 'car_speed_pit', ref: 'car_speed_pit:v1', ttlMs: 10 * MIN }

describe('ClickHouse offline reader: point-in-time training sets', () => {
  let target: TestTarget
  let options: ClickHouseClientOptions
  let writer: ClickHouseOfflineWriter
  let reader: OfflineFeatureReader

  beforeAll(async () => {
    target = await openTestTarget('reader')
    options = await target.options('pit')
    const views = [carSpeed, zoneLoad, shortTtl]
    writer = await createClickHouseOfflineWriter({ ...options, views, maxDelayMs: 0 })
    reader = await createClickHouseOfflineReader({ ...options, views, labelBatchRows: 7 })
  })
  afterAll(async () => {
    await writer?.close()
    await reader?.close()
    await target?.cleanup()
  })

  it('joins each label to the value known at its time: no late value, no expired value', async () => {
    const car = (end: number, mean: number, processedAt: number) =>
      featureRecord(shortTtl, {
        entity: 'golden',
        window: '5m',
        end: T0 + end * MIN,
        processedAt: T0 + processedAt * MIN,
        features: { speed_kmh_mean_5m: mean, speed_kmh_max_5m: mean * 2 },
      })
    await writer.write([
      car(10, 1, 10.5),
      car(11, 2, 30), // late: known only at minute 30
      car(12, 3, 12.5),
      car(20, 4, 20), // available the instant it happened
    ])
    const labels = [10, 10.5, 11.5, 12, 12.5, 19, 20, 22.5, 29.9, 30, 31].map((m) => ({
      timestamp: T0 + m * MIN,
      car: 'golden',
    }))
    const rows = await collect(
      reader.getHistoricalFeatures(labels, [ref('car_speed_pit:v1:speed_kmh_mean_5m')]),
    )
    expect(
      rows.map((r) => [((r.timestamp as number) - T0) / MIN, r['car_speed_pit:v1:speed_kmh_mean_5m']]),
    ).toEqual([
      [10, null], // minute-10 record not available until 10.5
      [10.5, 1],
      [11.5, 1], // minute-11 record happened but is not known yet
      [12, 1],
      [12.5, 3],
      [19, 3],
      [20, 4], // event time = label time, available then: counts
      [22.5, 4],
      [29.9, 4],
      [30, 4], // the late minute-11 record is older than what was already served: never wins
      [31, null], // 11 minutes after its event time, older than the 10-minute ttl
    ])
    // Exactly ttl old at the earliest label: the time filter before the join must still keep it.
    const edge = await collect(
      reader.getHistoricalFeatures(
        [{ timestamp: T0 + 30 * MIN, car: 'golden' }],
        [ref('car_speed_pit:v1:speed_kmh_mean_5m')],
      ),
    )
    expect(edge[0]?.['car_speed_pit:v1:speed_kmh_mean_5m']).toBe(4)
  })

  it('breaks a tie of equal event times by id, whatever the write order', async () => {
    const tied = (sizeMinutes: number, mean: number) =>
      featureRecord(shortTtl, {
        entity: 'tied',
        window: '5m',
        end: T0 + 5 * MIN,
        sizeMs: sizeMinutes * MIN,
        processedAt: T0 + 5 * MIN,
        features: { speed_kmh_mean_5m: mean },
      })
    const [low, high] = [tied(5, 1), tied(4, 2)].sort((a, b) => (a.id < b.id ? -1 : 1))
    await writer.write([high!, low!])
    await writer.write([low!])
    const rows = await collect(
      reader.getHistoricalFeatures(
        [{ timestamp: T0 + 5 * MIN, car: 'tied' }],
        [ref('car_speed_pit:v1:speed_kmh_mean_5m')],
      ),
    )
    expect(rows[0]?.['car_speed_pit:v1:speed_kmh_mean_5m']).toBe(high!.features.speed_kmh_mean_5m)
  })

  it('uses the latest write of a rewritten record, including when it became available', async () => {
    const copy = (processedAt: number) =>
      featureRecord(shortTtl, {
        entity: 'rewritten',
        window: '5m',
        end: T0 + 5 * MIN,
        processedAt: T0 + processedAt * MIN,
        features: { speed_kmh_mean_5m: 7 },
      })
    await writer.write([copy(5)])
    await writer.write([copy(8)]) // e.g. re-emitted by a backfill: servable from minute 8 only
    const rows = await collect(
      reader.getHistoricalFeatures(
        [6, 8].map((m) => ({ timestamp: T0 + m * MIN, car: 'rewritten' })),
        [ref('car_speed_pit:v1:speed_kmh_mean_5m')],
      ),
    )
    expect(rows.map((r) => r['car_speed_pit:v1:speed_kmh_mean_5m'])).toEqual([null, 7])
  })

  it('serves no earlier version of a rewrite in an otherwise in-order history, merged or not', async () => {
    // Each car's latest versions are in order (event time and availability rising), which the reader joins as
    // stored; until merged, the first version of minute 10 is stored too and must not count. Its rewrite became
    // servable later (a replay) for the first four cars, earlier (a backfill) for the others.
    const cars = Array.from({ length: 8 }, (_, i) => ({ car: `in-order-${i}`, rewriteAt: i < 4 ? 13 : 10 }))
    const record = (entity: string, end: number, processedAt: number, mean: number) =>
      featureRecord(shortTtl, {
        entity,
        window: '5m',
        end: T0 + end * MIN,
        processedAt: T0 + processedAt * MIN,
        features: { speed_kmh_mean_5m: mean },
      })
    await writer.write(
      cars.flatMap(({ car, rewriteAt }) => [
        record(car, 5, 5, 1),
        record(car, 10, rewriteAt === 13 ? 10 : 13, 2),
        record(car, 15, 15, 4),
      ]),
    )
    await writer.write(cars.map(({ car, rewriteAt }) => record(car, 10, rewriteAt, 3)))
    const labels = cars.flatMap(({ car }) => [11, 13, 16].map((m) => ({ timestamp: T0 + m * MIN, car })))
    const served = async () =>
      (await collect(reader.getHistoricalFeatures(labels, [ref('car_speed_pit:v1:speed_kmh_mean_5m')]))).map(
        (r) => r['car_speed_pit:v1:speed_kmh_mean_5m'],
      )
    const expected = cars.flatMap(({ rewriteAt }) => (rewriteAt === 13 ? [1, 3, 4] : [3, 3, 4]))
    expect(await served()).toEqual(expected)
    const admin = createClickHouseClient(options)
    try {
      await admin.command({ query: 'OPTIMIZE TABLE features_car_speed_pit_v1 FINAL' })
    } finally {
      await admin.close()
    }
    expect(await served()).toEqual(expected)
  })

  it('joins views of different entities on their own label columns and carries label columns through', async () => {
    await writer.write([
      featureRecord(carSpeed, {
        entity: 'car-9',
        window: '15m',
        end: T0 + 15 * MIN,
        processedAt: T0 + 15 * MIN,
        features: { speed_kmh_mean_15m: 33, speed_kmh_max_15m: 50 },
      }),
      featureRecord(zoneLoad, {
        entity: 'z-9',
        window: '15m',
        end: T0 + 15 * MIN,
        processedAt: T0 + 16 * MIN,
        features: { speed_kmh_sum_15m: 1200 },
      }),
    ])
    const labels = [
      { timestamp: T0 + 15 * MIN, car: 'car-9', zone: 'z-9', eta_s: 412, ride: 'r-1', rush: true },
      { timestamp: T0 + 16 * MIN, car: 'car-9', zone: 'z-9', eta_s: null, ride: 'r-2', rush: false },
    ]
    const refs = [ref('zone_load:v1:speed_kmh_sum_15m'), ref('car_speed:v1:speed_kmh_max_15m')]
    expect(await collect(reader.getHistoricalFeatures(labels, refs))).toEqual([
      { ...labels[0], 'zone_load:v1:speed_kmh_sum_15m': null, 'car_speed:v1:speed_kmh_max_15m': 50 },
      { ...labels[1], 'zone_load:v1:speed_kmh_sum_15m': 1200, 'car_speed:v1:speed_kmh_max_15m': 50 },
    ])
  })

  it('generates labels over a time range for every entity the view saw', async () => {
    const mean = (entity: string, end: number, value: number) =>
      featureRecord(carSpeed, {
        entity,
        window: '5m',
        end: T0 + 1000 * MIN + end * MIN,
        processedAt: T0 + 1000 * MIN + end * MIN,
        features: { speed_kmh_mean_5m: value },
      })
    await writer.write([mean('spine-1', 1, 10), mean('spine-2', 2, 20), mean('spine-1', 3, 30)])
    const from = T0 + 1000 * MIN
    const rows = await collect(
      reader.getHistoricalFeatures(
        { from, to: from + 4 * MIN, everyMs: 2 * MIN, entities: ['spine-1', 'spine-2'] },
        [ref('car_speed:v1:speed_kmh_mean_5m')],
      ),
    )
    expect(rows).toEqual([
      { timestamp: from, car: 'spine-1', 'car_speed:v1:speed_kmh_mean_5m': null },
      { timestamp: from, car: 'spine-2', 'car_speed:v1:speed_kmh_mean_5m': null },
      { timestamp: from + 2 * MIN, car: 'spine-1', 'car_speed:v1:speed_kmh_mean_5m': 10 },
      { timestamp: from + 2 * MIN, car: 'spine-2', 'car_speed:v1:speed_kmh_mean_5m': 20 },
    ])
    // Without a list, the entities come from the table: every car seen in range (the spine ones among them).
    const seen = await collect(
      reader.getHistoricalFeatures({ from: from + 4 * MIN, to: from + 5 * MIN, everyMs: MIN }, [
        ref('car_speed:v1:speed_kmh_mean_5m'),
      ]),
    )
    expect(seen.filter((r) => String(r.car).startsWith('spine-'))).toEqual([
      { timestamp: from + 4 * MIN, car: 'spine-1', 'car_speed:v1:speed_kmh_mean_5m': 30 },
      { timestamp: from + 4 * MIN, car: 'spine-2', 'car_speed:v1:speed_kmh_mean_5m': 20 },
    ])
  })

  it('keeps label order across many label batches from an async stream', async () => {
    async function* labels() {
      for (let i = 0; i < 50; i++) yield { timestamp: T0 - i * MIN, entity: `car-${i % 3}`, i }
    }
    const rows = await collect(reader.getHistoricalFeatures(labels(), [ref('car_speed:v1:speed_kmh_max_5m')]))
    expect(rows.map((r) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(Object.keys(rows[0]!)).toEqual(['timestamp', 'entity', 'i', 'car_speed:v1:speed_kmh_max_5m'])
  })

  describe('byte formats', () => {
    const labels = Array.from({ length: 25 }, (_, i) => ({ timestamp: T0 + i * MIN, car: 'golden', n: i }))
    const refs = [ref('car_speed_pit:v1:speed_kmh_mean_5m'), ref('car_speed_pit:v1:speed_kmh_max_5m')]

    it('writes CSV with a header row and one line per label, missing values empty', async () => {
      const csv = (await bytes(reader.exportHistoricalFeatures(labels, refs, 'CSV'))).toString('utf8')
      const lines = csv.trimEnd().split('\n')
      expect(lines[0]).toBe(
        '"timestamp","car","n","car_speed_pit:v1:speed_kmh_mean_5m","car_speed_pit:v1:speed_kmh_max_5m"',
      )
      expect(lines).toHaveLength(labels.length + 1)
      expect(lines[1]).toBe(`${T0},"golden",0,,`) // before the golden history: no value yet
    })

    it('answers no labels with no rows, and CSV with just its header', async () => {
      expect(await collect(reader.getHistoricalFeatures([], refs))).toEqual([])
      const csv = (await bytes(reader.exportHistoricalFeatures([], refs, 'CSV'))).toString('utf8')
      expect(csv.trimEnd().split('\n')).toEqual([
        '"timestamp","entity","car_speed_pit:v1:speed_kmh_mean_5m","car_speed_pit:v1:speed_kmh_max_5m"',
      ])
    })

    it('writes JSONEachRow lines the row API parses', async () => {
      const text = (await bytes(reader.exportHistoricalFeatures(labels, refs, 'JSONEachRow'))).toString(
        'utf8',
      )
      const parsed = text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as TrainingRow)
      expect(parsed).toEqual(await collect(reader.getHistoricalFeatures(labels, refs)))
    })

    it('writes Parquet that ClickHouse reads back row for row', async () => {
      const parquet = await bytes(reader.exportHistoricalFeatures(labels, refs, 'Parquet'))
      expect(parquet.subarray(0, 4).toString('latin1')).toBe('PAR1')
      expect(parquet.subarray(-4).toString('latin1')).toBe('PAR1')
      const client = createClickHouseClient(options)
      try {
        const read =
          'SELECT count() AS labels, sum(n) AS total, countIf(isNull(`car_speed_pit:v1:speed_kmh_mean_5m`)) AS nulls'
        let summary: unknown
        if (target.mode === 'embedded') {
          const file = join(String(options.dataDir), '..', 'training.parquet')
          await writeFile(file, parquet)
          const result = await client.query({
            query: `${read} FROM file({file:String}, Parquet)`,
            query_params: { file },
            format: 'JSONEachRow',
          })
          summary = await result.json()
        } else {
          await client.command({
            query: `CREATE TABLE parquet_back (timestamp Int64, car String, n Nullable(Float64),
              \`car_speed_pit:v1:speed_kmh_mean_5m\` Nullable(Float64), \`car_speed_pit:v1:speed_kmh_max_5m\` Nullable(Float64))
              ENGINE = Memory`,
          })
          await client.insert({ table: 'parquet_back', format: 'Parquet', values: Readable.from([parquet]) })
          summary = await (
            await client.query({ query: `${read} FROM parquet_back`, format: 'JSONEachRow' })
          ).json()
        }
        const expected = await collect(reader.getHistoricalFeatures(labels, refs))
        expect(summary).toEqual([
          {
            labels: String(labels.length),
            total: (labels.length * (labels.length - 1)) / 2,
            nulls: String(expected.filter((r) => r['car_speed_pit:v1:speed_kmh_mean_5m'] === null).length),
          },
        ])
      } finally {
        await client.close()
      }
    })
  })

  it('refuses labels it cannot join and features it does not know', async () => {
    const noKey = await thrown(() =>
      collect(
        reader.getHistoricalFeatures(
          [{ timestamp: T0, ride: 'r-1' }],
          [ref('car_speed:v1:speed_kmh_max_5m')],
        ),
      ),
    )
    expect(isFreshetError(noKey) && noKey.code).toBe('CONFIG_INVALID')
    expect((noKey as Error).message).toContain("'car' or 'entity'")
    const unknown = await thrown(() =>
      collect(reader.getHistoricalFeatures([{ timestamp: T0, car: 'c' }], [ref('car_speed:v1:nope_5m')])),
    )
    expect(isFreshetError(unknown) && unknown.code).toBe('CONFIG_INVALID')
    const badLater = await thrown(() =>
      collect(
        reader.getHistoricalFeatures(
          [
            { timestamp: T0, car: 'c', y: 1 },
            { timestamp: T0, car: 'c', y: 'one' },
          ],
          [ref('car_speed:v1:speed_kmh_max_5m')],
        ),
      ),
    )
    expect(isFreshetError(badLater) && badLater.code).toBe('CONFIG_INVALID')
    expect((badLater as Error).message).toContain("column 'y' must be a number like in the first label")
    const refusal = async (later: Record<string, unknown>) => {
      const err = await thrown(() =>
        collect(
          reader.getHistoricalFeatures(
            [{ timestamp: T0, car: 'c', y: 1 }, later as never],
            [ref('car_speed:v1:speed_kmh_max_5m')],
          ),
        ),
      )
      expect(isFreshetError(err) && err.code).toBe('CONFIG_INVALID')
      return (err as Error).message
    }
    expect(await refusal({ timestamp: T0, car: 'c', y: 2, z: 3 })).toContain(
      "column 'z' is not in the first label",
    )
    expect(await refusal({ timestamp: T0, y: 2 })).toContain("key column 'car' must be a string")
    expect(await refusal({ timestamp: T0, car: 7, y: 2 })).toContain("key column 'car' must be a string")
    expect(await refusal({ timestamp: T0 + 0.5, car: 'c' })).toContain('timestamp must be an integer')
    expect(await refusal({ timestamp: T0, car: 'c', y: Number.NaN })).toContain("column 'y' must be a number")
    // A column left out, null or undefined is missing, not wrong.
    const missing = [
      { timestamp: T0, car: 'c' },
      { timestamp: T0, car: 'c', y: null },
      { timestamp: T0, car: 'c', y: undefined },
    ]
    const rows = await collect(
      reader.getHistoricalFeatures(
        [{ timestamp: T0, car: 'c', y: 1 }, ...missing],
        [ref('car_speed:v1:speed_kmh_max_5m')],
      ),
    )
    expect(rows.map((r) => r.y)).toEqual([1, null, null, null])
  })
})

import type { FeatureRecord, LabelRow, OfflineFeatureReader } from '@freshet/feature-store'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseOfflineReader } from './reader.js'
import { carSpeed, featureRecord, T0 } from './testing/fixtures.js'
import { pointInTimeReference } from './testing/point-in-time-reference.js'
import { openTestTarget, type TestTarget } from './testing/test-target.js'
import { type ClickHouseOfflineWriter, createClickHouseOfflineWriter } from './writer.js'

const MIN = 60_000

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

// carSpeed with a 10-minute ttl, so expiry shows within the 15 minutes the histories span.
const shortTtl = { ...carSpeed, name: 'car_speed_pit', ref: 'car_speed_pit:v1', ttlMs: 10 * MIN }

describe('ClickHouse offline reader against a brute-force reference', () => {
  let target: TestTarget
  let writer: ClickHouseOfflineWriter
  let reader: OfflineFeatureReader

  beforeAll(async () => {
    target = await openTestTarget('reader-property')
    const options = await target.options('property')
    writer = await createClickHouseOfflineWriter({ ...options, views: [shortTtl], maxDelayMs: 0 })
    reader = await createClickHouseOfflineReader({ ...options, views: [shortTtl], labelBatchRows: 7 })
  })
  afterAll(async () => {
    await writer?.close()
    await reader?.close()
    await target?.cleanup()
  })

  it('matches a brute-force point-in-time join on random histories (late, skewed, tied, expired)', async () => {
    let run = 0
    const seen = { values: 0, notYetAvailable: 0, expired: 0 }
    // Half-minute grid over 15 minutes, two cars: dense enough that records overtake, tie and expire.
    const record = fc.record({
      entity: fc.constantFrom('a', 'b'),
      window: fc.constantFrom('5m', '15m'),
      end: fc.integer({ min: 0, max: 30 }),
      sizeMinutes: fc.constantFrom(4, 5), // two ids can share an end: the tie-break on id shows
      delay: fc.oneof(
        fc.integer({ min: 0, max: 2 }), // on time
        fc.integer({ min: 4, max: 24 }), // late arrival
        fc.constant(-1), // processedAt before the event time (clock skew)
        fc.constant(undefined), // offline run: the watermark stands in
      ),
      mean: fc.option(fc.integer({ min: -400, max: 400 }).map((n) => n / 4)),
      max: fc.option(fc.integer({ min: 0, max: 400 })),
    })
    const records = fc.uniqueArray(record, {
      minLength: 1,
      maxLength: 40,
      size: 'medium',
      selector: (r) => `${r.entity}|${r.window}|${r.end}|${r.sizeMinutes}`,
    })
    const labels = fc.array(
      fc.record({ entity: fc.constantFrom('a', 'b', 'nobody'), half: fc.integer({ min: -2, max: 60 }) }),
      { minLength: 1, maxLength: 30, size: 'medium' },
    )
    await fc.assert(
      fc.asyncProperty(records, labels, async (drafts, draftLabels) => {
        const prefix = `run${run++}-`
        const history: FeatureRecord[] = drafts.map((d) =>
          featureRecord(shortTtl, {
            entity: prefix + d.entity,
            window: d.window,
            end: T0 + (d.end * MIN) / 2,
            sizeMs: d.sizeMinutes * MIN,
            processedAt: d.delay === undefined ? undefined : T0 + ((d.end + d.delay) * MIN) / 2,
            watermark: T0 + ((d.end + 1) * MIN) / 2,
            features: { [`speed_kmh_mean_${d.window}`]: d.mean, [`speed_kmh_max_${d.window}`]: d.max },
          }),
        )
        // Delivered twice in different orders: the join must see each record once.
        await Promise.all([writer.write(history), writer.write([...history].reverse())])
        const labelRows: LabelRow[] = draftLabels.map((l, i) => ({
          timestamp: T0 + (l.half * MIN) / 2,
          car: prefix + l.entity,
          y: i,
        }))
        const features = ['speed_kmh_mean_5m', 'speed_kmh_max_5m', 'speed_kmh_mean_15m']
        const refs = features.map((f) => ({ view: shortTtl.name, version: 1, feature: f }))
        const actual = await collect(reader.getHistoricalFeatures(labelRows, refs))
        const expected = pointInTimeReference(history, labelRows, { view: shortTtl, features, key: 'car' })
        expect(actual).toEqual(expected)

        for (const [i, label] of labelRows.entries()) {
          const mine = history.filter((r) => r.entity === label.car && r.eventTime <= label.timestamp)
          if (mine.some((r) => (r.processedAt ?? r.watermark) > label.timestamp)) seen.notYetAvailable++
          if (mine.length > 0 && mine.every((r) => label.timestamp - r.eventTime > shortTtl.ttlMs))
            seen.expired++
          seen.values += features.filter((f) => expected[i]![`car_speed_pit:v1:${f}`] !== null).length
        }
      }),
      { numRuns: 60 },
    )
    // The runs must have exercised what the property is about, or passing it means little.
    expect(seen.values).toBeGreaterThan(100)
    expect(seen.notYetAvailable).toBeGreaterThan(20)
    expect(seen.expired).toBeGreaterThan(5)
  }, 120_000)
})

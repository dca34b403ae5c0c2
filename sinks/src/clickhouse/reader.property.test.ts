import type { ClickHouseClient } from '@clickhouse/client'
import type { FeatureRecord, LabelRow, OfflineFeatureReader } from '@freshet/feature-store'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseClient } from './client.js'
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

const availableAt = (r: FeatureRecord) => r.processedAt ?? Math.max(r.eventTime, r.watermark)

/**
 * Whether the reader may join this (entity, window) history as stored, skipping FINAL and the served-timeline
 * window: one version per id and, by event time, strictly rising event times and availability.
 */
function inOrder(rows: readonly FeatureRecord[]): boolean {
  const sorted = [...rows].sort((a, b) => a.eventTime - b.eventTime)
  return sorted.every(
    (r, i) =>
      i === 0 ||
      (r.eventTime > sorted[i - 1]!.eventTime &&
        Math.max(r.eventTime, availableAt(r)) >
          Math.max(sorted[i - 1]!.eventTime, availableAt(sorted[i - 1]!))),
  )
}

describe('ClickHouse offline reader against a brute-force reference', () => {
  let target: TestTarget
  let writer: ClickHouseOfflineWriter
  let reader: OfflineFeatureReader
  let admin: ClickHouseClient

  beforeAll(async () => {
    target = await openTestTarget('reader-property')
    const options = await target.options('property')
    writer = await createClickHouseOfflineWriter({ ...options, views: [shortTtl], maxDelayMs: 0 })
    reader = await createClickHouseOfflineReader({ ...options, views: [shortTtl], labelBatchRows: 7 })
    admin = createClickHouseClient(options)
  })
  afterAll(async () => {
    await writer?.close()
    await reader?.close()
    await admin?.close()
    await target?.cleanup()
  })

  it('matches a brute-force point-in-time join on random histories (late, skewed, tied, rewritten, expired)', async () => {
    let run = 0
    const seen = { values: 0, notYetAvailable: 0, expired: 0, inOrder: 0, outOfOrder: 0, rewritten: 0 }
    // Half-minute grid over 15 minutes, two cars: dense enough that records overtake, tie and expire.
    const delay = fc.oneof(
      fc.integer({ min: 0, max: 2 }), // on time
      fc.integer({ min: 4, max: 24 }), // late arrival
      fc.constant(-1), // processedAt before the event time (clock skew)
      fc.constant(undefined), // offline run: the watermark stands in
    )
    const mean = fc.option(fc.integer({ min: -400, max: 400 }).map((n) => n / 4))
    const record = fc.record({
      entity: fc.constantFrom('a', 'b'),
      window: fc.constantFrom('5m', '15m'),
      end: fc.integer({ min: 0, max: 30 }),
      sizeMinutes: fc.constantFrom(4, 5), // two ids can share an end: the tie-break on id shows
      delay,
      mean,
      max: fc.option(fc.integer({ min: 0, max: 400 })),
      // A later write of the same id (a replay or backfill): other availability, maybe another value.
      rewrite: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        // `later`: how many steps later an orderly entity's rewrite became available (a backfill re-emitting).
        { weight: 1, arbitrary: fc.record({ delay, mean, later: fc.integer({ min: 0, max: 3 }) }) },
      ),
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
    const delivery = fc.record({
      // Entities whose records arrive like a healthy live run: one size per end, each known `lag` steps after
      // it (0: at once; above 1: after the next record's event time, still in order).
      orderly: fc.subarray(['a', 'b']),
      lag: fc.integer({ min: 0, max: 3 }),
      redeliver: fc.boolean(), // the whole history delivered again, twice over, in one later batch
      merged: fc.boolean(), // background merges already folded the versions together
    })
    await fc.assert(
      fc.asyncProperty(records, labels, delivery, async (drafts, draftLabels, how) => {
        const prefix = `run${run++}-`
        const orderly = drafts.filter(
          (d, i) =>
            !how.orderly.includes(d.entity) ||
            !drafts.some(
              (o, j) => j < i && o.entity === d.entity && o.window === d.window && o.end === d.end,
            ),
        )
        const toRecord = (
          d: (typeof drafts)[number],
          late: number | undefined,
          m: number | null,
          later = 0,
        ) => {
          const steps = how.orderly.includes(d.entity) ? how.lag + later : late
          return featureRecord(shortTtl, {
            entity: prefix + d.entity,
            window: d.window,
            end: T0 + (d.end * MIN) / 2,
            sizeMs: d.sizeMinutes * MIN,
            processedAt: steps === undefined ? undefined : T0 + ((d.end + steps) * MIN) / 2,
            watermark: T0 + ((d.end + 1) * MIN) / 2,
            features: { [`speed_kmh_mean_${d.window}`]: m, [`speed_kmh_max_${d.window}`]: d.max },
          })
        }
        const history = orderly.map((d) => toRecord(d, d.delay, d.mean))
        await writer.write(history)
        if (how.redeliver) await Promise.all([writer.write([...history].reverse()), writer.write(history)])
        // Rewrites land in a later insert: the latest ingested version is the one that counts.
        const rewrites = orderly.flatMap((d) =>
          d.rewrite === null ? [] : [toRecord(d, d.rewrite.delay, d.rewrite.mean, d.rewrite.later)],
        )
        if (rewrites.length > 0) await writer.write(rewrites)
        if (how.merged) await admin.command({ query: `OPTIMIZE TABLE features_${shortTtl.name}_v1 FINAL` })
        const latest = new Map([...history, ...rewrites].map((r) => [r.id, r]))
        const stored = [...latest.values()]

        const labelRows: LabelRow[] = draftLabels.map((l, i) => ({
          timestamp: T0 + (l.half * MIN) / 2,
          car: prefix + l.entity,
          y: i,
        }))
        const features = ['speed_kmh_mean_5m', 'speed_kmh_max_5m', 'speed_kmh_mean_15m']
        const refs = features.map((f) => ({ view: shortTtl.name, version: 1, feature: f }))
        const actual = await collect(reader.getHistoricalFeatures(labelRows, refs))
        const expected = pointInTimeReference(stored, labelRows, { view: shortTtl, features, key: 'car' })
        expect(actual).toEqual(expected)

        const duplicated = (how.redeliver || rewrites.length > 0) && !how.merged
        for (const entity of ['a', 'b']) {
          for (const window of ['5m', '15m']) {
            const rows = stored.filter((r) => r.entity === prefix + entity && r.window === window)
            const labelled = labelRows.filter((l) => l.car === prefix + entity).length
            if (rows.length < 2 || labelled === 0) continue
            if (!duplicated && inOrder(rows)) seen.inOrder += labelled
            else seen.outOfOrder += labelled
          }
        }
        seen.rewritten += rewrites.length
        for (const [i, label] of labelRows.entries()) {
          const mine = stored.filter((r) => r.entity === label.car && r.eventTime <= label.timestamp)
          if (mine.some((r) => availableAt(r) > label.timestamp)) seen.notYetAvailable++
          if (mine.length > 0 && mine.every((r) => label.timestamp - r.eventTime > shortTtl.ttlMs))
            seen.expired++
          seen.values += features.filter((f) => expected[i]![`car_speed_pit:v1:${f}`] !== null).length
        }
      }),
      { numRuns: 60 },
    )
    // The runs must have exercised what the property is about, or passing it means little: both ways the
    // reader takes (as stored, and through FINAL and the served timeline), late values, rewrites, expiry.
    expect(seen.values).toBeGreaterThan(100)
    expect(seen.notYetAvailable).toBeGreaterThan(20)
    expect(seen.expired).toBeGreaterThan(5)
    expect(seen.inOrder).toBeGreaterThan(20)
    expect(seen.outOfOrder).toBeGreaterThan(20)
    expect(seen.rewritten).toBeGreaterThan(20)
  }, 180_000)
})

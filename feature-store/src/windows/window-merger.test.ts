import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { count } from '../aggregators/count.js'
import { distinctCount } from '../aggregators/distinct-count.js'
import { max } from '../aggregators/extremes.js'
import { mean } from '../aggregators/mean.js'
import { sum } from '../aggregators/sum.js'
import { AggregationPlan, type FieldValues } from './aggregation-plan.js'
import { WindowMerger } from './window-merger.js'
import type { WindowResult } from './window-result.js'
import { hopping, sliding, tumbling } from './window-spec.js'
import { WindowedAggregation } from './windowed-aggregation.js'

const fields = { x: [count, sum, max, mean], tag: [distinctCount()] }

describe('WindowMerger', () => {
  it('merges the partials of several partitions into one window result', () => {
    const options = { window: tumbling('1m'), graceMs: 0, fields }
    const p0 = new WindowedAggregation(options)
    const p1 = new WindowedAggregation(options)
    p0.add('z1', 1_000, { x: 10, tag: 'car-1' })
    p1.add('z1', 2_000, { x: 30, tag: 'car-2' })
    p1.add('z1', 3_000, { x: 20, tag: 'car-2' })
    const merger = new WindowMerger(options)
    for (const p of [p0, p1]) {
      for (const r of p.advanceWatermark(60_000, { withState: true })) {
        expect(merger.add(r.key, r.start, r.end, r.state)).toBe('merged')
      }
    }
    expect(merger.keyCount).toBe(1)
    expect(merger.advanceWatermark(59_999)).toEqual([])
    expect(merger.advanceWatermark(60_000)).toEqual([
      {
        key: 'z1',
        start: 0,
        end: 60_000,
        aggregates: { x: { count: 3, sum: 60, max: 30, mean: 20 }, tag: { distinct: 2 } },
      },
    ])
    expect(merger.keyCount).toBe(0)
    const empty = new AggregationPlan(fields)
    expect(merger.add('z1', 0, 60_000, empty.rowToJSON(empty.init()))).toBe('late')
  })

  it('refuses window kinds whose extent is not known in advance', () => {
    expect(() => new WindowMerger({ window: sliding('1m'), fields })).toThrow(/tumbling and hopping/)
    expect(() =>
      new WindowedAggregation({ window: sliding('1m'), fields }).advanceWatermark(1, { withState: true }),
    ).toThrow(/two phases/)
  })

  // Reference: an event arriving at partition p counts in window w exactly when w had not closed there yet,
  // i.e. w.end + grace > p's watermark just before the event (the single-partition pane semantics).
  it('equals a brute-force aggregation of what each partition counted, whatever the arrival order', () => {
    const event = fc.record({
      partition: fc.integer({ min: 0, max: 2 }),
      key: fc.constantFrom('a', 'b', 'c'),
      ts: fc.integer({ min: 0, max: 20_000 }),
      x: fc.integer({ min: -50, max: 50 }),
      tag: fc.constantFrom('t1', 't2', 't3', 't4'),
    })
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 80 }),
        fc.constantFrom(tumbling('3s'), hopping('4s', '1s'), hopping('6s', '2s')),
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        (events, window, graceMs, deliverySeed) => {
          const options = { window, graceMs, fields }
          const partitions = [0, 1, 2].map(() => new WindowedAggregation(options))
          const partials: WindowResult[][] = [[], [], []]
          const counted: { key: string; start: number; end: number; values: FieldValues }[] = []
          const windowsOf = (ts: number) => {
            const slide = window.kind === 'hopping' ? window.slideMs : window.sizeMs
            const out: number[] = []
            for (let s = Math.floor(ts / slide) * slide; s > ts - window.sizeMs; s -= slide) out.push(s)
            return out
          }
          for (const e of events) {
            const p = partitions[e.partition]!
            const before = p.watermark
            p.add(e.key, e.ts, { x: e.x, tag: e.tag })
            for (const start of windowsOf(e.ts)) {
              const end = start + window.sizeMs
              if (end + graceMs > before)
                counted.push({ key: e.key, start, end, values: { x: e.x, tag: e.tag } })
            }
            if (e.ts > before) partials[e.partition]!.push(...p.advanceWatermark(e.ts, { withState: true }))
          }
          partitions.forEach((p, i) => {
            partials[i]!.push(...p.advanceWatermark(Number.POSITIVE_INFINITY, { withState: true }))
          })

          // Interleave the partitions' partial streams in an arbitrary order.
          const merger = new WindowMerger(options)
          const cursors = [0, 0, 0]
          let turn = 0
          while (cursors.some((c, i) => c < partials[i]!.length)) {
            const i = (deliverySeed[turn % 3]! + Math.floor(turn / 3)) % 3
            turn++
            const r = partials[i]![cursors[i]!]
            if (r === undefined) continue
            cursors[i]!++
            expect(merger.add(r.key, r.start, r.end, r.state)).toBe('merged')
          }
          const merged = merger.advanceWatermark(Number.POSITIVE_INFINITY)

          const plan = new AggregationPlan(fields)
          const reference = new Map<string, WindowResult & { row: unknown[] }>()
          for (const c of counted) {
            const id = `${c.key}/${c.start}`
            const w = reference.get(id) ?? {
              key: c.key,
              start: c.start,
              end: c.end,
              aggregates: {},
              row: plan.init(),
            }
            reference.set(id, w)
            plan.add(w.row, c.start, c.values)
          }
          const expected = [...reference.values()]
            .map(({ row, ...w }) => ({ ...w, aggregates: plan.results(row) }))
            .sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          expect(merged).toEqual(expected)
        },
      ),
      { numRuns: 300 },
    )
  })
})

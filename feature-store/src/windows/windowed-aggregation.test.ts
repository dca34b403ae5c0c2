import { describe, expect, it } from 'vitest'
import { count } from '../aggregators/count.js'
import { distinctCount } from '../aggregators/distinct-count.js'
import { max } from '../aggregators/extremes.js'
import { mean } from '../aggregators/mean.js'
import { FreshetError } from '../errors.js'
import { hopping, session, sliding, tumbling } from './window-spec.js'
import { WindowedAggregation } from './windowed-aggregation.js'

const fields = { speed: [count, mean, max] }
const speed = (n: number, m: number | null, x: number | null) => ({ speed: { count: n, mean: m, max: x } })
const bounds = (results: readonly { key: string; start: number; end: number }[]) =>
  results.map(({ key, start, end }) => ({ key, start, end }))

describe('tumbling windows', () => {
  it('puts an event at a window end into the next window and counts out-of-order events within grace', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), graceMs: 10_000, fields })
    expect(agg.add('car-1', 10_000, { speed: 40 })).toBe('accepted')
    expect(agg.add('car-1', 59_999, { speed: 60 })).toBe('accepted')
    expect(agg.add('car-1', 60_000, { speed: 100 })).toBe('accepted')
    expect(agg.advanceWatermark(65_000)).toEqual([])
    expect(agg.add('car-1', 30_000, { speed: 20 })).toBe('accepted')
    expect(agg.advanceWatermark(70_000)).toEqual([
      { key: 'car-1', start: 0, end: 60_000, aggregates: speed(3, 40, 60) },
    ])
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY)).toEqual([
      { key: 'car-1', start: 60_000, end: 120_000, aggregates: speed(1, 100, 100) },
    ])
  })

  it('reports events beyond grace as late and counts them nowhere', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), graceMs: 10_000, fields })
    agg.add('car-1', 50_000, { speed: 50 })
    agg.add('car-1', 61_000, { speed: 70 })
    expect(agg.advanceWatermark(70_000)).toHaveLength(1)
    expect(agg.add('car-1', 59_000, { speed: 999 })).toBe('late')
    expect(agg.add('car-2', 0, { speed: 999 })).toBe('late')
    expect(agg.add('car-1', 60_000, { speed: 90 })).toBe('accepted')
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY)).toEqual([
      { key: 'car-1', start: 60_000, end: 120_000, aggregates: speed(2, 80, 90) },
    ])
  })

  it('emits by window end, then key, and ignores a watermark that does not advance', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), fields })
    agg.add('car-b', 61_000, { speed: 1 })
    agg.add('car-b', 1_000, { speed: 1 })
    agg.add('car-a', 62_000, { speed: 1 })
    agg.add('car-c', 2_000, { speed: 1 })
    expect(agg.advanceWatermark(10)).toEqual([])
    expect(agg.advanceWatermark(5)).toEqual([])
    expect(bounds(agg.advanceWatermark(200_000))).toEqual([
      { key: 'car-b', start: 0, end: 60_000 },
      { key: 'car-c', start: 0, end: 60_000 },
      { key: 'car-a', start: 60_000, end: 120_000 },
      { key: 'car-b', start: 60_000, end: 120_000 },
    ])
    expect(agg.keyCount).toBe(0)
  })

  it('skips missing, non-finite and mistyped values per field', () => {
    const riders = distinctCount()
    const agg = new WindowedAggregation({
      window: tumbling('1m'),
      fields: { speed: [count, mean], rider: [riders, count] },
    })
    agg.add('car-1', 1, { speed: null, rider: 'r1' })
    agg.add('car-1', 2, { speed: Number.NaN, rider: 7 })
    agg.add('car-1', 3, { speed: 'fast', rider: undefined })
    agg.add('car-1', 4, { speed: Number.POSITIVE_INFINITY })
    expect(agg.advanceWatermark(60_000)[0]?.aggregates).toEqual({
      // count takes strings too ('fast'); mean skips them.
      speed: { count: 1, mean: null },
      rider: { distinct: 2, count: 2 },
    })
  })
})

describe('hopping windows', () => {
  it('puts each event in size/slide windows', () => {
    const agg = new WindowedAggregation({ window: hopping('3m', '1m'), fields })
    agg.add('car-1', 150_000, { speed: 10 })
    expect(bounds(agg.advanceWatermark(Number.POSITIVE_INFINITY))).toEqual([
      { key: 'car-1', start: 0, end: 180_000 },
      { key: 'car-1', start: 60_000, end: 240_000 },
      { key: 'car-1', start: 120_000, end: 300_000 },
    ])
  })

  it('merges panes into each window', () => {
    const agg = new WindowedAggregation({ window: hopping('2m', '1m'), fields })
    agg.add('car-1', 30_000, { speed: 10 })
    agg.add('car-1', 90_000, { speed: 30 })
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY).map((r) => [r.start, r.aggregates])).toEqual([
      [-60_000, speed(1, 10, 10)],
      [0, speed(2, 20, 30)],
      [60_000, speed(1, 30, 30)],
    ])
  })

  it('counts an event whose earlier windows closed in its still-open windows only', () => {
    const agg = new WindowedAggregation({ window: hopping('3m', '1m'), fields })
    agg.add('car-1', 10_000, { speed: 1 })
    expect(bounds(agg.advanceWatermark(180_000))).toEqual([
      { key: 'car-1', start: -120_000, end: 60_000 },
      { key: 'car-1', start: -60_000, end: 120_000 },
      { key: 'car-1', start: 0, end: 180_000 },
    ])
    expect(agg.add('car-1', 150_000, { speed: 5 })).toBe('accepted')
    expect(agg.add('car-1', 59_999, { speed: 5 })).toBe('late')
    expect(
      agg.advanceWatermark(Number.POSITIVE_INFINITY).map((r) => [r.start, r.aggregates.speed?.count]),
    ).toEqual([
      [60_000, 1],
      [120_000, 1],
    ])
  })
})

describe('session windows', () => {
  const gap10s = session('10s')

  it('merges sessions when an event bridges them and splits at a full gap', () => {
    const agg = new WindowedAggregation({ window: gap10s, fields })
    agg.add('car-1', 0, { speed: 1 })
    agg.add('car-1', 5_000, { speed: 2 })
    agg.add('car-1', 20_000, { speed: 3 })
    agg.add('car-1', 12_000, { speed: 6 })
    agg.add('car-1', 40_000, { speed: 7 })
    agg.add('car-1', 50_000, { speed: 8 })
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY)).toEqual([
      { key: 'car-1', start: 0, end: 30_000, aggregates: speed(4, 3, 6) },
      { key: 'car-1', start: 40_000, end: 50_000, aggregates: speed(1, 7, 7) },
      { key: 'car-1', start: 50_000, end: 60_000, aggregates: speed(1, 8, 8) },
    ])
  })

  it('closes a session once the watermark reaches last event + gap + grace', () => {
    const agg = new WindowedAggregation({ window: gap10s, graceMs: 2_000, fields })
    agg.add('car-1', 1_000, { speed: 1 })
    agg.add('car-2', 3_000, { speed: 1 })
    expect(agg.advanceWatermark(12_999)).toEqual([])
    expect(bounds(agg.advanceWatermark(13_000))).toEqual([{ key: 'car-1', start: 1_000, end: 11_000 }])
    expect(agg.add('car-1', 10_999, { speed: 1 })).toBe('late')
    expect(agg.add('car-1', 11_000, { speed: 1 })).toBe('accepted')
    expect(bounds(agg.advanceWatermark(15_000))).toEqual([{ key: 'car-2', start: 3_000, end: 13_000 }])
    expect(bounds(agg.advanceWatermark(23_000))).toEqual([{ key: 'car-1', start: 11_000, end: 21_000 }])
  })

  it('extends a session by a late-ish event within grace instead of opening a new one', () => {
    const agg = new WindowedAggregation({ window: gap10s, graceMs: 5_000, fields })
    agg.add('car-1', 20_000, { speed: 2 })
    agg.advanceWatermark(20_000)
    expect(agg.add('car-1', 15_000, { speed: 4 })).toBe('accepted')
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY)).toEqual([
      { key: 'car-1', start: 15_000, end: 30_000, aggregates: speed(2, 3, 4) },
    ])
  })
})

describe('sliding windows', () => {
  it('emits one window per distinct event time covering [t − size, t]', () => {
    const agg = new WindowedAggregation({ window: sliding('10s'), fields: { speed: [count] } })
    for (const ts of [10_001, 0, 10_000, 5_000, 10_001]) agg.add('car-1', ts, { speed: 1 })
    expect(
      agg.advanceWatermark(Number.POSITIVE_INFINITY).map((r) => [r.start, r.end, r.aggregates.speed?.count]),
    ).toEqual([
      [-10_000, 1, 1],
      [-5_000, 5_001, 2],
      [0, 10_001, 3],
      [1, 10_002, 4],
    ])
  })

  it('closes the window of t at watermark t + 1 + grace and rejects events before watermark − grace', () => {
    const agg = new WindowedAggregation({
      window: sliding('10s'),
      graceMs: 1_000,
      fields: { speed: [count] },
    })
    agg.add('car-1', 5_000, { speed: 1 })
    expect(agg.advanceWatermark(6_000)).toEqual([])
    expect(bounds(agg.advanceWatermark(6_001))).toEqual([{ key: 'car-1', start: -5_000, end: 5_001 }])
    expect(agg.add('car-1', 5_000, { speed: 1 })).toBe('late')
    expect(agg.add('car-1', 5_001, { speed: 1 })).toBe('accepted')
    expect(agg.advanceWatermark(Number.POSITIVE_INFINITY)[0]?.aggregates.speed?.count).toBe(2)
  })
})

describe('snapshot', () => {
  it('returns partial results of open windows touched since the last snapshot', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), graceMs: 5_000, fields })
    agg.add('car-1', 1_000, { speed: 10 })
    agg.add('car-1', 2_000, { speed: 20 })
    agg.add('car-2', 61_000, { speed: 5 })
    expect(agg.snapshot()).toEqual([
      { key: 'car-1', start: 0, end: 60_000, aggregates: speed(2, 15, 20) },
      { key: 'car-2', start: 60_000, end: 120_000, aggregates: speed(1, 5, 5) },
    ])
    expect(agg.snapshot()).toEqual([])
    agg.add('car-1', 3_000, { speed: 30 })
    expect(agg.snapshot()).toEqual([{ key: 'car-1', start: 0, end: 60_000, aggregates: speed(3, 20, 30) }])
    agg.add('car-1', 4_000, { speed: 30 })
    agg.advanceWatermark(65_000)
    expect(agg.snapshot()).toEqual([])
  })
})

describe('checkpoints', () => {
  it('restore into the same definition and refuse a different one', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), graceMs: 5_000, fields })
    agg.add('car-1', 1_000, { speed: 10 })
    agg.advanceWatermark(30_000)
    const json = JSON.parse(JSON.stringify(agg.toJSON()))
    const restored = WindowedAggregation.fromJSON({ window: tumbling('1m'), graceMs: 5_000, fields }, json)
    expect(restored.watermark).toBe(30_000)
    expect(restored.advanceWatermark(Number.POSITIVE_INFINITY)).toEqual(
      agg.advanceWatermark(Number.POSITIVE_INFINITY),
    )
    expect(JSON.parse(JSON.stringify(agg.toJSON())).watermark).toBe('inf')
    const other = [
      { window: tumbling('2m'), graceMs: 5_000, fields },
      { window: tumbling('1m'), graceMs: 0, fields },
      { window: tumbling('1m'), graceMs: 5_000, fields: { speed: [count, max] } },
    ]
    for (const options of other) {
      expect(() => WindowedAggregation.fromJSON(options, json)).toThrow(/checkpoint was taken with/)
    }
    expect(() => WindowedAggregation.fromJSON(other[0]!, { version: 99 })).toThrow(FreshetError)
  })
})

describe('validation', () => {
  it('rejects fractional event times, bad grace and empty or duplicated aggregations', () => {
    const agg = new WindowedAggregation({ window: tumbling('1m'), fields })
    expect(() => agg.add('car-1', 1.5, { speed: 1 })).toThrow(/integer epoch-ms/)
    expect(() => agg.advanceWatermark(Number.NaN)).toThrow(FreshetError)
    expect(() => new WindowedAggregation({ window: tumbling('1m'), graceMs: -1, fields })).toThrow(/graceMs/)
    expect(() => new WindowedAggregation({ window: tumbling('1m'), fields: {} })).toThrow(/at least one/)
    expect(
      () => new WindowedAggregation({ window: tumbling('1m'), fields: { speed: [mean, mean] } }),
    ).toThrow(/twice/)
  })
})

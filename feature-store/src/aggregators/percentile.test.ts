import { describe, expect, it } from 'vitest'
import { FreshetError } from '../errors.js'
import { percentile, percentileId } from './percentile.js'

const build = (agg: ReturnType<typeof percentile>, xs: number[]) =>
  xs.reduce((s, v) => agg.add(s, v, 0), agg.init())

describe('percentile', () => {
  it('names quantiles without dots', () => {
    expect(percentileId(0.95)).toBe('p95')
    expect(percentileId(0.5)).toBe('p50')
    expect(percentileId(0.999)).toBe('p99_9')
    expect(percentileId(0.29)).toBe('p29')
    expect(percentileId(1)).toBe('p100')
  })

  it('answers within the relative accuracy, null when empty', () => {
    const p95 = percentile(0.95)
    const s = build(
      p95,
      Array.from({ length: 100 }, (_, i) => i + 1),
    )
    expect(Math.abs(p95.result(s)! - 95)).toBeLessThanOrEqual(0.95)
    expect(p95.result(p95.init())).toBeNull()
  })

  it('keeps negative values when merging into a non-empty sketch (sketches-js#22)', () => {
    const p0 = percentile(0)
    const merged = p0.merge(build(p0, [1, 2]), build(p0, [-50, 3]))
    expect(p0.result(merged)).toBeCloseTo(-50, 0)
    const median = percentile(0.5)
    const m = median.merge(build(median, [-10, -9, 1]), build(median, [-8, -7, 2]))
    expect(median.result(m)!).toBeLessThan(-7 * 0.99)
  })

  it('round-trips negative, zero and positive bins through JSON', () => {
    const p25 = percentile(0.25)
    const s = build(p25, [-3, -2, 0, 0, 1, 10, 100, -1000])
    const back = p25.fromJSON(JSON.parse(JSON.stringify(p25.toJSON(s))))
    for (const q of [0, 0.25, 0.5, 0.75, 1]) {
      expect(back.getValueAtQuantile(q)).toBe(s.getValueAtQuantile(q))
    }
  })

  it('rejects quantiles and accuracies out of range', () => {
    expect(() => percentile(1.5)).toThrow(FreshetError)
    expect(() => percentile(Number.NaN)).toThrow(/\[0, 1\]/)
    expect(() => percentile(0.5, { relativeAccuracy: 0 })).toThrow(/relativeAccuracy/)
  })
})

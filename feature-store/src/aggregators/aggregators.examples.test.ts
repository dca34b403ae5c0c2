import { describe, expect, it } from 'vitest'
import { delta, rate } from './change.js'
import { first, last } from './first-last.js'
import { mean } from './mean.js'
import { sum } from './sum.js'
import { stddev, variance } from './variance.js'

// The @example lines of the TSDoc, kept honest.
describe('documented examples', () => {
  it('mean, sum, variance and stddev', () => {
    expect(mean.result(mean.add(mean.add(mean.init(), 3, 0), 5, 0))).toBe(4)
    expect(sum.result([0.1, 0.2, 0.3].reduce((s, v) => sum.add(s, v, 0), sum.init()))).toBe(0.6)
    const xs = [2, 4, 4, 4, 5, 5, 7, 9]
    expect(variance.result(xs.reduce((s, v) => variance.add(s, v, 0), variance.init()))).toBe(4)
    expect(stddev.result(xs.reduce((s, v) => stddev.add(s, v, 0), stddev.init()))).toBe(2)
  })

  it('variance stays accurate for a large offset with a tiny spread', () => {
    const xs = [1e9 + 0.25, 1e9 + 0.5, 1e9 + 0.75]
    expect(variance.result(xs.reduce((s, v) => variance.add(s, v, 0), variance.init()))).toBe(0.125 / 3)
    expect(variance.result(variance.add(variance.init(), 42, 0))).toBe(0)
    expect(variance.result(variance.init())).toBeNull()
  })

  it('first/last go by event time, not arrival, with value as tie-break', () => {
    expect(first.result(first.add(first.add(first.init(), 9, 2_000), 4, 1_000))).toBe(4)
    expect(last.result(last.add(last.add(last.init(), 9, 2_000), 4, 1_000))).toBe(9)
    expect(first.result(first.add(first.add(first.init(), 9, 5), 4, 5))).toBe(4)
    expect(last.result(last.add(last.add(last.init(), 4, 5), 9, 5))).toBe(9)
  })

  it('delta and rate', () => {
    const odo = [
      [1_000, 100],
      [61_000, 102.5],
    ] as const
    expect(delta.result(odo.reduce((s, [ts, v]) => delta.add(s, v, ts), delta.init()))).toBe(2.5)
    const battery = [
      [0, 80],
      [1_800_000, 75],
    ] as const
    expect(rate.result(battery.reduce((s, [ts, v]) => rate.add(s, v, ts), rate.init()))).toBe(-10)
    expect(rate.result(rate.add(rate.init(), 80, 0))).toBeNull()
    expect(rate.result(rate.add(rate.add(rate.init(), 80, 0), 70, 0))).toBeNull()
    expect(delta.result(delta.add(delta.init(), 80, 0))).toBe(0)
    expect(delta.result(delta.init())).toBeNull()
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AggregatorResult, AnyAggregator } from './aggregator.js'
import { delta, rate } from './change.js'
import { count } from './count.js'
import { distinctCount } from './distinct-count.js'
import { max, min } from './extremes.js'
import { first, last } from './first-last.js'
import { mean } from './mean.js'
import { percentile } from './percentile.js'
import { sum } from './sum.js'
import { timedDouble, timedId } from './testing/arbitraries.js'
import { exactSumReference, varianceReference } from './testing/exact-reference.js'
import { stddev, variance } from './variance.js'

interface Point {
  ts: number
  v: number | string
}

interface Case {
  agg: AnyAggregator
  input: fc.Arbitrary<Point[]>
  reference: (points: Point[]) => AggregatorResult
  /** Asserts `actual` is acceptably close to `expected`; exact unless the aggregator is approximate. */
  check?: (actual: AggregatorResult, expected: AggregatorResult) => void
}

const numbers = fc.array(timedDouble, { maxLength: 40 })
const values = (ps: Point[]) => ps.map((p) => p.v as number)
const byTime = (ps: Point[]) =>
  [...ps].sort((a, b) => a.ts - b.ts || (a.v as number) - (b.v as number)) as { ts: number; v: number }[]

function relative(tolerance: number) {
  return (actual: AggregatorResult, expected: AggregatorResult) => {
    if (expected === null) {
      expect(actual).toBeNull()
      return
    }
    expect(actual).not.toBeNull()
    expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-300)
  }
}

const ddsketchRank = (p: number) => (ps: Point[]) => {
  const sorted = values(ps).sort((a, b) => a - b)
  return sorted.length === 0 ? null : sorted[Math.floor(p * (sorted.length - 1))]!
}

const distinct = distinctCount()

const cases: Case[] = [
  { agg: count, input: numbers, reference: (ps) => ps.length },
  { agg: sum, input: numbers, reference: (ps) => exactSumReference(values(ps)) },
  {
    agg: mean,
    input: numbers,
    reference: (ps) => (ps.length === 0 ? null : exactSumReference(values(ps)) / ps.length),
  },
  { agg: min, input: numbers, reference: (ps) => (ps.length === 0 ? null : Math.min(...values(ps))) },
  { agg: max, input: numbers, reference: (ps) => (ps.length === 0 ? null : Math.max(...values(ps))) },
  { agg: first, input: numbers, reference: (ps) => byTime(ps)[0]?.v ?? null },
  { agg: last, input: numbers, reference: (ps) => byTime(ps).at(-1)?.v ?? null },
  {
    agg: delta,
    input: numbers,
    reference: (ps) => (ps.length === 0 ? null : byTime(ps).at(-1)!.v - byTime(ps)[0]!.v),
  },
  {
    agg: rate,
    input: numbers,
    reference: (ps) => {
      const sorted = byTime(ps)
      const a = sorted[0]
      const b = sorted.at(-1)
      if (ps.length < 2 || a === undefined || b === undefined || a.ts === b.ts) return null
      return ((b.v - a.v) / (b.ts - a.ts)) * 3_600_000
    },
  },
  { agg: variance, input: numbers, reference: (ps) => varianceReference(values(ps)), check: relative(1e-12) },
  {
    agg: stddev,
    input: numbers,
    reference: (ps) => {
      const v = varianceReference(values(ps))
      return v === null ? null : Math.sqrt(v)
    },
    check: relative(1e-12),
  },
  { agg: percentile(0.5), input: numbers, reference: ddsketchRank(0.5), check: relative(0.01 * (1 + 1e-9)) },
  {
    agg: percentile(0.95),
    input: numbers,
    reference: ddsketchRank(0.95),
    check: relative(0.01 * (1 + 1e-9)),
  },
  {
    agg: distinct,
    input: fc.array(timedId, { maxLength: 300 }),
    reference: (ps) => new Set(ps.map((p) => p.v)).size,
    check: (actual, expected) => {
      // Within 3 standard errors, plus one for a register collision among a handful of values.
      expect(Math.abs(actual! - expected!)).toBeLessThanOrEqual(3 * distinct.standardError * expected! + 1)
    },
  },
  { agg: count, input: fc.array(timedId, { maxLength: 40 }), reference: (ps) => ps.length },
]

const build = (agg: AnyAggregator, ps: Point[]) => ps.reduce((s, p) => agg.add(s, p.v, p.ts), agg.init())
const roundTrip = (agg: AnyAggregator, state: unknown) =>
  agg.fromJSON(JSON.parse(JSON.stringify(agg.toJSON(state))))

describe.each(cases)('aggregator $agg.id', ({ agg, input, reference, check }) => {
  const assertClose =
    check ??
    ((actual: AggregatorResult, expected: AggregatorResult) => {
      expect(actual).toBe(expected)
    })

  it('matches a brute-force reference', () => {
    fc.assert(
      fc.property(input, (ps) => {
        assertClose(agg.result(build(agg, ps)), reference(ps))
      }),
      { numRuns: 150 },
    )
  })

  it('merges associatively and commutatively, bit for bit, and like adding everything in one state', () => {
    fc.assert(
      fc.property(input, input, input, (a, b, c) => {
        const [sa, sb, sc] = [build(agg, a), build(agg, b), build(agg, c)]
        const left = agg.result(agg.merge(agg.merge(sa, sb), sc))
        expect(agg.result(agg.merge(sa, agg.merge(sb, sc)))).toBe(left)
        expect(agg.result(agg.merge(sc, agg.merge(sb, sa)))).toBe(left)
        expect(agg.result(build(agg, [...c, ...a, ...b]))).toBe(left)
      }),
      { numRuns: 60 },
    )
  })

  it('leaves merge inputs untouched and has init() as identity', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        const [sa, sb] = [build(agg, a), build(agg, b)]
        const before = JSON.stringify([agg.toJSON(sa), agg.toJSON(sb)])
        const merged = agg.merge(sa, sb)
        agg.add(merged, typeof a[0]?.v === 'string' ? 'extra' : 7, 1)
        expect(JSON.stringify([agg.toJSON(sa), agg.toJSON(sb)])).toBe(before)
        expect(agg.result(agg.merge(agg.init(), sa))).toBe(agg.result(sa))
      }),
      { numRuns: 60 },
    )
  })

  it('survives a JSON round trip with identical results, merges and later adds', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        const sa = build(agg, a)
        const restored = roundTrip(agg, sa)
        expect(agg.result(restored)).toBe(agg.result(sa))
        expect(agg.result(agg.merge(restored, build(agg, b)))).toBe(agg.result(agg.merge(sa, build(agg, b))))
        const more = (s: unknown) => agg.result(b.reduce((st, p) => agg.add(st, p.v, p.ts), s))
        expect(more(restored)).toBe(more(roundTrip(agg, sa)))
        expect(more(roundTrip(agg, sa))).toBe(agg.result(build(agg, [...a, ...b])))
      }),
      { numRuns: 60 },
    )
  })
})

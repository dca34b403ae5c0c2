import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AggregatorResult } from '../aggregators/aggregator.js'
import { delta, rate } from '../aggregators/change.js'
import { count } from '../aggregators/count.js'
import { distinctCount } from '../aggregators/distinct-count.js'
import { max, min } from '../aggregators/extremes.js'
import { first, last } from '../aggregators/first-last.js'
import { mean } from '../aggregators/mean.js'
import { percentile } from '../aggregators/percentile.js'
import { sum } from '../aggregators/sum.js'
import { anyDouble } from '../aggregators/testing/arbitraries.js'
import { stddev, variance } from '../aggregators/variance.js'
import type { WindowAggregates } from './aggregation-plan.js'
import { naiveRun, type Op, type RefWindow } from './testing/naive-windows.js'
import type { AddOutcome, WindowResult } from './window-result.js'
import { hopping, session, sliding, tumbling, type WindowSpec } from './window-spec.js'
import { WindowedAggregation, type WindowedAggregationOptions } from './windowed-aggregation.js'

const distinct = distinctCount()
const p50 = percentile(0.5)
const fields = {
  x: [count, sum, mean, min, max, first, last, delta, rate, variance, stddev, p50],
  tag: [distinct, count],
}

const specs: WindowSpec[] = [
  tumbling('5s'),
  hopping('6s', '2s'),
  hopping('3s', '1s'),
  sliding('4s'),
  session('3s'),
]

// ---- brute-force aggregates over a window's events --------------------------------------------------

function expectedAggregates(w: RefWindow): {
  x: Record<string, number | null>
  tag: Record<string, number | null>
} {
  const xs = w.events
    .filter((e) => typeof e.values.x === 'number' && Number.isFinite(e.values.x))
    .map((e) => ({ ts: e.ts, v: (e.values.x as number) + 0 }))
  const vs = xs.map((p) => p.v)
  const n = vs.length
  const byTime = [...xs].sort((a, b) => a.ts - b.ts || a.v - b.v)
  const firstP = byTime[0]
  const lastP = byTime.at(-1)
  const total = vs.reduce((a, b) => a + b, 0)
  const m = total / n
  const varianceValue = n === 0 ? null : vs.reduce((acc, v) => acc + (v - m) ** 2, 0) / n
  const sorted = [...vs].sort((a, b) => a - b)
  const tags = w.events.map((e) => e.values.tag).filter((t) => typeof t === 'string')
  const spanMs = firstP && lastP ? lastP.ts - firstP.ts : 0
  return {
    x: {
      count: n,
      sum: total,
      mean: n === 0 ? null : m,
      min: n === 0 ? null : sorted[0]!,
      max: n === 0 ? null : sorted[n - 1]!,
      first: firstP?.v ?? null,
      last: lastP?.v ?? null,
      delta: firstP && lastP ? lastP.v - firstP.v : null,
      rate: n < 2 || spanMs === 0 || !firstP || !lastP ? null : ((lastP.v - firstP.v) / spanMs) * 3_600_000,
      variance: varianceValue,
      stddev: varianceValue === null ? null : Math.sqrt(varianceValue),
      p50: n === 0 ? null : sorted[Math.floor(0.5 * (n - 1))]!,
    },
    tag: { distinct: new Set(tags).size, count: tags.length },
  }
}

function within(
  actual: AggregatorResult | undefined,
  expected: number | null,
  relative: number,
  absolute = 0,
) {
  if (expected === null) {
    expect(actual).toBeNull()
    return
  }
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(
    relative * Math.abs(expected) + absolute,
  )
}

function expectMatches(actual: WindowAggregates, w: RefWindow): void {
  const want = expectedAggregates(w)
  const x = actual.x!
  for (const id of ['count', 'sum', 'mean', 'min', 'max', 'first', 'last', 'delta', 'rate'] as const) {
    expect(x[id], id).toBe(want.x[id])
  }
  within(x.variance, want.x.variance!, 1e-9, 1e-12)
  within(x.stddev, want.x.stddev!, 1e-9, 1e-12)
  within(x.p50, want.x.p50!, p50.relativeAccuracy * (1 + 1e-9))
  expect(actual.tag!.count).toBe(want.tag.count)
  within(actual.tag!.distinct, want.tag.distinct!, 3 * distinct.standardError, 1)
}

// ---- driving the engine ---------------------------------------------------------------------------

type Step =
  | { op: 'event'; outcome: AddOutcome }
  | { op: 'watermark' | 'snapshot'; windows: readonly WindowResult[] }

function runEngine(options: WindowedAggregationOptions, ops: readonly Op[], checkpointAfter = -1): Step[] {
  let agg = new WindowedAggregation(options)
  const order = Object.keys(options.fields)
  return ops.map((op, i) => {
    let step: Step
    if (op.op === 'event') {
      // Every other event as a vector (what FeatureView.extract gives the engine), so both input forms meet the
      // reference in every property.
      const values = i % 2 === 0 ? op.values : order.map((f) => op.values[f])
      step = { op: 'event', outcome: agg.add(op.key, op.ts, values) }
    } else if (op.op === 'watermark') step = { op: 'watermark', windows: agg.advanceWatermark(op.wm) }
    else step = { op: 'snapshot', windows: agg.snapshot() }
    if (i === checkpointAfter)
      agg = WindowedAggregation.fromJSON(options, JSON.parse(JSON.stringify(agg.toJSON())))
    return step
  })
}

interface GenEvent {
  key: string
  ts: number
  x: number | null
  tag: string
  delay: number
  snapshot: boolean
}

const MAX_DELAY_MS = 8_000
const delayArb = fc.integer({ min: 0, max: MAX_DELAY_MS / 250 }).map((k) => k * 250)

const genEvent = (x: fc.Arbitrary<number | null>): fc.Arbitrary<GenEvent> =>
  fc.record({
    key: fc.constantFrom('a', 'b', 'c'),
    // A 250 ms grid makes events land exactly on window bounds, gaps and grace limits often.
    ts: fc.integer({ min: 0, max: 120 }).map((k) => k * 250),
    x,
    tag: fc.integer({ min: 0, max: 20 }).map((i) => `t${i}`),
    delay: delayArb,
    snapshot: fc.integer({ min: 0, max: 3 }).map((i) => i === 0),
  })

// Dyadic values (k/8) keep the brute-force float sums exact, so exact aggregates compare with toBe.
const dyadicOrMissing = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -8_000, max: 8_000 }).map((k): number | null => k / 8) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
)

/**
 * Arrival order = event time + a random delay, so disorder is bounded by the largest delay; after each
 * event the watermark moves to (max event time seen − lag). A lag below the delays makes late events.
 */
function toOps(events: readonly GenEvent[], lag: number, delays?: readonly number[]): Op[] {
  const arrival = events
    .map((e, i) => ({ e, at: e.ts + (delays?.[i] ?? e.delay), i }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
  const ops: Op[] = []
  let maxSeen = Number.NEGATIVE_INFINITY
  for (const { e } of arrival) {
    ops.push({ op: 'event', key: e.key, ts: e.ts, values: { x: e.x, tag: e.tag } })
    if (e.snapshot) ops.push({ op: 'snapshot' })
    maxSeen = Math.max(maxSeen, e.ts)
    ops.push({ op: 'watermark', wm: maxSeen - lag })
  }
  ops.push({ op: 'snapshot' }, { op: 'watermark', wm: Number.POSITIVE_INFINITY })
  return ops
}

const emitted = (steps: Step[]) =>
  steps
    .flatMap((s) => (s.op === 'watermark' ? s.windows : []))
    .sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.start - b.start)

describe.each(specs)('$kind window $label', (spec) => {
  it('matches a brute-force model on random out-of-order streams with late events and snapshots', () => {
    fc.assert(
      fc.property(
        fc.array(genEvent(dyadicOrMissing), { maxLength: 60 }),
        fc.integer({ min: 0, max: 20 }).map((k) => k * 250),
        fc.constantFrom(0, 1_000, 2_500),
        (events, lag, graceMs) => {
          const ops = toOps(events, lag)
          const want = naiveRun(spec, graceMs, ops)
          const got = runEngine({ window: spec, graceMs, fields }, ops)
          expect(got.length).toBe(want.length)
          got.forEach((step, i) => {
            const ref = want[i]!
            expect(step.op).toBe(ref.op)
            if (step.op === 'event' && ref.op === 'event') {
              expect(step.outcome).toBe(ref.outcome)
            } else if (step.op !== 'event' && ref.op !== 'event') {
              const bounds = (ws: readonly { key: string; start: number; end: number }[]) =>
                ws.map(({ key, start, end }) => `${key}[${start},${end})`)
              expect(bounds(step.windows), `${step.op} #${i}`).toEqual(bounds(ref.windows))
              for (const [j, w] of step.windows.entries()) expectMatches(w.aggregates, ref.windows[j]!)
            }
          })
        },
      ),
      { numRuns: 80 },
    )
  })

  it('continues identically after a JSON checkpoint round trip at any point', () => {
    fc.assert(
      fc.property(
        fc.array(genEvent(dyadicOrMissing), { maxLength: 40 }),
        fc.integer({ min: 0, max: 20 }).map((k) => k * 250),
        fc.nat(),
        (events, lag, cut) => {
          const ops = toOps(events, lag)
          const options = { window: spec, graceMs: 1_000, fields }
          expect(runEngine(options, ops, cut % ops.length)).toEqual(runEngine(options, ops))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('emits bit-identical results for two arrival orders that both stay within the watermark lag', () => {
    fc.assert(
      fc.property(
        fc.array(genEvent(anyDouble), { maxLength: 50 }),
        fc.array(delayArb, { minLength: 50, maxLength: 50 }),
        fc.constantFrom(0, 1_000),
        (events, otherDelays, graceMs) => {
          const options = { window: spec, graceMs, fields }
          // Lag = the largest possible delay, so nothing is ever late.
          const a = runEngine(options, toOps(events, MAX_DELAY_MS))
          const b = runEngine(options, toOps(events, MAX_DELAY_MS, otherDelays))
          const inOrder = runEngine(options, toOps(events, 0, new Array(events.length).fill(0)))
          for (const steps of [a, b]) {
            expect(steps.filter((s) => s.op === 'event' && s.outcome === 'late')).toEqual([])
          }
          expect(emitted(b)).toEqual(emitted(a))
          expect(emitted(inOrder)).toEqual(emitted(a))
        },
      ),
      { numRuns: 40 },
    )
  })
})

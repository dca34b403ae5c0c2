import { DDSketch } from '@datadog/sketches-js'
import { z } from 'zod'
import { FreshetError } from '../errors.js'
import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'

export interface PercentileOptions {
  /** DDSketch relative accuracy α in (0, 1): every answer is within ±α·|exact|. Default 0.01. */
  relativeAccuracy?: number
}

/** The percentile aggregator type, exposing its quantile and accuracy. */
export interface PercentileAggregator extends Aggregator<DDSketch> {
  /** Quantile in [0, 1]. */
  readonly p: number
  readonly relativeAccuracy: number
}

/** Stable id for a quantile: 0.95 → 'p95', 0.5 → 'p50', 0.999 → 'p99_9' (no dot, it goes in column names). */
export function percentileId(p: number): string {
  return `p${String(Number((p * 100).toPrecision(12))).replace('.', '_')}`
}

// One store as the first key and the counts from there on: compact, and exact (counts are integers).
const StoreJson = z.object({ from: z.number().int(), counts: z.array(z.number().nonnegative()) }).nullable()
const State = z.object({ zero: z.number().nonnegative(), pos: StoreJson, neg: StoreJson })

type Store = DDSketch['store']

function storeToJSON(store: Store): z.infer<typeof StoreJson> {
  if (store.count === 0) return null
  const counts: number[] = []
  for (let key = store.minKey; key <= store.maxKey; key++) counts.push(store.bins[key - store.offset] ?? 0)
  return { from: store.minKey, counts }
}

function storeFromJSON(store: Store, json: z.infer<typeof StoreJson>): void {
  if (json === null) return
  json.counts.forEach((n, i) => {
    if (n > 0) store.add(json.from + i, n)
  })
}

/**
 * Adds `src` into `dst`. Not `DDSketch#merge`: in @datadog/sketches-js 2.1.1 it drops the negative-value
 * store whenever the target is non-empty (DataDog/sketches-js#22), which would corrupt any window that
 * sees negative values (acceleration, battery drain).
 */
function mergeInto(dst: DDSketch, src: DDSketch): void {
  if (src.count === 0) return
  dst.store.merge(src.store)
  dst.negativeStore.merge(src.negativeStore)
  dst.zeroCount += src.zeroCount
  dst.count += src.count
  dst.sum += src.sum
  dst.min = Math.min(dst.min, src.min)
  dst.max = Math.max(dst.max, src.max)
}

/**
 * Approximate quantile via DDSketch: for n values the answer is within ±α·|x| of x, the value of rank
 * ⌊p·(n − 1)⌋ (0-based) in sorted order. Null for an empty window. Bins are integer counts, so merges are
 * exact and the answer does not depend on arrival order or tile grouping.
 *
 * @example
 * const p95 = percentile(0.95)
 * const s = Array.from({ length: 100 }, (_, i) => i + 1).reduce((st, v) => p95.add(st, v, 0), p95.init())
 * p95.result(s) // ≈ 95 (within 1%)
 */
export function percentile(p: number, options: PercentileOptions = {}): PercentileAggregator {
  const relativeAccuracy = options.relativeAccuracy ?? 0.01
  if (!(p >= 0 && p <= 1)) {
    throw new FreshetError('CONFIG_INVALID', `percentile quantile must be in [0, 1], got ${p}`)
  }
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `percentile relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`,
    )
  }
  const id = percentileId(p)
  const create = () => new DDSketch({ relativeAccuracy })
  return {
    id,
    input: 'number',
    p,
    relativeAccuracy,
    init: create,
    add: (state, value) => {
      state.accept(value)
      return state
    },
    merge: (a, b) => {
      const out = create()
      mergeInto(out, a)
      mergeInto(out, b)
      return out
    },
    result: (state) => (state.count === 0 ? null : state.getValueAtQuantile(p)),
    toJSON: (state) => ({
      zero: state.zeroCount,
      pos: storeToJSON(state.store),
      neg: storeToJSON(state.negativeStore),
    }),
    fromJSON: (json) => {
      const parsed = parseState(id, State, json)
      const sketch = create()
      storeFromJSON(sketch.store, parsed.pos)
      storeFromJSON(sketch.negativeStore, parsed.neg)
      sketch.zeroCount = parsed.zero
      sketch.count = sketch.store.count + sketch.negativeStore.count + parsed.zero
      return sketch
    },
  }
}

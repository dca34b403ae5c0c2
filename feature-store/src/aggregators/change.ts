import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'
import { earliest, latest, precedes, type TimedPoint, TimedPointSchema } from './timed-point.js'

/** Endpoints by event time (same tie rule as `first`/`last`) and how many values lie between them. */
export interface ChangeState {
  n: number
  first: TimedPoint | null
  last: TimedPoint | null
}

const State = z.object({
  n: z.number().int().nonnegative(),
  first: TimedPointSchema.nullable(),
  last: TimedPointSchema.nullable(),
})

const HOUR_MS = 3_600_000

function changeAggregator(
  id: string,
  result: (state: ChangeState) => number | null,
): Aggregator<ChangeState> {
  return {
    id,
    input: 'number',
    init: () => ({ n: 0, first: null, last: null }),
    add: (state, value, ts) => {
      const point = { ts, v: value }
      state.n += 1
      if (state.first === null || precedes(point, state.first)) state.first = point
      if (state.last === null || precedes(state.last, point)) state.last = { ts, v: value }
      return state
    },
    merge: (a, b) => ({ n: a.n + b.n, first: earliest(a.first, b.first), last: latest(a.last, b.last) }),
    result,
    toJSON: (state) => ({ n: state.n, first: state.first, last: state.last }),
    fromJSON: (json) => parseState(id, State, json),
  }
}

/**
 * Last minus first value by event time (e.g. odometer distance covered in the window); null when
 * empty, 0 for a single value.
 *
 * @example
 * const s = [[1_000, 100], [61_000, 102.5]].reduce((st, [ts, v]) => delta.add(st, v!, ts!), delta.init())
 * delta.result(s) // 2.5
 */
export const delta: Aggregator<ChangeState> = changeAggregator('delta', (state) =>
  state.first === null || state.last === null ? null : state.last.v - state.first.v,
)

/**
 * Change per hour between the first and last value by event time (e.g. battery drain in %/h).
 * Null with fewer than two values or when they share one timestamp (no time span to divide by).
 *
 * @example
 * const s = [[0, 80], [1_800_000, 75]].reduce((st, [ts, v]) => rate.add(st, v!, ts!), rate.init())
 * rate.result(s) // -10 (%/h)
 */
export const rate: Aggregator<ChangeState> = changeAggregator('rate', (state) => {
  if (state.n < 2 || state.first === null || state.last === null) return null
  const spanMs = state.last.ts - state.first.ts
  return spanMs === 0 ? null : ((state.last.v - state.first.v) / spanMs) * HOUR_MS
})

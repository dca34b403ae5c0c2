import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'
import { precedesAt, TimedPointSchema } from './timed-point.js'

/**
 * How many values a window saw and its endpoints by event time (same tie rule as `first`/`last`), packed as
 * `[n, firstTs, firstV, lastTs, lastV]` with NaN times for a missing endpoint. Why a tuple: a state lives in
 * every pane of every key, and one array of unboxed doubles takes 88 bytes where an object holding two point
 * objects took 192. Its JSON form is unchanged: `{ n, first: { ts, v } | null, last: { ts, v } | null }`.
 */
export type ChangeState = [n: number, firstTs: number, firstV: number, lastTs: number, lastV: number]

const N = 0
const FIRST_TS = 1
const FIRST_V = 2
const LAST_TS = 3
const LAST_V = 4

const State = z.object({
  n: z.number().int().nonnegative(),
  first: TimedPointSchema.nullable(),
  last: TimedPointSchema.nullable(),
})

const HOUR_MS = 3_600_000

const hasFirst = (s: ChangeState) => !Number.isNaN(s[FIRST_TS])
const hasLast = (s: ChangeState) => !Number.isNaN(s[LAST_TS])

/** The state holding the earlier first endpoint of the two (`a` on a tie, as `earliest` decides). */
function firstOf(a: ChangeState, b: ChangeState): ChangeState {
  if (!hasFirst(b)) return a
  return hasFirst(a) && !precedesAt(b[FIRST_TS], b[FIRST_V], a[FIRST_TS], a[FIRST_V]) ? a : b
}

/** The state holding the later last endpoint of the two (`a` on a tie, as `latest` decides). */
function lastOf(a: ChangeState, b: ChangeState): ChangeState {
  if (!hasLast(b)) return a
  return hasLast(a) && !precedesAt(a[LAST_TS], a[LAST_V], b[LAST_TS], b[LAST_V]) ? a : b
}

function changeAggregator(
  id: string,
  result: (state: ChangeState) => number | null,
): Aggregator<ChangeState> {
  return {
    id,
    input: 'number',
    init: () => [0, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    add: (state, value, ts) => {
      state[N] += 1
      if (!hasFirst(state) || precedesAt(ts, value, state[FIRST_TS], state[FIRST_V])) {
        state[FIRST_TS] = ts
        state[FIRST_V] = value
      }
      if (!hasLast(state) || precedesAt(state[LAST_TS], state[LAST_V], ts, value)) {
        state[LAST_TS] = ts
        state[LAST_V] = value
      }
      return state
    },
    merge: (a, b) => {
      const first = firstOf(a, b)
      const last = lastOf(a, b)
      return [a[N] + b[N], first[FIRST_TS], first[FIRST_V], last[LAST_TS], last[LAST_V]]
    },
    result,
    toJSON: (state) => ({
      n: state[N],
      first: hasFirst(state) ? { ts: state[FIRST_TS], v: state[FIRST_V] } : null,
      last: hasLast(state) ? { ts: state[LAST_TS], v: state[LAST_V] } : null,
    }),
    fromJSON: (json) => {
      const { n, first, last } = parseState(id, State, json)
      return [
        n,
        first?.ts ?? Number.NaN,
        first?.v ?? Number.NaN,
        last?.ts ?? Number.NaN,
        last?.v ?? Number.NaN,
      ]
    },
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
  hasFirst(state) && hasLast(state) ? state[LAST_V] - state[FIRST_V] : null,
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
  if (state[N] < 2 || !hasFirst(state) || !hasLast(state)) return null
  const spanMs = state[LAST_TS] - state[FIRST_TS]
  return spanMs === 0 ? null : ((state[LAST_V] - state[FIRST_V]) / spanMs) * HOUR_MS
})

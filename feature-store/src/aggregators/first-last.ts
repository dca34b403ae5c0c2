import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'
import { copy, earliest, latest, precedesAt, type TimedPoint, TimedPointSchema } from './timed-point.js'

const State = TimedPointSchema.nullable()

/**
 * Value with the smallest event time; on a timestamp tie, the smallest value. Null when empty.
 *
 * @example
 * first.result(first.add(first.add(first.init(), 9, 2_000), 4, 1_000)) // 4 (arrived later, happened earlier)
 */
export const first: Aggregator<TimedPoint | null> = {
  id: 'first',
  input: 'number',
  init: () => null,
  add: (state, value, ts) => {
    if (state === null) return { ts, v: value }
    // In place, no allocation per event: states never share their point (merge and toJSON copy it).
    if (precedesAt(ts, value, state.ts, state.v)) {
      state.ts = ts
      state.v = value
    }
    return state
  },
  merge: earliest,
  result: (state) => (state === null ? null : state.v),
  toJSON: copy,
  fromJSON: (json) => parseState('first', State, json),
}

/**
 * Value with the largest event time; on a timestamp tie, the largest value. Null when empty.
 *
 * @example
 * last.result(last.add(last.add(last.init(), 9, 2_000), 4, 1_000)) // 9
 */
export const last: Aggregator<TimedPoint | null> = {
  id: 'last',
  input: 'number',
  init: () => null,
  add: (state, value, ts) => {
    if (state === null) return { ts, v: value }
    if (precedesAt(state.ts, state.v, ts, value)) {
      state.ts = ts
      state.v = value
    }
    return state
  },
  merge: latest,
  result: (state) => (state === null ? null : state.v),
  toJSON: copy,
  fromJSON: (json) => parseState('last', State, json),
}

import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { EMPTY_SUM, type ExactSum, exactAdd, exactMerge, exactValue } from './exact-sum.js'
import { parseState } from './state-codec.js'

const State = z.array(z.number())

/**
 * Sum of values, exact and so independent of order; 0 for an empty window (like ClickHouse `sum`).
 * State is the list of exact partials (plain JSON).
 *
 * @example
 * sum.result([0.1, 0.2, 0.3].reduce((s, v) => sum.add(s, v, 0), sum.init())) // 0.6
 */
export const sum: Aggregator<ExactSum, number> = {
  id: 'sum',
  input: 'number',
  init: () => EMPTY_SUM,
  add: (state, value) => exactAdd(state, value),
  merge: exactMerge,
  result: exactValue,
  toJSON: (state) => state.slice(),
  fromJSON: (json) => parseState('sum', State, json),
}

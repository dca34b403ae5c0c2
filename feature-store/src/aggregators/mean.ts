import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { EMPTY_SUM, type ExactSum, exactAdd, exactMerge, exactValue } from './exact-sum.js'
import { parseState } from './state-codec.js'

/** Count and exact sum: the mean is rounded once at the end, so any order gives the same bits. */
export interface MeanState {
  n: number
  sum: ExactSum
}

const State = z.object({ n: z.number().int().nonnegative(), sum: z.array(z.number()) })

/**
 * Arithmetic mean; null for an empty window.
 *
 * @example
 * mean.result(mean.add(mean.add(mean.init(), 3, 0), 5, 0)) // 4
 */
export const mean: Aggregator<MeanState> = {
  id: 'mean',
  input: 'number',
  init: () => ({ n: 0, sum: EMPTY_SUM }),
  add: (state, value) => {
    state.n += 1
    state.sum = exactAdd(state.sum, value)
    return state
  },
  merge: (a, b) => ({ n: a.n + b.n, sum: exactMerge(a.sum, b.sum) }),
  result: (state) => (state.n === 0 ? null : exactValue(state.sum) / state.n),
  toJSON: (state) => ({ n: state.n, sum: state.sum.slice() }),
  fromJSON: (json) => parseState('mean', State, json),
}

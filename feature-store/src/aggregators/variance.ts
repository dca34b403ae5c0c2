import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { EMPTY_SUM, type ExactSum, exactAdd, exactAddProduct, exactMerge, exactValue } from './exact-sum.js'
import { parseState } from './state-codec.js'

/**
 * Count, exact Σx and exact Σx² (each square split into product + rounding error, so nothing is lost).
 *
 * Why not Welford/Chan: their merge is stable but rounds at every step, so two arrival orders or two
 * tile groupings differ in the last bits. Exact power sums merge exactly (associative and commutative
 * bit for bit) and, evaluated as below, avoid the cancellation that makes a float Σx² − (Σx)²/n unstable.
 */
export interface VarianceState {
  n: number
  sum: ExactSum
  sumSq: ExactSum
}

const State = z.object({
  n: z.number().int().nonnegative(),
  sum: z.array(z.number()),
  sumSq: z.array(z.number()),
})

/**
 * Population variance (n·Σx² − (Σx)²) / n². The numerator is expanded into exact products (each partial
 * of Σx² times n, every pair of partials of Σx) and rounded once, so there is no cancellation error even
 * for a large offset with a tiny spread (odometer readings around 1e6 km): about 2 ulp overall.
 */
function populationVariance(state: VarianceState): number | null {
  const n = state.n
  if (n === 0) return null
  if (n === 1) return 0
  let terms: ExactSum = []
  for (const q of state.sumSq) terms = exactAddProduct(terms, n, q)
  for (const a of state.sum) {
    for (const b of state.sum) terms = exactAddProduct(terms, -a, b)
  }
  return Math.max(0, exactValue(terms)) / (n * n)
}

function varianceAggregator(
  id: string,
  result: (state: VarianceState) => number | null,
): Aggregator<VarianceState> {
  return {
    id,
    input: 'number',
    init: () => ({ n: 0, sum: EMPTY_SUM, sumSq: EMPTY_SUM }),
    add: (state, value) => {
      state.n += 1
      state.sum = exactAdd(state.sum, value)
      state.sumSq = exactAddProduct(state.sumSq, value, value)
      return state
    },
    merge: (a, b) => ({ n: a.n + b.n, sum: exactMerge(a.sum, b.sum), sumSq: exactMerge(a.sumSq, b.sumSq) }),
    result,
    toJSON: (state) => ({ n: state.n, sum: state.sum.slice(), sumSq: state.sumSq.slice() }),
    fromJSON: (json) => parseState(id, State, json),
  }
}

/**
 * Population variance (divides by n, like numpy's default and ClickHouse `varPop`): it describes the
 * window's own values and is defined (0) for a single value. Null when empty.
 *
 * @example
 * const s = [2, 4, 4, 4, 5, 5, 7, 9].reduce((st, v) => variance.add(st, v, 0), variance.init())
 * variance.result(s) // 4
 */
export const variance: Aggregator<VarianceState> = varianceAggregator('variance', populationVariance)

/**
 * Population standard deviation, √variance. Null when empty.
 *
 * @example
 * const s = [2, 4, 4, 4, 5, 5, 7, 9].reduce((st, v) => stddev.add(st, v, 0), stddev.init())
 * stddev.result(s) // 2
 */
export const stddev: Aggregator<VarianceState> = varianceAggregator('stddev', (state) => {
  const v = populationVariance(state)
  return v === null ? null : Math.sqrt(v)
})

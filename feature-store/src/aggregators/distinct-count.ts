import { FreshetError } from '../errors.js'
import type { Aggregator } from './aggregator.js'
import {
  type HyperLogLogState,
  hllAdd,
  hllCreate,
  hllEstimate,
  hllFromJSON,
  hllMerge,
  hllStandardError,
  hllToJSON,
} from './hyperloglog.js'

export interface DistinctCountOptions {
  /** log2 of the register count, 4..16. Default 12: 4096 registers, ±1.6% standard error, ≤ 4 KiB. */
  precision?: number
}

/** The distinct-count aggregator type, exposing its sketch's accuracy for tests and docs. */
export interface DistinctCountAggregator extends Aggregator<HyperLogLogState, number, number | string> {
  readonly precision: number
  /** Relative standard error of the estimate (1.04/√m). */
  readonly standardError: number
}

/**
 * Approximate number of distinct values (HyperLogLog). Takes strings or numbers; numbers count by their
 * decimal form, so 5 and '5' are one value. 0 for an empty window. Id 'distinct' whatever the precision.
 *
 * @example
 * const riders = distinctCount()
 * const s = ['r1', 'r2', 'r1'].reduce((st, v) => riders.add(st, v, 0), riders.init())
 * riders.result(s) // 2
 */
export function distinctCount(options: DistinctCountOptions = {}): DistinctCountAggregator {
  const precision = options.precision ?? 12
  hllCreate(precision) // validates up front, at definition time
  return {
    id: 'distinct',
    input: 'number-or-string',
    precision,
    standardError: hllStandardError(precision),
    init: () => hllCreate(precision),
    add: (state, value) => hllAdd(state, value),
    merge: hllMerge,
    result: hllEstimate,
    toJSON: hllToJSON,
    fromJSON: (json) => {
      const state = hllFromJSON('distinct', json)
      if (state.p !== precision) {
        throw new FreshetError(
          'INTERNAL',
          `checkpointed 'distinct' sketch has precision ${state.p}, this aggregator uses ${precision}`,
        )
      }
      return state
    },
  }
}

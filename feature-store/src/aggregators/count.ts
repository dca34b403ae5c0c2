import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'

const State = z.number().int().nonnegative()

/**
 * Number of values in the window; 0 (not null) when empty. Takes numbers and strings alike.
 *
 * @example
 * count.result(count.add(count.init(), 42, 1_000)) // 1
 */
export const count: Aggregator<number, number, number | string> = {
  id: 'count',
  input: 'number-or-string',
  init: () => 0,
  add: (state) => state + 1,
  merge: (a, b) => a + b,
  result: (state) => state,
  toJSON: (state) => state,
  fromJSON: (json) => parseState('count', State, json),
}

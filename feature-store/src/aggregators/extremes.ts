import { z } from 'zod'
import type { Aggregator } from './aggregator.js'
import { parseState } from './state-codec.js'

const State = z.number().nullable()

/**
 * Smallest value; null for an empty window. State is the value itself (plain JSON).
 *
 * @example
 * min.result(min.add(min.add(min.init(), 7, 0), 3, 0)) // 3
 */
export const min: Aggregator<number | null> = {
  id: 'min',
  input: 'number',
  init: () => null,
  add: (state, value) => (state === null || value < state ? value : state),
  merge: (a, b) => (a === null ? b : b === null || a <= b ? a : b),
  result: (state) => state,
  toJSON: (state) => state,
  fromJSON: (json) => parseState('min', State, json),
}

/**
 * Largest value; null for an empty window.
 *
 * @example
 * max.result(max.add(max.add(max.init(), 7, 0), 3, 0)) // 7
 */
export const max: Aggregator<number | null> = {
  id: 'max',
  input: 'number',
  init: () => null,
  add: (state, value) => (state === null || value > state ? value : state),
  merge: (a, b) => (a === null ? b : b === null || a >= b ? a : b),
  result: (state) => state,
  toJSON: (state) => state,
  fromJSON: (json) => parseState('max', State, json),
}

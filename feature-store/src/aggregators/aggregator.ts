/** What an aggregator can be fed: numbers for the numeric ones, strings too for `distinctCount`. */
export type AggregatorInput = number | string

/** What every built-in aggregator produces: `null` where the statistic is undefined (mean of nothing). */
export type AggregatorResult = number | null

/**
 * The aggregation protocol shared by the live runtime, replay/backfill and the offline test driver.
 *
 * Contract:
 * - `add` MAY mutate `state` and return it (the hot path allocates nothing); always use its return value.
 * - `merge` never mutates its inputs and returns a state that shares nothing mutable with them, so
 *   panes/tiles can be merged into window results while they keep receiving events.
 * - `merge` is associative and commutative, and `init()` is its identity. Count, sum, mean, variance,
 *   min, max, first, last, delta and rate merge exactly (bit-identical results for any order or grouping);
 *   sketches merge as their algorithms guarantee (register max / bin sums: also order-free).
 * - `toJSON` returns JSON-safe data and `fromJSON(toJSON(s))` yields identical `result`s and merges,
 *   so state survives a changelog/snapshot round trip.
 * - Inputs are finite numbers (the window engine drops NaN/Infinity as missing values before `add`).
 *
 * @example
 * const s = mean.add(mean.add(mean.init(), 3, 1_000), 5, 2_000)
 * mean.result(s) // 4
 * mean.result(mean.fromJSON(JSON.parse(JSON.stringify(mean.toJSON(s))))) // 4
 */
export interface Aggregator<
  S,
  R extends AggregatorResult = AggregatorResult,
  V extends AggregatorInput = number,
> {
  /** Stable id used in feature names and the registry, e.g. 'mean', 'p95', 'distinct'. */
  readonly id: string
  /** Which inputs `add` takes; the window engine treats values of another type as missing. */
  readonly input: 'number' | 'number-or-string'
  init(): S
  add(state: S, value: V, ts: number): S
  merge(a: S, b: S): S
  result(state: S): R
  toJSON(state: S): unknown
  fromJSON(json: unknown): S
}

/**
 * Any aggregator, with its state type erased: what definitions and the window engine hold.
 * Methods (not function properties) keep parameters bivariant, so every concrete aggregator fits.
 */
// biome-ignore lint/suspicious/noExplicitAny: state types are erased on purpose; each aggregator only ever sees its own states
export type AnyAggregator = Aggregator<any, AggregatorResult, any>

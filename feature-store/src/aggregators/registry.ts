import { FreshetError } from '../errors.js'
import type { AnyAggregator } from './aggregator.js'
import { delta, rate } from './change.js'
import { count } from './count.js'
import { distinctCount } from './distinct-count.js'
import { max, min } from './extremes.js'
import { first, last } from './first-last.js'
import { mean } from './mean.js'
import { percentile } from './percentile.js'
import { sum } from './sum.js'
import { stddev, variance } from './variance.js'

/** The fixed-id aggregators with default settings; percentiles are resolved from ids like 'p95'. */
export const AGGREGATORS: Readonly<Record<string, AnyAggregator>> = Object.freeze({
  count,
  sum,
  mean,
  min,
  max,
  first,
  last,
  variance,
  stddev,
  delta,
  rate,
  distinct: distinctCount(),
})

// 'p95', 'p50', 'p99_9': the same spelling `percentileId` produces.
const PERCENTILE_ID = /^p(\d{1,3}(?:_\d+)?)$/

/**
 * Looks an aggregator up by its stable id, so definitions and checkpoints can name aggregators as data.
 * Percentile ids ('p0'..'p100', 'p99_9') build a default-accuracy `percentile`.
 *
 * @example
 * resolveAggregator('mean') === mean // true
 * resolveAggregator('p95').id // 'p95'
 * resolveAggregator('median') // throws FreshetError CONFIG_INVALID
 */
export function resolveAggregator(id: string): AnyAggregator {
  const fixed = Object.hasOwn(AGGREGATORS, id) ? AGGREGATORS[id] : undefined
  if (fixed !== undefined) return fixed
  const match = PERCENTILE_ID.exec(id)
  if (match?.[1] !== undefined) {
    const p = Number(match[1].replace('_', '.')) / 100
    if (p <= 1) {
      const agg = percentile(p)
      // Only the canonical spelling, so one quantile never shows up under two feature names.
      if (agg.id === id) return agg
    }
  }
  throw new FreshetError(
    'CONFIG_INVALID',
    `unknown aggregator id '${id}'; known: ${Object.keys(AGGREGATORS).join(', ')}, p<0..100> (e.g. p95, p99_9)`,
  )
}

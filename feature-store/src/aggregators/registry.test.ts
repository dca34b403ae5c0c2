import { describe, expect, it } from 'vitest'
import { FreshetError } from '../errors.js'
import { count } from './count.js'
import { mean } from './mean.js'
import { AGGREGATORS, resolveAggregator } from './registry.js'

describe('aggregator registry', () => {
  it('resolves fixed ids to the shared aggregators and every id matches its key', () => {
    expect(resolveAggregator('mean')).toBe(mean)
    expect(resolveAggregator('count')).toBe(count)
    for (const [id, agg] of Object.entries(AGGREGATORS)) expect(agg.id).toBe(id)
  })

  it('builds percentiles from their canonical ids only', () => {
    expect(resolveAggregator('p95').id).toBe('p95')
    expect(resolveAggregator('p99_9').id).toBe('p99_9')
    expect(resolveAggregator('p0').id).toBe('p0')
    for (const id of ['p101', 'p095', 'p99_90', 'p99.9', 'median', 'toString', '__proto__']) {
      expect(() => resolveAggregator(id), id).toThrow(FreshetError)
    }
  })

  it('tells which ids exist when one is unknown', () => {
    expect(() => resolveAggregator('avg')).toThrow(/unknown aggregator id 'avg'.*mean/)
  })
})

import { formatFeatureRef, isFreshetError } from '@freshet/feature-store'
import { describe, expect, it } from 'vitest'
import { carSpeed, zoneLoad } from '../clickhouse/testing/fixtures.js'
import { resolveFeatureRefs } from './feature-refs.js'

const views = [carSpeed, zoneLoad]

describe('feature ref resolution', () => {
  it('expands view:vN to every output in definition order and drops repeats, first mention first', () => {
    const refs = resolveFeatureRefs(
      ['zone_load:v1:speed_kmh_sum_15m', 'car_speed:v1', ' car_speed:v1:speed_kmh_max_5m', 'zone_load:v1'],
      views,
    )
    expect(refs.map(formatFeatureRef)).toEqual([
      'zone_load:v1:speed_kmh_sum_15m',
      ...carSpeed.outputs.map((o) => `car_speed:v1:${o.name}`),
    ])
  })

  it('reports every malformed, unknown view and unknown feature entry in one error', () => {
    let err: unknown
    try {
      resolveFeatureRefs(
        ['car_speed', 'car_speed:v2', 'car_speed:v1:nope_5m', 'car_speed:v1:speed_kmh_max_5m'],
        views,
      )
    } catch (e) {
      err = e
    }
    expect(isFreshetError(err) && err.code).toBe('CONFIG_INVALID')
    const message = (err as Error).message
    expect(message).toContain("'car_speed' is not a feature ref")
    expect(message).toContain('unknown feature view car_speed:v2 (known: car_speed:v1, zone_load:v1)')
    expect(message).toContain("car_speed:v1 has no feature 'nope_5m'")
  })

  it('refuses an empty selection', () => {
    expect(() => resolveFeatureRefs([], views)).toThrow(/at least one feature/)
  })
})

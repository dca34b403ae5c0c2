import { describe, expect, it } from 'vitest'
import { percentile } from '../aggregators/percentile.js'
import { hopping, tumbling } from '../windows/window-spec.js'
import { diffDefinitions } from './definition-diff.js'
import { describeView } from './describe-view.js'
import { defineTestView, rideFixtureInput } from './testing/fixture-views.js'

const registered = describeView(defineTestView(rideFixtureInput))

describe('diffDefinitions', () => {
  it('is empty for equal definitions, whatever the metadata', () => {
    const renamed = describeView(defineTestView({ ...rideFixtureInput, owner: 'other', description: 'x' }))
    expect(diffDefinitions(registered, renamed)).toEqual([])
  })

  it('names each change by path, matching windows, fields and features by name', () => {
    const changed = describeView(
      defineTestView({
        ...rideFixtureInput,
        grace: '1m',
        key: (e) => e.riderId,
        windows: [hopping('15m', '5m'), tumbling('1h')],
        features: {
          ...rideFixtureInput.features,
          fare: [percentile(0.95, { relativeAccuracy: 0.02 })],
        },
      }),
    )
    expect(diffDefinitions(registered, changed)).toEqual([
      'graceMs: 30000 → 60000',
      'windows[15m].slideMs: 60000 → 300000',
      'fields[fare].aggregators: removed mean, max',
      'fields[fare].aggregators[p95].params.relativeAccuracy: 0.01 → 0.02',
      'features: removed fare_mean_15m, fare_max_15m, fare_mean_1h, fare_max_1h',
      'functions.key: "e=>e.zone" → "e=>e.riderId"',
    ])
  })

  it('reports an added filter and a reordered window list', () => {
    const { filter: _filter, ...noFilter } = rideFixtureInput
    const before = describeView(defineTestView(noFilter))
    const after = describeView(
      defineTestView({ ...rideFixtureInput, windows: [tumbling('1h'), hopping('15m', '1m')] }),
    )
    expect(diffDefinitions(before, after)).toEqual([
      'windows: reordered, #1 is now 1h (was 15m)',
      'features: reordered, #1 is now fare_mean_1h (was fare_mean_15m)',
      'functions.filter: null → "e=>e.type!==\\"test\\""',
    ])
  })
})

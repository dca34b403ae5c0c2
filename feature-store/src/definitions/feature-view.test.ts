import { describe, expect, it } from 'vitest'
import { count } from '../aggregators/count.js'
import { hopping, session } from '../windows/window-spec.js'
import { defineFeatureView, type FeatureViewInput } from './feature-view.js'

interface Ping {
  zone: string
  ts: number
}

const base: FeatureViewInput<Ping> = {
  name: 'zone_pings',
  version: 1,
  entity: 'zone',
  description: 'pings per zone',
  owner: 'test',
  source: { topic: 't', schema: { name: 'ping', version: 1, schema: undefined as never } },
  key: (e) => e.zone,
  eventTime: (e) => e.ts,
  windows: [hopping('15m', '1m')],
  grace: '30s',
  emit: 'final',
  features: { ts: [count] },
  ttl: '5m',
  repartition: true,
}

describe('defineFeatureView: repartitioned views', () => {
  it('marks a view keyed unlike its topic for two-phase aggregation', () => {
    expect(defineFeatureView(base).repartition).toBe(true)
    expect(defineFeatureView({ ...base, repartition: undefined }).repartition).toBe(false)
  })

  it('refuses updating emission and windows whose extent is unknown in advance', () => {
    expect(() => defineFeatureView({ ...base, emit: 'updating' })).toThrow(/'final' records only/)
    expect(() => defineFeatureView({ ...base, windows: [session('5m')] })).toThrow(/tumbling or hopping/)
  })
})

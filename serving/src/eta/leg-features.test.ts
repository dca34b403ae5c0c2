import type { OnlineFeatureValue } from '@freshet/feature-store'
import { describe, expect, it } from 'vitest'
import { TEST_INPUTS, testModelCard } from '../model/testing/model-dir.js'
import { buildFeaturePlan } from './feature-plan.js'
import { fillLeg } from './leg-features.js'

// No longitude on the card: the plan must add it to place the leg.
const inputs = [TEST_INPUTS.legDistance, TEST_INPUTS.carSpeed, TEST_INPUTS.zoneSpeed, TEST_INPUTS.lat]
const plan = buildFeaturePlan(testModelCard('t', inputs))

function value(ref: string, entity: string, v: Partial<OnlineFeatureValue>): OnlineFeatureValue {
  const [view, version, feature] = ref.split(':')
  return {
    ref: { view: view!, version: Number(version!.slice(1)), feature: feature! },
    entity,
    status: 'present',
    value: 1,
    eventTime: 1000,
    ageMs: 50,
    ...v,
  }
}

const carValues = (speed: Partial<OnlineFeatureValue>, lat: Partial<OnlineFeatureValue> = { value: 52.5 }) =>
  plan.carRefNames.map((name) =>
    value(
      name,
      'car-0001',
      name.endsWith('speed_kmh_mean_15m') ? speed : name.endsWith('lat_last_1m') ? lat : { value: 13.4 },
    ),
  )

describe('buildFeaturePlan', () => {
  it('reads each ref once per entity kind and adds the position refs the card lacks', () => {
    expect(plan.carRefNames).toEqual([
      'car_motion:v1:speed_kmh_mean_15m',
      'car_location:v1:lat_last_1m',
      'car_location:v1:lon_last_1m',
    ])
    expect(plan.zoneRefNames).toEqual(['zone_traffic:v1:trip_speed_kmh_mean_15m'])
    expect(plan.position).toEqual({ lat: 1, lon: 2 })
    expect(plan.columns.map((c) => c.source)).toEqual(['on_demand', 'car', 'zone', 'car'])
  })
})

describe('fillLeg', () => {
  it('feeds stored values in model order and reports each with its age and status', () => {
    const row = new Float32Array(4)
    const leg = fillLeg(
      plan,
      {
        car: carValues({ value: 33 }),
        zone: [value('zone_traffic:v1:trip_speed_kmh_mean_15m', 'z-downtown', { value: 21 })],
        onDemand: { leg_distance_km: 2.5 },
      },
      row,
      0,
    )
    expect([...row]).toEqual([2.5, 33, 21, 52.5])
    expect(leg.warnings).toEqual([])
    expect(leg.refused).toEqual([])
    expect(leg.features[1]).toEqual({
      name: 'car_motion:v1:speed_kmh_mean_15m',
      kind: 'online',
      entity: 'car-0001',
      status: 'present',
      action: 'used',
      value: 33,
      eventTime: 1000,
      ageMs: 50,
    })
    expect(leg.features[0]).toMatchObject({
      kind: 'on_demand',
      status: 'computed',
      action: 'used',
      value: 2.5,
    })
  })

  it('feeds the default of an expired, missing or null value with a warning, and refuses where the card says so', () => {
    const row = new Float32Array(8)
    const leg = fillLeg(
      plan,
      {
        car: carValues(
          { status: 'expired', value: null, ageMs: 7_300_000 },
          { status: 'missing', value: null, eventTime: null, ageMs: null },
        ),
        zone: [value('zone_traffic:v1:trip_speed_kmh_mean_15m', 'z-airport', { value: null })],
        onDemand: { leg_distance_km: 1 },
      },
      row,
      4,
    )
    expect([...row.slice(4, 7)]).toEqual([1, Math.fround(27.3), 24.5])
    expect(Number.isNaN(row[7])).toBe(true)
    expect(leg.features.map((f) => [f.status, f.action, f.value])).toEqual([
      ['computed', 'used', 1],
      ['expired', 'defaulted', 27.3],
      ['present', 'defaulted', 24.5],
      ['missing', 'refused', null],
    ])
    expect(leg.warnings).toEqual([
      'car_motion:v1:speed_kmh_mean_15m is expired for car-0001 (age 7300 s): used the default 27.3',
      'zone_traffic:v1:trip_speed_kmh_mean_15m is stored as null for z-airport: used the default 24.5',
    ])
    expect(leg.refused.map((r) => r.name)).toEqual(['car_location:v1:lat_last_1m'])
  })

  it('treats a leg starting outside every zone as a missing zone', () => {
    const leg = fillLeg(
      plan,
      { car: carValues({ value: 30 }), zone: undefined, onDemand: { leg_distance_km: 1 } },
      new Float32Array(4),
      0,
    )
    expect(leg.features[2]).toMatchObject({
      entity: null,
      status: 'missing',
      action: 'defaulted',
      value: 24.5,
    })
    expect(leg.warnings).toEqual([
      'zone_traffic:v1:trip_speed_kmh_mean_15m has no zone to read (the origin lies outside the city): used the default 24.5',
    ])
  })
})

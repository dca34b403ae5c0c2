import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { describeView } from './describe-view.js'
import { registeredViewSchema } from './registered-view.js'
import {
  defineTestView,
  fixtureViews,
  rideFixtureInput,
  sessionFixtureInput,
} from './testing/fixture-views.js'

// Golden hashes: a change here means every registered view would conflict after the upgrade. Checked against
// Python's sha256 over json.dumps(definition, sort_keys=True, separators=(',', ':')).
const RIDE_HASH = 'aea9ff7206a17f0a15a3ae47111240faf0c0483e3a1659b6ea9ff135f592c0b0'
const SESSION_HASH = '2d367bb4792c37056753424952efcdce98a53471f942f0595d845ff3c7815203'

describe('describeView', () => {
  it('describes a view as plain JSON: schema, entity, ttl, owner, functions and content hash', () => {
    expect(describeView(defineTestView(sessionFixtureInput))).toEqual({
      ref: 'session_fixture:v1',
      name: 'session_fixture',
      version: 1,
      entity: 'rider',
      description: 'Fares per rider session.',
      owner: 'registry-tests',
      ttlMs: 86_400_000,
      graceMs: 0,
      emit: 'updating',
      repartition: false,
      source: { topic: 'ride.events.v1', schema: { name: 'ride_event', version: 3 } },
      windows: [{ kind: 'session', label: 'session30m', gapMs: 1_800_000 }],
      fields: [{ name: 'fare', value: null, aggregators: [{ id: 'sum', params: {} }] }],
      features: [
        {
          name: 'fare_sum_session30m',
          type: 'float64',
          window: 'session30m',
          field: 'fare',
          aggregator: 'sum',
        },
      ],
      functions: { key: 'e=>e.riderId', eventTime: 'e=>e.ts', filter: null },
      contentHash: SESSION_HASH,
    })
  })

  it('records aggregator settings, value functions and the filter', () => {
    const entry = describeView(defineTestView(rideFixtureInput))
    expect(entry.entity).toBe('pickup_zone')
    expect(entry.windows).toEqual([
      { kind: 'hopping', label: '15m', sizeMs: 900_000, slideMs: 60_000 },
      { kind: 'tumbling', label: '1h', sizeMs: 3_600_000 },
    ])
    expect(entry.fields).toEqual([
      {
        name: 'fare',
        value: null,
        aggregators: [
          { id: 'mean', params: {} },
          { id: 'max', params: {} },
          { id: 'p95', params: { p: 0.95, relativeAccuracy: 0.01 } },
        ],
      },
      { name: 'riders', value: 'e=>e.riderId', aggregators: [{ id: 'distinct', params: { precision: 10 } }] },
      {
        name: 'waitS',
        value: 'e=>e.pickupTs===undefined?undefined:(e.pickupTs-e.ts)/1000',
        aggregators: [
          { id: 'sum', params: {} },
          { id: 'count', params: {} },
        ],
      },
    ])
    expect(entry.functions).toEqual({ key: 'e=>e.zone', eventTime: 'e=>e.ts', filter: 'e=>e.type!=="test"' })
    expect(entry.features.map((f) => f.name)).toEqual([
      'fare_mean_15m',
      'fare_max_15m',
      'fare_p95_15m',
      'riders_distinct_15m',
      'wait_s_sum_15m',
      'wait_s_count_15m',
      'fare_mean_1h',
      'fare_max_1h',
      'fare_p95_1h',
      'riders_distinct_1h',
      'wait_s_sum_1h',
      'wait_s_count_1h',
    ])
    expect(entry.features.every((f) => f.type === 'float64')).toBe(true)
    expect(entry.contentHash).toBe(RIDE_HASH)
  })

  it('treats a filter that keeps every event like no filter', () => {
    const explicit = defineTestView({ ...sessionFixtureInput, filter: () => true })
    expect(describeView(explicit).functions.filter).toBeNull()
    expect(describeView(explicit).contentHash).toBe(SESSION_HASH)
  })

  it('is a valid registry entry, before and after it is stored', () => {
    for (const view of fixtureViews) {
      const entry = describeView(view)
      expect(registeredViewSchema.parse(entry)).toEqual(entry)
      expect(registeredViewSchema.parse({ ...entry, registeredAt: 1 })).toEqual({ ...entry, registeredAt: 1 })
    }
    expect(
      registeredViewSchema.safeParse({ ...describeView(fixtureViews[0]!), contentHash: 'x' }).success,
    ).toBe(false)
  })

  it('describes and hashes exactly the same under tsx, which the engine and the CLI load views with', () => {
    const script = fileURLToPath(new URL('./testing/print-descriptions.ts', import.meta.url))
    const underTsx = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' })
    expect(JSON.parse(underTsx)).toEqual(fixtureViews.map(describeView))
  })
})

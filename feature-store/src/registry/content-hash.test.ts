import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AnyAggregator } from '../aggregators/aggregator.js'
import { count } from '../aggregators/count.js'
import { distinctCount } from '../aggregators/distinct-count.js'
import { max } from '../aggregators/extremes.js'
import { mean } from '../aggregators/mean.js'
import { percentile } from '../aggregators/percentile.js'
import type { FeatureViewInput } from '../definitions/feature-view.js'
import { hopping, tumbling } from '../windows/window-spec.js'
import { canonicalJson, contentHashOf, HASHED_KEYS } from './content-hash.js'
import { describeView } from './describe-view.js'
import { defineTestView, type FixtureRide, rideFixtureInput } from './testing/fixture-views.js'

type Input = FeatureViewInput<FixtureRide>
type Fn<R> = (e: FixtureRide) => R

/** A function whose source text is exactly `text` (how differently formatted definitions are produced). */
function fn<R>(text: string): Fn<R> {
  return new Function(`return ${text}`)() as Fn<R>
}

const hashOf = (input: Input) => describeView(defineTestView(input)).contentHash

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe(
      '{"a":[2,{"c":4,"d":3}],"b":1}',
    )
  })
})

describe('content hash', () => {
  // A varied base view: which windows, grace, ttl, emission, aggregators and functions it has.
  const windowPool = [hopping('15m', '1m'), tumbling('1h'), hopping('5m', '1m'), tumbling('30m')]
  const base: fc.Arbitrary<Input> = fc
    .record({
      windows: fc.subarray(windowPool, { minLength: 1 }),
      graceMs: fc.integer({ min: 0, max: 120_000 }),
      ttlMs: fc.integer({ min: 60_000, max: 86_400_000 }),
      emit: fc.constantFrom('final' as const, 'updating' as const),
      fareAggs: fc.subarray<AnyAggregator>([mean, max, count, percentile(0.5)], { minLength: 1 }),
      key: fc.constantFrom('(e) => e.zone', '(e) => e.zone + ":" + e.type'),
      filter: fc.option(fc.constantFrom('(e) => e.type !== "test"', '(e) => e.fare > 0'), { nil: undefined }),
      riders: fc.constantFrom('(e) => e.riderId', '(e) => e.riderId.toLowerCase()'),
    })
    .map((r) => ({
      ...rideFixtureInput,
      windows: r.windows,
      grace: r.graceMs,
      ttl: r.ttlMs,
      emit: r.emit,
      key: fn<string | undefined>(r.key),
      filter: r.filter === undefined ? undefined : fn<boolean>(r.filter),
      features: {
        fare: r.fareAggs,
        riders: { value: fn<string>(r.riders), aggregations: [distinctCount()] },
      },
    }))

  // Each changes one thing that changes the view's output (or, for ttl, what consumers read).
  const CHANGES: Record<string, (input: Input) => Input> = {
    entity: (i) => ({ ...i, entity: `${i.entity}_x` }),
    ttl: (i) => ({ ...i, ttl: (i.ttl as number) + 1 }),
    grace: (i) => ({ ...i, grace: (i.grace as number) + 1 }),
    emit: (i) => ({ ...i, emit: i.emit === 'final' ? 'updating' : 'final' }),
    repartition: (i) => ({ ...i, emit: 'final', repartition: true }),
    topic: (i) => ({ ...i, source: { ...i.source, topic: 'ride.events.v2' } }),
    schemaName: (i) => ({ ...i, source: { ...i.source, schema: { ...i.source.schema, name: 'ride' } } }),
    schemaVersion: (i) => ({
      ...i,
      source: { ...i.source, schema: { ...i.source.schema, version: i.source.schema.version + 1 } },
    }),
    addWindow: (i) => ({ ...i, windows: [...i.windows, tumbling('2h')] }),
    windowSlide: (i) => ({ ...i, windows: [hopping('2h', '10m'), ...i.windows] }),
    windowOrder: (i) => ({ ...i, windows: [...i.windows, tumbling('2h')].reverse() }),
    addAggregator: (i) => ({
      ...i,
      features: { ...i.features, fare: [...(i.features.fare as []), percentile(0.99)] },
    }),
    percentileAccuracy: (i) => ({
      ...i,
      features: { ...i.features, fare: [percentile(0.9, { relativeAccuracy: 0.02 })] },
    }),
    distinctPrecision: (i) => ({
      ...i,
      features: {
        ...i.features,
        riders: { value: fn<string>('(e) => e.riderId'), aggregations: [distinctCount({ precision: 11 })] },
      },
    }),
    key: (i) => ({ ...i, key: fn<string>('(e) => e.riderId') }),
    eventTime: (i) => ({ ...i, eventTime: fn<number>('(e) => e.pickupTs ?? e.ts') }),
    filter: (i) => ({ ...i, filter: fn<boolean>('(e) => e.type === "ride_requested"') }),
    value: (i) => ({
      ...i,
      features: {
        ...i.features,
        riders: { value: fn<string>('(e) => e.zone'), aggregations: [distinctCount()] },
      },
    }),
    renameField: (i) => {
      const { fare, ...rest } = i.features
      return { ...i, features: { ...rest, amount: fare! } }
    },
  }
  it('changes when anything that determines the output changes', () => {
    fc.assert(
      fc.property(base, fc.constantFrom(...Object.keys(CHANGES)), (input, change) => {
        const changed = CHANGES[change]!(input)
        // Changes that happen to match the base (e.g. a percentile already there) are not changes.
        fc.pre(
          canonicalJson(describeView(defineTestView(changed))) !==
            canonicalJson(describeView(defineTestView(input))),
        )
        expect(hashOf(changed), change).not.toBe(hashOf(input))
      }),
    )
  })

  it('stays the same when only the owner or the description changes', () => {
    fc.assert(
      fc.property(base, fc.string(), fc.string(), (input, owner, description) => {
        expect(hashOf({ ...input, owner, description })).toBe(hashOf(input))
      }),
    )
  })

  it('stays the same when a function is only reformatted', () => {
    const tight = {
      ...rideFixtureInput,
      key: fn<string>('(e)=>e.zone'),
      filter: fn<boolean>("e=>e.type!=='test'"),
    }
    const loose = {
      ...rideFixtureInput,
      key: fn<string>('(e) =>\n    e.zone // the pickup zone\n'),
      filter: fn<boolean>('(e) => (e.type !== "test");'),
    }
    expect(hashOf(loose)).toBe(hashOf(tight))
  })

  it('leaves out of the hash only the identity and the metadata', () => {
    const entry = describeView(defineTestView(rideFixtureInput))
    const hashed: readonly string[] = HASHED_KEYS
    expect(Object.keys(entry).filter((k) => !hashed.includes(k))).toEqual([
      'ref',
      'name',
      'version',
      'description',
      'owner',
      'contentHash',
    ])
    expect(contentHashOf(entry)).toBe(entry.contentHash)
  })
})

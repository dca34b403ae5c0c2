import { describe, expect, it, vi } from 'vitest'
import { isFreshetError } from '../errors.js'
import { describeView } from './describe-view.js'
import { FeatureRegistry } from './feature-registry.js'
import { createMemoryRegistryStore } from './memory-registry-store.js'
import { parseViewRef, promotedVersions } from './promotion.js'
import type { RegistryStore } from './registry-store.js'
import { defineTestView, rideFixtureInput, sessionFixtureInput } from './testing/fixture-views.js'

const ride = (version: number) => defineTestView({ ...rideFixtureInput, version })
const session = defineTestView(sessionFixtureInput)
const evidence = { id: 'bf-1a2b3c4d', from: 1, to: 2, finishedAt: 3 }

function setup(store: RegistryStore = createMemoryRegistryStore()) {
  return { store, registry: new FeatureRegistry({ store, now: () => 1_764_000_000_000 }) }
}

async function rejection(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isFreshetError(err)) throw new Error(`expected a FreshetError, got ${String(err)}`)
  return err
}

describe('promotedVersions', () => {
  const registered = [
    { name: 'b', version: 2 },
    { name: 'a', version: 3 },
    { name: 'a', version: 1 },
    { name: 'b', version: 4 },
  ]
  it('takes the promoted version when it is registered, else the lowest registered one, by name', () => {
    expect(promotedVersions(registered, {})).toEqual({ a: 1, b: 2 })
    expect(Object.keys(promotedVersions(registered, {}))).toEqual(['a', 'b'])
    expect(promotedVersions(registered, { a: 3, b: 9, c: 1 })).toEqual({ a: 3, b: 2 })
    expect(promotedVersions([], { a: 1 })).toEqual({})
  })

  it('parses view version refs and nothing else', () => {
    expect(parseViewRef('car_motion:v12')).toEqual({ name: 'car_motion', version: 12 })
    for (const bad of ['car_motion', 'car_motion:v0', 'car_motion:2', 'Car:v1', 'car_motion:v1:speed'])
      expect(parseViewRef(bad)).toBeUndefined()
  })
})

describe('FeatureRegistry promotion', () => {
  it('promotes the first version registered under a new name and keeps it while newer ones register', async () => {
    const { registry } = setup()
    await registry.register([ride(2), session])
    expect(await registry.listPromoted()).toEqual({ ride_fixture: 2, session_fixture: 1 })
    await registry.register([ride(2), ride(3), session])
    expect(await registry.promoted('ride_fixture')).toBe(2)
    // Two versions of a new name at once: the lower one.
    const other = setup().registry
    await other.register([ride(5), ride(4)])
    expect(await other.promoted('ride_fixture')).toBe(4)
    expect(await other.promoted('nope')).toBeUndefined()
  })

  it('serves the lowest version of a registry written before promotion, and keeps it when a lower one registers', async () => {
    const store = createMemoryRegistryStore()
    // Entries stored as an older release did: no promotion written.
    for (const v of [5, 3]) await store.putIfAbsent({ ...describeView(ride(v)), registeredAt: v })
    expect(await store.listPromoted()).toEqual({ ride_fixture: 3 })
    await setup(store).registry.register([ride(2)])
    expect(await store.promoted('ride_fixture')).toBe(3)
    expect((await store.list()).map((v) => v.ref)).toEqual([
      'ride_fixture:v2',
      'ride_fixture:v3',
      'ride_fixture:v5',
    ])
  })

  it('promotes a registered version once a completed backfill of it is found, then finds it promoted', async () => {
    const { registry } = setup()
    await registry.register([ride(2), ride(3)])
    const requireBackfill = vi.fn(async (ref: string) => (ref === 'ride_fixture:v3' ? evidence : undefined))
    expect(await registry.promote('ride_fixture:v3', { requireBackfill })).toEqual({
      name: 'ride_fixture',
      ref: 'ride_fixture:v3',
      previous: 2,
      version: 3,
      outcome: 'promoted',
      backfill: evidence,
    })
    expect(requireBackfill).toHaveBeenCalledWith('ride_fixture:v3')
    expect(await registry.listPromoted()).toEqual({ ride_fixture: 3 })
    // Already promoted: nothing to check, nothing changes.
    requireBackfill.mockClear()
    expect(await registry.promote('ride_fixture:v3', { requireBackfill })).toMatchObject({
      previous: 3,
      version: 3,
      outcome: 'unchanged',
    })
    expect(requireBackfill).not.toHaveBeenCalled()
    // Back to v2 without evidence (--force): rolling back is a promotion like any other.
    expect(await registry.promote('ride_fixture:v2')).toMatchObject({ previous: 3, version: 2 })
    expect(await registry.promoted('ride_fixture')).toBe(2)
  })

  it('refuses a version without a completed backfill when evidence is required, changing nothing', async () => {
    const { registry } = setup()
    await registry.register([ride(2), ride(3)])
    const err = await rejection(
      registry.promote('ride_fixture:v3', { requireBackfill: async () => undefined }),
    )
    expect(err.code).toBe('PROMOTION_NEEDS_BACKFILL')
    expect(err.message).toContain('no completed backfill of ride_fixture:v3 into the online store')
    expect(err.message).toContain('freshet backfill start --view ride_fixture:v3 --from -2h --target both')
    expect(await registry.promoted('ride_fixture')).toBe(2)
  })

  it('refuses an unregistered version naming the registered ones, and a malformed ref', async () => {
    const { registry } = setup()
    await registry.register([ride(2), ride(3)])
    const unknown = await rejection(
      registry.promote('ride_fixture:v4', { requireBackfill: async () => evidence }),
    )
    expect(unknown.code).toBe('VIEW_NOT_REGISTERED')
    expect(unknown.message).toBe('feature view ride_fixture:v4 is not registered (ride_fixture has v2, v3)')
    const none = await rejection(registry.promote('nope:v1'))
    expect(none.message).toContain('no version of nope is')
    expect((await rejection(registry.promote('ride_fixture'))).code).toBe('CONFIG_INVALID')
    expect(await registry.promoted('ride_fixture')).toBe(2)
  })

  it('refuses when the promoted version is not the one the caller expects, or changes under it', async () => {
    const { store, registry } = setup()
    await registry.register([ride(2), ride(3), ride(4)])
    const stale = await rejection(registry.promote('ride_fixture:v3', { expectedCurrent: 4 }))
    expect(stale.code).toBe('PROMOTION_CONFLICT')
    expect(stale.message).toContain('the promoted version of ride_fixture is v2, not v4 as expected')

    // Another operator promotes v4 right after this one read the current version (v2).
    const racing: RegistryStore = {
      ...store,
      async promoted(name) {
        const current = await store.promoted(name)
        await store.setPromoted(name, 4, current)
        return current
      },
    }
    const raced = await rejection(setup(racing).registry.promote('ride_fixture:v3'))
    expect(raced.code).toBe('PROMOTION_CONFLICT')
    expect(raced.message).toContain('is v4, not v2 as expected')
    expect(await store.promoted('ride_fixture')).toBe(4)
  })

  it('lets exactly one of two operators promoting from the same version win', async () => {
    const { registry } = setup()
    await registry.register([ride(2), ride(3), ride(4)])
    const outcomes = await Promise.allSettled([
      registry.promote('ride_fixture:v3', { requireBackfill: async () => evidence }),
      registry.promote('ride_fixture:v4', { requireBackfill: async () => evidence }),
    ])
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    const lost = outcomes.filter((o) => o.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost.map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(['PROMOTION_CONFLICT'])
    expect(await registry.promoted('ride_fixture')).toBe(
      (won[0] as PromiseFulfilledResult<{ version: number }>).value.version,
    )
  })

  it('keeps the store compare-and-set honest: unregistered versions and stale expectations change nothing', async () => {
    const store = createMemoryRegistryStore()
    await setup(store).registry.register([ride(2), ride(3)])
    expect(await store.setPromoted('ride_fixture', 7)).toEqual({ outcome: 'not-registered', current: 2 })
    expect(await store.setPromoted('ride_fixture', 3, 3)).toEqual({ outcome: 'conflict', current: 2 })
    expect(await store.setPromoted('ride_fixture', 3, 2)).toEqual({ outcome: 'promoted', current: 3 })
    expect(await store.setPromoted('ride_fixture', 2)).toEqual({ outcome: 'promoted', current: 2 })
  })
})

import { describe, expect, it } from 'vitest'
import { isFreshetError } from '../errors.js'
import { FeatureRegistry } from './feature-registry.js'
import { createMemoryRegistryStore } from './memory-registry-store.js'
import type { RegistryStore } from './registry-store.js'
import { defineTestView, rideFixtureInput, sessionFixtureInput } from './testing/fixture-views.js'

const ride = defineTestView(rideFixtureInput)
const session = defineTestView(sessionFixtureInput)
const T = 1_764_000_000_000

function registry(store: RegistryStore = createMemoryRegistryStore()) {
  let clock = T
  return { store, registry: new FeatureRegistry({ store, now: () => clock++ }) }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof Error)) throw new Error('expected a rejection')
  return err
}

describe('FeatureRegistry', () => {
  it('registers each view version once and lists them by name then version', async () => {
    const { registry: r } = registry()
    const first = await r.register([session, ride])
    expect(first.map((x) => [x.ref, x.outcome, x.entry.registeredAt])).toEqual([
      ['session_fixture:v1', 'registered', T],
      ['ride_fixture:v2', 'registered', T + 1],
    ])
    const again = await r.register([ride, session])
    expect(again.map((x) => [x.ref, x.outcome, x.entry.registeredAt])).toEqual([
      ['ride_fixture:v2', 'unchanged', T + 1],
      ['session_fixture:v1', 'unchanged', T],
    ])
    expect((await r.list()).map((v) => v.ref)).toEqual(['ride_fixture:v2', 'session_fixture:v1'])
    expect(await r.get('ride_fixture:v2')).toMatchObject({ owner: 'registry-tests', ttlMs: 7_200_000 })
    expect(await r.get('ride_fixture:v9')).toBeUndefined()
  })

  it('refuses a changed definition under a published version, naming the view and what changed', async () => {
    const { registry: r } = registry()
    await r.register([ride])
    const changed = defineTestView({ ...rideFixtureInput, grace: '1m', key: (e) => e.riderId })
    const err = await rejection(r.register([session, changed]))
    expect(isFreshetError(err) && err.code).toBe('REGISTRY_CONFLICT')
    expect(err.message).toContain(
      'feature view ride_fixture:v2 is already registered with another definition',
    )
    expect(err.message).toContain(
      '  - graceMs: 30000 → 60000\n  - functions.key: "e=>e.zone" → "e=>e.riderId"',
    )
    expect(err.message).toContain('give the changed definition a new version')
    // Nothing was written: not the conflicting view, not the new one beside it.
    expect((await r.list()).map((v) => [v.ref, v.graceMs])).toEqual([['ride_fixture:v2', 30_000]])
  })

  it('publishes the change under a new version beside the old one', async () => {
    const { registry: r } = registry()
    await r.register([ride])
    const v3 = defineTestView({ ...rideFixtureInput, version: 3, grace: '1m' })
    expect((await r.register([ride, v3])).map((x) => x.outcome)).toEqual(['unchanged', 'registered'])
    expect((await r.list()).map((v) => [v.ref, v.graceMs])).toEqual([
      ['ride_fixture:v2', 30_000],
      ['ride_fixture:v3', 60_000],
    ])
  })

  it('updates owner and description in place, keeping the hash and the registration time', async () => {
    const { registry: r } = registry()
    const [registered] = await r.register([ride])
    const handedOver = defineTestView({
      ...rideFixtureInput,
      owner: 'pricing',
      description: 'Fares per zone.',
    })
    const [updated] = await r.register([handedOver])
    expect(updated).toMatchObject({ outcome: 'metadata-updated', entry: { owner: 'pricing' } })
    expect(updated!.entry).toEqual({ ...registered!.entry, owner: 'pricing', description: 'Fares per zone.' })
    expect(await r.get(ride.ref)).toEqual(updated!.entry)
  })

  it('refuses two different definitions of one version in the same call, and accepts the same one twice', async () => {
    const { registry: r } = registry()
    const other = defineTestView({ ...rideFixtureInput, ttl: '3h' })
    const err = await rejection(r.register([ride, other]))
    expect(err.message).toContain('feature view ride_fixture:v2 is defined twice, differently')
    expect(err.message).toContain('  - ttlMs: 7200000 → 10800000')
    expect(await r.list()).toEqual([])
    expect((await r.register([ride, ride])).map((x) => x.outcome)).toEqual(['registered'])
  })

  it('detects a conflicting registration that lands between its read and its write', async () => {
    const store = createMemoryRegistryStore()
    const rival = registry(store).registry
    const changed = defineTestView({ ...rideFixtureInput, grace: '1m' })
    // The other process registers right after this one has read the (empty) registry.
    const racing: RegistryStore = {
      ...store,
      async get(ref) {
        const entry = await store.get(ref)
        await rival.register([changed])
        return entry
      },
    }
    const err = await rejection(registry(racing).registry.register([ride]))
    expect(isFreshetError(err) && err.code).toBe('REGISTRY_CONFLICT')
    expect(err.message).toContain('graceMs: 60000 → 30000')
    expect((await store.get(ride.ref))?.graceMs).toBe(60_000)
  })
})

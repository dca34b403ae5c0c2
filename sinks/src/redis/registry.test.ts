import {
  count,
  defineFeatureView,
  describeView,
  FeatureRegistry,
  hopping,
  isFreshetError,
  mean,
  type RegisteredView,
} from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisRegistryStore } from './registry.js'
import { closedPort } from './testing/closed-port.js'
import { TEST_REDIS_URL, testKeySpace } from './testing/key-space.js'

interface Ping {
  carId: string
  speedKmh: number
  ts: number
}

function view(version: number, overrides: { grace?: string; owner?: string } = {}) {
  return defineFeatureView<Ping>({
    name: 'registry_pings',
    version,
    entity: 'car',
    description: 'pings per car',
    owner: overrides.owner ?? 'sinks-tests',
    source: { topic: 'pings.v1', schema: { name: 'ping', version: 1, schema: undefined as never } },
    key: (e) => e.carId,
    eventTime: (e) => e.ts,
    windows: [hopping('5m', '1m')],
    grace: overrides.grace ?? '30s',
    emit: 'final',
    features: { speedKmh: [mean, count] },
    ttl: '2h',
  })
}

const entry = (version: number, at = 1_764_000_000_000, overrides = {}): RegisteredView => ({
  ...describeView(view(version, overrides)),
  registeredAt: at,
})

describe('redis registry store', () => {
  let space: Awaited<ReturnType<typeof testKeySpace>>
  let key: string
  beforeAll(async () => {
    space = await testKeySpace()
    key = `${space.prefix}registry`
  })
  afterAll(() => space.cleanup())

  const open = () => createRedisRegistryStore({ url: TEST_REDIS_URL, key })

  it('keeps the first entry of a ref and lists entries by name, then numeric version', async () => {
    const store = open()
    try {
      expect(await store.get('registry_pings:v1')).toBeUndefined()
      expect(await store.putIfAbsent(entry(1))).toEqual(entry(1))
      // A later put of the same ref, whatever it holds, gets the stored entry back and changes nothing.
      expect(await store.putIfAbsent(entry(1, 42, { grace: '1m' }))).toEqual(entry(1))
      await store.putIfAbsent(entry(10))
      await store.putIfAbsent(entry(9))
      expect((await store.list()).map((e) => e.ref)).toEqual([
        'registry_pings:v1',
        'registry_pings:v9',
        'registry_pings:v10',
      ])
      expect(await store.get('registry_pings:v1')).toEqual(entry(1))
      // Layout: one hash, field = ref, value = the entry's JSON.
      expect(JSON.parse((await space.dump(key))['registry_pings:v9']!)).toEqual(entry(9))
    } finally {
      await store.close()
    }
  })

  it('lets exactly one of two processes registering the same ref at once win', async () => {
    const [a, b] = [open(), open()]
    try {
      const [fromA, fromB] = await Promise.all([
        a.putIfAbsent(entry(20, 1)),
        b.putIfAbsent(entry(20, 2, { grace: '1m' })),
      ])
      expect(fromA).toEqual(fromB)
      expect([entry(20, 1), entry(20, 2, { grace: '1m' })]).toContainEqual(fromA)
      expect(await a.get('registry_pings:v20')).toEqual(fromA)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('replaces an entry only while it holds the same content hash', async () => {
    const store = open()
    try {
      const stored = await store.putIfAbsent(entry(30))
      const renamed = { ...stored, owner: 'pricing' }
      expect(await store.replaceIfSameHash(renamed)).toEqual(renamed)
      const redefined = { ...entry(30, 5, { grace: '1m' }), owner: 'someone-else' }
      expect(await store.replaceIfSameHash(redefined)).toEqual(renamed)
      expect(await store.get('registry_pings:v30')).toEqual(renamed)
      expect(await store.replaceIfSameHash(entry(31))).toBeUndefined()
      expect(await store.get('registry_pings:v31')).toBeUndefined()
    } finally {
      await store.close()
    }
  })

  it('backs the feature registry: idempotent registration, conflicts, metadata updates', async () => {
    const registry = new FeatureRegistry({
      store: createRedisRegistryStore({ url: TEST_REDIS_URL, key: `${space.prefix}registry-e2e` }),
    })
    try {
      expect((await registry.register([view(1), view(2)])).map((r) => r.outcome)).toEqual([
        'registered',
        'registered',
      ])
      expect((await registry.register([view(1), view(2)])).map((r) => r.outcome)).toEqual([
        'unchanged',
        'unchanged',
      ])
      const err = await registry.register([view(1, { grace: '1m' })]).catch((e: unknown) => e)
      expect(isFreshetError(err) && err.code).toBe('REGISTRY_CONFLICT')
      expect((err as Error).message).toContain('registry_pings:v1')
      expect((err as Error).message).toContain('graceMs: 30000 → 60000')
      const [updated] = await registry.register([view(2, { owner: 'pricing' })])
      expect(updated?.outcome).toBe('metadata-updated')
      expect((await registry.list()).map((e) => [e.ref, e.owner])).toEqual([
        ['registry_pings:v1', 'sinks-tests'],
        ['registry_pings:v2', 'pricing'],
      ])
    } finally {
      await registry.close()
    }
  })

  it('promotes the first registered version of a name and keeps promotions in their own hash', async () => {
    const registryKey = `${space.prefix}registry-promoted`
    const registry = new FeatureRegistry({
      store: createRedisRegistryStore({ url: TEST_REDIS_URL, key: registryKey }),
    })
    try {
      await registry.register([view(1), view(2)])
      expect(await registry.listPromoted()).toEqual({ registry_pings: 1 })
      expect(await space.dump(`${registryKey}:promoted`)).toEqual({ registry_pings: '1' })
      const promotion = await registry.promote('registry_pings:v2', {
        requireBackfill: async (ref) => (ref === 'registry_pings:v2' ? { id: 'bf-0000beef' } : undefined),
      })
      expect(promotion).toMatchObject({ previous: 1, version: 2, outcome: 'promoted' })
      expect(await registry.promoted('registry_pings')).toBe(2)
      // Registering again (the sink starting) leaves the promotion alone.
      await registry.register([view(1), view(2), view(3)])
      expect(await registry.promoted('registry_pings')).toBe(2)
      await expect(registry.promote('registry_pings:v9')).rejects.toMatchObject({
        code: 'VIEW_NOT_REGISTERED',
        message: 'feature view registry_pings:v9 is not registered (registry_pings has v1, v2, v3)',
      })
    } finally {
      await registry.close()
    }
  })

  it('lets exactly one of two operators promoting from the same version win (compare-and-set)', async () => {
    const registryKey = `${space.prefix}registry-race`
    const stores = [
      createRedisRegistryStore({ url: TEST_REDIS_URL, key: registryKey }),
      createRedisRegistryStore({ url: TEST_REDIS_URL, key: registryKey }),
    ]
    try {
      const setupStore = createRedisRegistryStore({ url: TEST_REDIS_URL, key: registryKey })
      for (const v of [1, 2, 3]) await setupStore.putIfAbsent(entry(v))
      await setupStore.close()
      for (let round = 0; round < 20; round++) {
        const current = (await stores[0]!.promoted('registry_pings'))!
        const [a, b] = [current === 1 ? 2 : 1, current === 3 ? 2 : 3]
        const writes = await Promise.all([
          stores[0]!.setPromoted('registry_pings', a, current),
          stores[1]!.setPromoted('registry_pings', b, current),
        ])
        const winners = writes.filter((w) => w.outcome === 'promoted')
        expect(winners, `round ${round}`).toHaveLength(1)
        const winner = winners[0]!.current
        expect(writes.find((w) => w.outcome !== 'promoted')).toEqual({ outcome: 'conflict', current: winner })
        expect(await stores[1]!.promoted('registry_pings')).toBe(winner)
      }
      // Through the registry: one promotion, one PROMOTION_CONFLICT.
      const [r0, r1] = stores.map((store) => new FeatureRegistry({ store }))
      const current = await r0!.promoted('registry_pings')
      const others = [1, 2, 3].filter((v) => v !== current)
      const outcomes = await Promise.allSettled([
        r0!.promote(`registry_pings:v${others[0]}`),
        r1!.promote(`registry_pings:v${others[1]}`),
      ])
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
      expect(lost.reason).toMatchObject({ code: 'PROMOTION_CONFLICT' })
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('refuses an unregistered version and serves the lowest one of a registry written before promotion', async () => {
    const registryKey = `${space.prefix}registry-legacy`
    const store = createRedisRegistryStore({ url: TEST_REDIS_URL, key: registryKey })
    try {
      expect(await store.listPromoted()).toEqual({})
      expect(await store.promoted('registry_pings')).toBeUndefined()
      expect(await store.setPromoted('registry_pings', 1)).toEqual({
        outcome: 'not-registered',
        current: undefined,
      })
      for (const v of [10, 9]) await store.putIfAbsent(entry(v))
      expect(await store.listPromoted()).toEqual({ registry_pings: 9 })
      expect(await store.setPromoted('registry_pings', 11, 9)).toEqual({
        outcome: 'not-registered',
        current: 9,
      })
      expect(await store.setPromoted('registry_pings', 10, 10)).toEqual({ outcome: 'conflict', current: 9 })
      // Something else under the name is no promotion: the lowest version serves, and a CAS from it works.
      await space.admin.hset(`${registryKey}:promoted`, 'registry_pings', 'v10')
      expect(await store.promoted('registry_pings')).toBe(9)
      expect(await store.setPromoted('registry_pings', 10, 9)).toEqual({ outcome: 'promoted', current: 10 })
      expect(await store.listPromoted()).toEqual({ registry_pings: 10 })
      expect(await space.dump(`${registryKey}:promoted`)).toEqual({ registry_pings: '10' })
    } finally {
      await store.close()
    }
  })

  it('refuses an entry that is not a registered view, naming its ref', async () => {
    const corrupt = `${space.prefix}registry-corrupt`
    await space.admin.hset(
      corrupt,
      'registry_pings:v1',
      '{"ref":"registry_pings:v1"}',
      'other:v1',
      'not json',
    )
    const store = createRedisRegistryStore({ url: TEST_REDIS_URL, key: corrupt })
    try {
      await expect(store.get('registry_pings:v1')).rejects.toMatchObject({
        code: 'STORE_QUERY_FAILED',
        message: expect.stringContaining('registry entry registry_pings:v1 is not a registered view'),
      })
      await expect(store.list()).rejects.toMatchObject({ code: 'STORE_QUERY_FAILED' })
    } finally {
      await store.close()
    }
  })

  it('fails with a retriable STORE_UNAVAILABLE, without credentials, when Redis does not answer', async () => {
    const port = await closedPort()
    const store = createRedisRegistryStore({
      url: `redis://:s3cret@127.0.0.1:${port}`,
      connectTimeoutMs: 500,
    })
    try {
      const err = await store.list().catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true })
      expect((err as Error).message).toContain(`redis://127.0.0.1:${port}`)
      expect((err as Error).message).not.toContain('s3cret')
    } finally {
      await store.close()
    }
  })
})

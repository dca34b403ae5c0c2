import type { FeatureRef, OnlineFeatureWriter } from '@freshet/feature-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisOnlineReader, type RedisOnlineReaderOptions } from './reader.js'
import { closedPort } from './testing/closed-port.js'
import { TEST_REDIS_URL, testKeySpace } from './testing/key-space.js'
import { startLatencyProxy } from './testing/latency-proxy.js'
import { featureRecord, T0, TEST_TTL_MS, testTtl } from './testing/records.js'
import { createRedisOnlineWriter } from './writer.js'

let space: Awaited<ReturnType<typeof testKeySpace>>
let writer: OnlineFeatureWriter

const ref = (view: string, feature: string, version = 1): FeatureRef => ({ view, version, feature })
const mean5m = ref('car_motion', 'speed_kmh_mean_5m')
const stddev5m = ref('car_motion', 'speed_kmh_stddev_5m')
const mean15m = ref('car_motion', 'speed_kmh_mean_15m')
const lastSeen = ref('car_status', 'telemetry_ts_max_15m')

beforeAll(async () => {
  space = await testKeySpace()
  writer = createRedisOnlineWriter({ url: TEST_REDIS_URL, keyPrefix: space.prefix, ttlMs: testTtl })
  await writer.write([
    featureRecord({ entity: 'car-0001', features: { speed_kmh_mean_5m: 42.5, speed_kmh_stddev_5m: null } }),
    featureRecord({
      entity: 'car-0001',
      window: '15m',
      windowEnd: T0 - 60_000,
      features: { speed_kmh_mean_15m: 40 },
    }),
    featureRecord({ entity: 'car-0002', features: { speed_kmh_mean_5m: 7 } }),
    featureRecord({
      entity: 'car-0002',
      view: 'car_status',
      window: '15m',
      features: { telemetry_ts_max_15m: T0 - 500 },
    }),
  ])
})
afterAll(async () => {
  await writer.close()
  await space.cleanup()
})

function openReader(options: Partial<RedisOnlineReaderOptions> = {}) {
  return createRedisOnlineReader({ url: TEST_REDIS_URL, keyPrefix: space.prefix, ttlMs: testTtl, ...options })
}

describe('redis online reader', () => {
  it('reports present, missing and expired values by the view ttl at the given time, entities outer', async () => {
    const reader = openReader()
    const refs = [mean5m, stddev5m, ref('car_motion', 'no_such_feature'), lastSeen]
    const now = T0 + 1_000
    expect(await reader.read(['car-0001', 'car-0002', 'car-9999'], refs, now)).toEqual([
      { entity: 'car-0001', ref: mean5m, status: 'present', value: 42.5, eventTime: T0, ageMs: 1_000 },
      { entity: 'car-0001', ref: stddev5m, status: 'present', value: null, eventTime: T0, ageMs: 1_000 },
      { entity: 'car-0001', ref: refs[2], status: 'missing', value: null, eventTime: null, ageMs: null },
      { entity: 'car-0001', ref: lastSeen, status: 'missing', value: null, eventTime: null, ageMs: null },
      { entity: 'car-0002', ref: mean5m, status: 'present', value: 7, eventTime: T0, ageMs: 1_000 },
      { entity: 'car-0002', ref: stddev5m, status: 'missing', value: null, eventTime: null, ageMs: null },
      { entity: 'car-0002', ref: refs[2], status: 'missing', value: null, eventTime: null, ageMs: null },
      { entity: 'car-0002', ref: lastSeen, status: 'present', value: T0 - 500, eventTime: T0, ageMs: 1_000 },
      ...refs.map((r) => ({
        entity: 'car-9999',
        ref: r,
        status: 'missing',
        value: null,
        eventTime: null,
        ageMs: null,
      })),
    ])
    await reader.close()
  })

  it('expires a value once its age exceeds the ttl, each feature by its own window event time', async () => {
    const reader = openReader()
    const atTtl = await reader.read(['car-0001'], [mean5m, mean15m], T0 + TEST_TTL_MS - 60_000)
    expect(atTtl.map((v) => [v.status, v.value, v.ageMs])).toEqual([
      ['present', 42.5, TEST_TTL_MS - 60_000],
      ['present', 40, TEST_TTL_MS], // exactly the ttl old: still valid
    ])
    const later = await reader.read(['car-0001'], [mean5m, mean15m], T0 + TEST_TTL_MS - 59_999)
    expect(later.map((v) => [v.status, v.value, v.eventTime, v.ageMs])).toEqual([
      ['present', 42.5, T0, TEST_TTL_MS - 59_999],
      ['expired', null, T0 - 60_000, TEST_TTL_MS + 1],
    ])
    await reader.close()
  })

  it('reads 2 entities × 3 refs over 2 views in one network round trip', async () => {
    const { hostname, port } = new URL(TEST_REDIS_URL)
    const delayMs = 100
    const proxy = await startLatencyProxy({ host: hostname, port: Number(port) }, delayMs)
    const url = new URL(TEST_REDIS_URL)
    url.port = String(proxy.port)
    const reader = openReader({ url: url.toString() })
    const direct = openReader()
    try {
      const refs = [mean5m, mean15m, lastSeen]
      await reader.read(['car-0001'], [mean5m], T0) // connects (handshake round trips are not the read's)
      const startAt = performance.now()
      const values = await reader.read(['car-0001', 'car-0002'], refs, T0)
      const elapsedMs = performance.now() - startAt
      // One round trip is 2 × delay; the 4 HMGETs sent one after another would take 4 round trips.
      expect(elapsedMs).toBeGreaterThanOrEqual(2 * delayMs - 5)
      expect(elapsedMs).toBeLessThan(3 * delayMs)
      expect(values).toHaveLength(6)
      expect(values).toEqual(await direct.read(['car-0001', 'car-0002'], refs, T0))
    } finally {
      await Promise.all([reader.close(), direct.close()])
      await proxy.close()
    }
  })

  it('returns nothing, and sends nothing, for no entities or no refs', async () => {
    const reader = openReader({ url: `redis://127.0.0.1:${await closedPort()}` })
    expect(await reader.read([], [mean5m], T0)).toEqual([])
    expect(await reader.read(['car-0001'], [], T0)).toEqual([])
    await reader.close()
  })

  it('rejects a view it has no ttl for with CONFIG_INVALID', async () => {
    const reader = openReader()
    await expect(reader.read(['car-0001'], [ref('unknown_view', 'x')], T0)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      retriable: false,
    })
    await reader.close()
  })

  it('fails with a non-retriable STORE_QUERY_FAILED when a key holds something else', async () => {
    const reader = openReader()
    await space.admin.set(`${space.prefix}{car-bad}:car_motion:v1`, 'not a hash')
    await expect(reader.read(['car-bad'], [mean5m], T0)).rejects.toMatchObject({
      code: 'STORE_QUERY_FAILED',
      retriable: false,
    })
    await reader.close()
  })

  it('fails with a retriable STORE_UNAVAILABLE when Redis does not answer', async () => {
    const reader = openReader({ url: `redis://127.0.0.1:${await closedPort()}`, connectTimeoutMs: 500 })
    await expect(reader.read(['car-0001'], [mean5m], T0)).rejects.toMatchObject({
      name: 'FreshetError',
      code: 'STORE_UNAVAILABLE',
      retriable: true,
    })
    await reader.close()
  })
})

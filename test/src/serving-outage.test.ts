/**
 * What the dispatcher sees when the online store is down, and what the logs say about each request.
 */
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import { createMemoryRegistryStore, FeatureRegistry } from '@freshet/feature-store'
import { featureViews } from '@freshet/pipelines'
import {
  createEtaService,
  createServingApp,
  loadEtaModel,
  ModelHolder,
  ON_DEMAND_FEATURES,
  type Problem,
  ViewTtls,
} from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { createRedisOnlineReader } from '@freshet/sinks'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeys, KEYS, type ServingWorld, servingWorld } from './fixtures/serving-world.js'

let world: ServingWorld
beforeAll(async () => {
  world = await servingWorld()
})
afterAll(() => world?.close())

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('serving with the online store down', () => {
  it('is not ready, answers 503 store-unavailable, and logs each request under its request id without the key', async () => {
    const registry = new FeatureRegistry({ store: createMemoryRegistryStore() })
    await registry.register(featureViews)
    const ttls = new ViewTtls()
    const reader = createRedisOnlineReader({
      url: `redis://127.0.0.1:${await closedPort()}`,
      ttlMs: ttls.ttlMs,
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
    })
    const dir = await world.tempDir('outage-model')
    await linearModelDir({ dir, version: 'eta-outage-1' })
    const load = () => loadEtaModel({ dir, registry, onDemandFeatures: ON_DEMAND_FEATURES })
    const model = await load()
    ttls.remember(model.views.values())
    const holder = new ModelHolder(model, load)
    const lines: Record<string, unknown>[] = []
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)))
          done()
        },
      }),
    )
    const app = createServingApp({
      eta: createEtaService({ reader, model: holder, zones: ['z-downtown'] }),
      model: holder,
      reader,
      registry,
      ttls,
      apiKeys,
      logger,
    })
    try {
      const ready = await app.request('/readyz')
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({
        status: 'not-ready',
        checks: { store: 'unreachable', model: 'eta-outage-1' },
      })

      const res = await app.request('/v1/eta', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.predict },
        body: JSON.stringify({
          carId: 'car-0001',
          pickup: { lat: 52.53, lon: 13.41 },
          dropoff: { lat: 52.5, lon: 13.35 },
        }),
      })
      expect(res.status).toBe(503)
      const p = (await res.json()) as Problem
      expect(p).toMatchObject({ type: 'urn:freshet:problem:store-unavailable', status: 503 })
      expect(p.detail).not.toMatch(/127\.0\.0\.1/) // no hosts in client answers

      const requestId = res.headers.get('x-request-id')
      const mine = lines.filter((l) => l.requestId === requestId)
      expect(mine.map((l) => l.msg)).toEqual(['request failed', 'request'])
      expect(mine[1]).toMatchObject({
        method: 'POST',
        path: '/v1/eta',
        status: 503,
        client: expect.stringMatching(/^key-/),
      })
      expect(JSON.stringify(lines)).not.toContain(KEYS.predict)
    } finally {
      await holder.close()
      await reader.close()
    }
  })
})

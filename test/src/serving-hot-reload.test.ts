import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type EtaResponseBody,
  type FeatureReport,
  openServing,
  type Problem,
  type ReloadOutcome,
  type Serving,
} from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { serve } from '@hono/node-server'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeys, KEYS, redisUrl, type ServingWorld, servingWorld } from './fixtures/serving-world.js'

let world: ServingWorld
beforeAll(async () => {
  world = await servingWorld()
})
afterAll(() => world?.close())

describe('model hot reload', () => {
  it('swaps model versions under concurrent requests without failing one, and keeps serving through a bad model', async () => {
    const dir = await world.tempDir('hot-reload')
    // Versions differ in their bias, so every answer shows which model computed it.
    const versions = new Map<string, Awaited<ReturnType<typeof linearModelDir>>>()
    const install = async (n: number) => {
      const m = await linearModelDir({ dir, version: `eta-hot-${n}`, bias: 100 * n })
      versions.set(m.card.model_version, m)
      return m.card.model_version
    }
    await install(1)
    const cars = ['car-0501', 'car-0502', 'car-0503']
    for (const [i, carId] of cars.entries()) await world.writeCar(carId, { lat: 52.51 + i * 0.01, lon: 13.4 })
    await world.writeZone('z-downtown', 22)

    const serving: Serving = await openServing({
      redisUrl,
      modelDir: dir,
      apiKeys,
      keyPrefix: world.keyPrefix,
      registryKey: world.registryKey,
      logger: pino({ level: 'silent' }),
    })
    const server = serve({ fetch: serving.app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const answers: { startedAt: number; status: number; version: string; body: EtaResponseBody }[] = []
    const failures: string[] = []
    let running = true
    const client = async (w: number) => {
      for (let i = 0; running; i++) {
        const carId = cars[(w + i) % cars.length]
        const startedAt = performance.now()
        try {
          const res = await fetch(`${base}/v1/eta`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': KEYS.predict },
            body: JSON.stringify({
              carId,
              pickup: { lat: 52.53, lon: 13.41 },
              dropoff: { lat: 52.5345, lon: 13.3616 },
            }),
          })
          const body = (await res.json()) as EtaResponseBody & Problem
          if (res.status === 200)
            answers.push({ startedAt, status: res.status, version: body.modelVersion, body })
          else failures.push(`${res.status} ${body.detail}`)
        } catch (err) {
          failures.push(String(err))
        }
      }
    }
    const reload = async () => {
      const res = await fetch(`${base}/v1/admin/model/reload`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.admin },
      })
      return {
        status: res.status,
        body: (await res.json()) as Problem & ReloadOutcome,
        at: performance.now(),
      }
    }

    const clients = Array.from({ length: 8 }, (_, w) => client(w))
    const swaps: { version: string; at: number }[] = []
    try {
      await sleep(300)
      for (const n of [2, 3, 4]) {
        const version = await install(n)
        const r = await reload()
        expect(r.status).toBe(200)
        expect(r.body).toMatchObject({ current: version, swapped: true })
        swaps.push({ version, at: r.at })
        await sleep(300)
      }
      // A model whose graph is wider than its card: refused with 422, version 4 keeps answering.
      await linearModelDir({ dir, version: 'eta-hot-bad', onnxWidth: 3 })
      const refused = await reload()
      expect(refused.status).toBe(422)
      expect(refused.body.detail).toMatch(/eta-hot-bad does not fit this deployment/)
      await sleep(300)
      const version = await install(5)
      const r = await reload()
      expect(r.body).toMatchObject({ previous: 'eta-hot-4', current: version, swapped: true })
      swaps.push({ version, at: r.at })
      await sleep(300)
    } finally {
      running = false
      await Promise.all(clients)
      server.close()
      await serving.close()
    }

    expect(failures).toEqual([])
    expect(answers.length).toBeGreaterThan(100)
    expect(new Set(answers.map((a) => a.version))).toEqual(
      new Set(['eta-hot-1', 'eta-hot-2', 'eta-hot-3', 'eta-hot-4', 'eta-hot-5']),
    )
    for (const a of answers) {
      // Each answer is what the version it names computes for the inputs it reports: no mixed-up swap.
      const m = versions.get(a.version)!
      for (const leg of [a.body.legs.pickup, a.body.legs.trip]) {
        expect(leg.seconds).toBeCloseTo(m.predict(leg.features.map((f: FeatureReport) => f.value!)), 0)
      }
      // A request started after a reload answered is served by that model or a later one, never an older one.
      const floor = swaps.filter((s) => s.at < a.startedAt).at(-1)
      if (floor !== undefined)
        expect(Number(a.version.split('-').at(-1))).toBeGreaterThanOrEqual(
          Number(floor.version.split('-').at(-1)),
        )
    }
  }, 60_000)
})

import { formatFeatureRef, parseFeatureRef } from '@freshet/feature-store'
import {
  type EtaResponseBody,
  type FeatureReport,
  onDemandFeatures,
  openServing,
  type Problem,
  type RankResponseBody,
  type Serving,
} from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { apiKeys, KEYS, record, redisUrl, type ServingWorld, servingWorld } from './fixtures/serving-world.js'

// Downtown, a pickup ~1.3 km north-east of it in the same zone, and a drop-off in the Old Town.
const DOWNTOWN = { lat: 52.52, lon: 13.4 }
const PICKUP = { lat: 52.53, lon: 13.41 }
const DROPOFF = { lat: 52.5345, lon: 13.3616 }

let world: ServingWorld
let serving: Serving
let model: Awaited<ReturnType<typeof linearModelDir>>

beforeAll(async () => {
  world = await servingWorld()
  model = await linearModelDir({
    dir: await world.tempDir('serving-api-model'),
    version: 'eta-test-linear-1',
  })
  serving = await openServing({
    redisUrl,
    modelDir: model.dir,
    apiKeys,
    keyPrefix: world.keyPrefix,
    registryKey: world.registryKey,
    logger: pino({ level: 'silent' }),
  })
})
afterAll(async () => {
  await serving?.close()
  await world?.close()
})

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return serving.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.predict, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

const valuesOf = (features: readonly FeatureReport[]) => features.map((f) => f.value!)

describe('serving API: /v1/eta', () => {
  it('answers with the online store’s values, their ages, and the model’s prediction for exactly those inputs', async () => {
    await world.writeCar('car-0001', { ...DOWNTOWN, speedKmh15m: 33.25 })
    await world.writeZone('z-downtown', 21.5)
    const requestedAt = Date.UTC(2025, 0, 6, 8, 30)
    const res = await post('/v1/eta', { carId: 'car-0001', pickup: PICKUP, dropoff: DROPOFF, requestedAt })
    expect(res.status).toBe(200)
    const body = (await res.json()) as EtaResponseBody
    expect(body).toMatchObject({
      modelVersion: 'eta-test-linear-1',
      carId: 'car-0001',
      requestedAt,
      degraded: false,
    })
    expect(body.warnings).toEqual([])
    expect(body.position).toMatchObject(DOWNTOWN)

    for (const leg of ['pickup', 'trip'] as const) {
      const features: FeatureReport[] = body.legs[leg].features
      expect(features.map((f) => f.name)).toEqual(model.card.inputs.map((i) => i.name))
      // Online inputs: what the online store holds right now, read through the sinks' own reader.
      for (const f of features.filter((x) => x.kind === 'online')) {
        const [stored] = await world.reader.read([f.entity!], [parseFeatureRef(f.name)!])
        expect({ ref: f.name, value: f.value, eventTime: f.eventTime, status: f.status }).toEqual({
          ref: formatFeatureRef(stored!.ref),
          value: stored!.value,
          eventTime: stored!.eventTime,
          status: 'present',
        })
        expect(f.ageMs).toBe(body.readAt - f.eventTime!)
        expect(f.action).toBe('used')
      }
      // On-demand inputs: the training module's own computation for this leg.
      const { origin, destination } = body.legs[leg]
      const expected = onDemandFeatures({
        origin,
        destination,
        at: requestedAt,
        isPickupLeg: leg === 'pickup',
      })
      for (const f of features.filter((x) => x.kind === 'on_demand')) {
        expect(f).toMatchObject({ status: 'computed', action: 'used', value: expected[f.name] })
      }
      // The linear model's answer for the reported vector (float32 inside the model, 0.1 s rounding outside).
      expect(body.legs[leg].seconds).toBeCloseTo(model.predict(valuesOf(features)), 0)
    }
    expect(body.legs.pickup.originZone).toBe('z-downtown')
    expect(body.legs.trip.originZone).toBe('z-downtown')
    expect(body.etaSeconds).toBeCloseTo(body.pickupSeconds + body.tripSeconds, 5)
    const zoneSpeed = body.legs.trip.features.find((f: FeatureReport) => f.name.startsWith('zone_traffic'))
    expect(zoneSpeed).toMatchObject({ entity: 'z-downtown', value: 21.5 })
  })

  it('flags a stale feature: reports it expired with its age, feeds the card’s default and warns', async () => {
    const ttlMs = 2 * 60 * 60_000 // car_motion's
    await world.writeCar('car-0002', { ...DOWNTOWN, speedAt: Date.now() - ttlMs + 1_000 })
    await new Promise((r) => setTimeout(r, 1_500))
    const res = await post('/v1/eta', { carId: 'car-0002', pickup: PICKUP, dropoff: DROPOFF })
    expect(res.status).toBe(200)
    const body = (await res.json()) as EtaResponseBody
    const speed = body.legs.pickup.features.find(
      (f: FeatureReport) => f.name === 'car_motion:v1:speed_kmh_mean_15m',
    )
    expect(speed).toMatchObject({ status: 'expired', action: 'defaulted', value: 27.3, entity: 'car-0002' })
    expect(speed!.ageMs).toBeGreaterThan(ttlMs)
    expect(body.degraded).toBe(true)
    expect(body.warnings).toContainEqual(
      expect.stringMatching(/speed_kmh_mean_15m is expired for car-0002.*default 27\.3/),
    )
    // The position is fresh: used as stored.
    const lat = body.legs.pickup.features.find((f: FeatureReport) => f.name === 'car_location:v1:lat_last_1m')
    expect(lat).toMatchObject({ status: 'present', action: 'used', value: DOWNTOWN.lat })
  })

  it('feeds the default for a zone nobody reported from, and says so', async () => {
    await world.writeCar('car-0003', { lat: 52.5815, lon: 13.2598, speedKmh15m: 40 }) // at the airport
    const res = await post('/v1/eta', { carId: 'car-0003', pickup: PICKUP, dropoff: DROPOFF })
    const body = (await res.json()) as EtaResponseBody
    const zone = body.legs.pickup.features.find((f: FeatureReport) => f.name.startsWith('zone_traffic'))
    expect(body.legs.pickup.originZone).toBe('z-airport')
    expect(zone).toMatchObject({
      status: 'missing',
      action: 'defaulted',
      value: 24.5,
      eventTime: null,
      ageMs: null,
    })
    expect(body.warnings).toEqual([
      'zone_traffic:v1:trip_speed_kmh_mean_15m is missing for z-airport: used the default 24.5',
    ])
    // The trip leg starts downtown, where the zone reported: used as stored.
    const tripZone = body.legs.trip.features.find((f: FeatureReport) => f.name.startsWith('zone_traffic'))
    expect(tripZone).toMatchObject({ status: 'present', action: 'used', entity: 'z-downtown' })
  })

  it('refuses with a 503 problem naming the feature when a refuse-policy input is missing', async () => {
    // Motion but no position: no origin for the pickup leg.
    await world.writer.write([
      record('car_motion', 'car-0004', '15m', Date.now() - 1000, { speed_kmh_mean_15m: 30 }),
    ])
    const res = await post('/v1/eta', { carId: 'car-0004', pickup: PICKUP, dropoff: DROPOFF })
    expect(res.status).toBe(503)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const p = (await res.json()) as Problem & { refused: FeatureReport[] }
    expect(p).toMatchObject({ type: 'urn:freshet:problem:feature-unavailable', status: 503 })
    expect(p.detail).toMatch(/car_location:v1:lat_last_1m is missing/)
    expect(p.refused.map((r: FeatureReport) => [r.name, r.status, r.action])).toEqual([
      ['car_location:v1:lat_last_1m', 'missing', 'refused'],
      ['car_location:v1:lon_last_1m', 'missing', 'refused'],
    ])
  })
})

describe('serving API: /v1/eta/rank', () => {
  it('ranks candidates by pickup + trip ETA from one batched model run, listing those it cannot score', async () => {
    // Farther from the pickup = longer pickup leg (the linear model charges 90 s per km).
    const cars = ['car-0101', 'car-0102', 'car-0103', 'car-0104']
    const offsets = [0.04, 0.005, 0.02, 0.01]
    for (const [i, carId] of cars.entries()) {
      await world.writeCar(carId, { lat: PICKUP.lat - offsets[i]!, lon: PICKUP.lon })
    }
    const score = vi.spyOn(serving.model.current, 'score')
    try {
      const res = await post('/v1/eta/rank', {
        pickup: PICKUP,
        dropoff: DROPOFF,
        carIds: [...cars, 'car-0199'],
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as RankResponseBody
      expect(body.ranked.map((r: { carId: string }) => r.carId)).toEqual([
        'car-0102',
        'car-0104',
        'car-0103',
        'car-0101',
      ])
      expect(body.ranked.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3, 4])
      expect(body.excluded).toEqual([
        { carId: 'car-0199', reason: 'unknown-car', detail: expect.stringMatching(/car-0199/) },
      ])
      expect(score).toHaveBeenCalledTimes(1)
      expect(score.mock.calls[0]![1]).toBe(2 * cars.length)

      // The same car's estimate through /v1/eta agrees.
      const single = (await (
        await post('/v1/eta', {
          carId: 'car-0103',
          pickup: PICKUP,
          dropoff: DROPOFF,
          requestedAt: body.requestedAt,
        })
      ).json()) as EtaResponseBody
      const ranked = body.ranked.find((r: { carId: string }) => r.carId === 'car-0103')
      expect(ranked!.etaSeconds).toBeCloseTo(single.etaSeconds, 0)
    } finally {
      score.mockRestore()
    }
  })
})

describe('serving API: refusals are RFC 9457 problems', () => {
  const good = { carId: 'car-0001', pickup: PICKUP, dropoff: DROPOFF }
  const cases: [string, () => Response | Promise<Response>, number, RegExp][] = [
    [
      'a latitude out of range',
      () => post('/v1/eta', { ...good, pickup: { lat: 95, lon: 13.4 } }),
      400,
      /pickup\.lat: lat must be between -90 and 90/,
    ],
    ['a missing drop-off', () => post('/v1/eta', { carId: 'car-0001', pickup: PICKUP }), 400, /dropoff/],
    [
      'a malformed car id',
      () => post('/v1/eta', { ...good, carId: 'bus-7' }),
      400,
      /carId: car ids look like car-0042/,
    ],
    ['an unknown field', () => post('/v1/eta', { ...good, speed: 3 }), 400, /speed/],
    ['malformed JSON', () => post('/v1/eta', '{"carId":'), 400, /Malformed JSON/],
    [
      'duplicate candidates',
      () => post('/v1/eta/rank', { pickup: PICKUP, dropoff: DROPOFF, carIds: ['car-0001', 'car-0001'] }),
      400,
      /distinct/,
    ],
    [
      'an unknown car',
      () => post('/v1/eta', { ...good, carId: 'car-9999' }),
      404,
      /no features for car-9999/,
    ],
    [
      'an oversize body',
      () => post('/v1/eta', { ...good, padding: 'x'.repeat(20_000) }),
      413,
      /exceeds 16384 bytes/,
    ],
    [
      'a body that is not JSON',
      () => post('/v1/eta', JSON.stringify(good), { 'content-type': 'text/plain' }),
      415,
      /Unsupported Media Type/,
    ],
    [
      'an unknown route',
      () => serving.app.request('/v1/nope', { headers: { 'x-api-key': KEYS.predict } }),
      404,
      /no route GET \/v1\/nope/,
    ],
    [
      'an unknown view',
      () => serving.app.request('/v1/features/nope:v1/car-0001', { headers: { 'x-api-key': KEYS.predict } }),
      404,
      /nope:v1 is not registered/,
    ],
  ]
  for (const [what, send, status, detail] of cases) {
    it(`answers ${what} with ${status}`, async () => {
      const res = await send()
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const p = (await res.json()) as Problem
      expect(p).toMatchObject({
        status,
        type: expect.stringMatching(/^urn:freshet:problem:/),
        title: expect.any(String),
      })
      expect(p.detail).toMatch(detail)
      expect(p.requestId).toBe(res.headers.get('x-request-id'))
    })
  }
})

describe('serving API: keys, scopes and limits', () => {
  it('needs a key with the route’s scope on /v1 and none on health, readiness and metrics', async () => {
    const body = { carId: 'car-0001', pickup: PICKUP, dropoff: DROPOFF }
    const none = await post('/v1/eta', body, { 'x-api-key': '' })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/)
    expect((await post('/v1/eta', body, { 'x-api-key': 'not-a-key-at-all-000' })).status).toBe(401)
    const bearer = await post('/v1/eta', body, { 'x-api-key': '', authorization: `Bearer ${KEYS.predict}` })
    expect(bearer.status).toBe(200)

    const asPredict = await post('/v1/admin/model/reload', '', { 'x-api-key': KEYS.predict })
    expect(asPredict.status).toBe(403)
    expect(((await asPredict.json()) as Problem).detail).toMatch(/lacks the 'admin' scope/)
    expect((await post('/v1/admin/model/reload', '', { 'x-api-key': KEYS.admin })).status).toBe(200)

    for (const path of ['/healthz', '/readyz']) {
      expect((await serving.app.request(path)).status, path).toBe(200)
    }
    // Everything else needs a key, whatever its scope: metrics and the API description too.
    const keyed = (path: string) => serving.app.request(path, { headers: { 'x-api-key': KEYS.predict } })
    for (const path of ['/metrics', '/openapi.json', '/docs']) {
      expect((await serving.app.request(path)).status, path).toBe(401)
      expect((await keyed(path)).status, path).toBe(200)
    }
    const ready = await (await serving.app.request('/readyz')).json()
    expect(ready).toEqual({ status: 'ready', checks: { store: 'ok', model: 'eta-test-linear-1' } })
    const metrics = await (await keyed('/metrics')).text()
    expect(metrics).toMatch(/serving_model_info\{version="eta-test-linear-1"\} 1/)
    expect(metrics).toMatch(/serving_eta_cars_total\{endpoint="eta",outcome="scored"\} \d+/)
  })

  it('rate limits each key with a 429 problem', async () => {
    const limited = await openServing({
      redisUrl,
      modelDir: model.dir,
      apiKeys,
      keyPrefix: world.keyPrefix,
      registryKey: world.registryKey,
      logger: pino({ level: 'silent' }),
      rateLimit: { windowMs: 60_000, limit: 3 },
    })
    try {
      const get = (key: string) => limited.app.request('/v1/model', { headers: { 'x-api-key': key } })
      const statuses = [] as number[]
      for (let i = 0; i < 4; i++) statuses.push((await get(KEYS.predict)).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const refused = await get(KEYS.predict)
      expect(refused.headers.get('content-type')).toBe('application/problem+json')
      expect(refused.headers.get('retry-after')).toBe('60')
      expect(((await refused.json()) as Problem).type).toBe('urn:freshet:problem:rate-limited')
      expect((await get(KEYS.admin)).status).toBe(200) // another key has its own budget
    } finally {
      await limited.close()
    }
  })

  it('describes itself as OpenAPI 3.1 generated from the request schemas, with a docs page', async () => {
    const keyed = { headers: { 'x-api-key': KEYS.predict } }
    const doc = (await (await serving.app.request('/openapi.json', keyed)).json()) as {
      openapi: string
      paths: Record<string, { post: { responses: Record<string, { content: Record<string, unknown> }> } }>
      components: { schemas: Record<string, { properties: Record<string, unknown> }> }
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/eta',
        '/v1/eta/rank',
        '/v1/features/{view}/{entity}',
        '/v1/feature-views',
        '/healthz',
        '/readyz',
      ]),
    )
    const schema = doc.components.schemas.LatLon
    expect(schema!.properties.lat).toMatchObject({ type: 'number', minimum: -90, maximum: 90 })
    expect(doc.paths['/v1/eta']!.post.responses['503']!.content['application/problem+json']).toBeDefined()
    const docs = await serving.app.request('/docs', keyed)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toMatch(/openapi\.json/)
  })
})

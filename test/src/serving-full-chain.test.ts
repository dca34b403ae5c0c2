/**
 * The whole chain, in-process on the real broker and Redis: simulator → Kafka → feature engine → sink → Redis →
 * `POST /v1/eta`. The answer must rest on what the chain produced: the car's position is its last simulated
 * telemetry sample, and every online input is what the sink stored.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { type AnyFeatureView, FeatureRegistry, parseFeatureRef } from '@freshet/feature-store'
import {
  type CarTelemetry,
  carLocation,
  carMotion,
  createKafka,
  featureTopicSpec,
  runSimulator,
  type SimulatorOptions,
  simulate,
  startFeatureEngine,
  zoneTraffic,
} from '@freshet/pipelines'
import { testBrokers, testTopic } from '@freshet/pipelines/testing'
import { type EtaResponseBody, type FeatureReport, openServing } from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { createRedisOnlineWriter, createRedisRegistryStore, runSink } from '@freshet/sinks'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeys, KEYS, redisUrl, type ServingWorld, servingWorld } from './fixtures/serving-world.js'

const kafka = createKafka({ brokers: testBrokers(), clientId: 'serving-chain' })
let world: ServingWorld
beforeAll(async () => {
  world = await servingWorld()
})
afterAll(async () => {
  await kafka.close()
  await world?.close()
})

describe('full chain to /v1/eta', () => {
  it('answers from features the engine computed out of simulated telemetry and the sink stored', async () => {
    const id = randomUUID().slice(0, 8)
    const telemetry = testTopic('chain-telemetry', 3)
    const rides = testTopic('chain-rides', 1)
    const dlq = testTopic('chain-dlq', 1)
    const late = testTopic('chain-late', 1)
    await kafka.ensureTopics([telemetry, rides, dlq, late])
    // The production views, reading this test's telemetry topic.
    const views = [carLocation, carMotion, zoneTraffic].map(
      (v): AnyFeatureView => ({ ...v, source: { ...v.source, topic: telemetry.name } }) as AnyFeatureView,
    )
    const featureTopic = (v: { name: string; version: number }) =>
      `test.chain-${id}.features.${v.name}.v${v.version}`
    await kafka.ensureTopics(views.map((v) => featureTopicSpec(featureTopic(v))))
    // This test's registry describes these views (their source topic is part of the definition).
    const registryKey = `${world.registryKey}:chain`
    const store = createRedisRegistryStore({ url: redisUrl, key: registryKey })
    await new FeatureRegistry({ store }).register(views)
    await store.close()

    // 15 simulated minutes of 6 cars, ending now, so the last positions are fresh.
    const durationMs = 15 * 60_000
    const sim: SimulatorOptions = {
      seed: 11,
      cars: 6,
      startMs: Math.floor(Date.now() / 1000) * 1000 - durationMs,
      durationMs,
    }
    const lastSample = new Map<string, CarTelemetry>()
    for (const e of simulate(sim)) if (e.kind === 'telemetry') lastSample.set(e.event.carId, e.event)

    const engine = await startFeatureEngine({
      kafka,
      views,
      applicationId: `serving-chain-${id}`,
      featureTopic,
      deadLetterTopic: dlq.name,
      lateTopic: late.name,
      idleTimeoutMs: 2_000,
      tickMs: 250,
    })
    const writer = createRedisOnlineWriter({
      url: redisUrl,
      keyPrefix: world.keyPrefix,
      ttlMs: (ref) => views.find((v) => v.ref === ref)?.ttlMs,
    })
    const sink = await runSink({
      kafka,
      views,
      online: writer,
      groupId: `serving-chain-sink-${id}`,
      topic: featureTopic,
      deadLetterTopic: dlq.name,
    })
    const model = await linearModelDir({ dir: await world.tempDir('chain-model'), version: 'eta-chain-1' })
    const serving = await openServing({
      redisUrl,
      modelDir: model.dir,
      apiKeys,
      keyPrefix: world.keyPrefix,
      registryKey,
      logger: pino({ level: 'silent' }),
    })
    try {
      await engine.started
      await runSimulator({
        ...sim,
        mode: 'historical',
        kafka,
        topics: { telemetry: telemetry.name, rides: rides.name },
        ensureTopics: false,
      })

      // Wait until the sink has landed every car's latest position and a closed 15-minute speed window.
      const cars = [...lastSample.keys()].sort()
      const refs = [
        'car_location:v1:lat_last_1m',
        'car_location:v1:lon_last_1m',
        'car_motion:v1:speed_kmh_mean_15m',
      ].map((r) => parseFeatureRef(r)!)
      const deadline = Date.now() + 45_000
      for (;;) {
        const values = await world.reader.read(cars, refs)
        const landed = cars.every((car, i) => {
          const [lat, lon, speed] = values.slice(i * 3, i * 3 + 3)
          const last = lastSample.get(car)!
          return (
            lat?.value === last.position.lat &&
            lon?.value === last.position.lon &&
            speed?.status === 'present'
          )
        })
        if (landed) break
        if (Date.now() > deadline) throw new Error('the chain did not land the cars’ features within 45 s')
        await sleep(500)
      }

      const car = cars[0]!
      const last = lastSample.get(car)!
      const res = await serving.app.request('/v1/eta', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.predict },
        body: JSON.stringify({
          carId: car,
          pickup: { lat: 52.53, lon: 13.41 },
          dropoff: { lat: 52.5345, lon: 13.3616 },
        }),
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as EtaResponseBody
      expect(body.position).toMatchObject({ lat: last.position.lat, lon: last.position.lon })
      // An updating window holds as of the latest event its partition counted: this sample's time or later.
      expect(body.position.eventTime).toBeGreaterThanOrEqual(last.ts)
      expect(body.position.ageMs).toBe(body.readAt - body.position.eventTime)
      expect(body.legs.pickup.originZone).toBe(last.zoneId)
      for (const f of [...body.legs.pickup.features, ...body.legs.trip.features] as FeatureReport[]) {
        if (f.kind !== 'online' || f.entity === null) continue
        const [stored] = await world.reader.read([f.entity], [parseFeatureRef(f.name)!])
        expect([f.name, f.entity, f.status, f.eventTime]).toEqual([
          f.name,
          f.entity,
          stored!.status,
          stored!.eventTime,
        ])
        if (f.action === 'used') expect(f.value).toBe(stored!.value)
      }
      const speed = body.legs.pickup.features.find(
        (f: FeatureReport) => f.name === 'car_motion:v1:speed_kmh_mean_15m',
      )
      expect(speed).toMatchObject({ status: 'present', action: 'used' })
      expect(body.etaSeconds).toBeGreaterThan(0)
    } finally {
      await sink.stop()
      await engine.stop()
      await serving.close()
      await writer.close()
    }
  }, 90_000)
})

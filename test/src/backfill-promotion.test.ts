import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FeatureRegistry } from '@freshet/feature-store'
import {
  createBackfillClient,
  createKafka,
  featureViews,
  runSimulator,
  startBackfillWorker,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import { type OnlineFeaturesBody, openServing } from '@freshet/serving'
import { linearModelDir } from '@freshet/serving/testing'
import { createRedisOnlineReader, createRedisOnlineWriter, createRedisRegistryStore } from '@freshet/sinks'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { withVersion } from './fixtures/backfill-views.js'
import { deleteRedisKeys } from './fixtures/redis-cleanup.js'
import { apiKeys, KEYS } from './fixtures/serving-world.js'
import { until } from './fixtures/sink-records.js'
import { testCarView } from './fixtures/test-view.js'

// Issue 6: a new version (v2) is backfilled while v1 serves; promoting v2 is an explicit step, refused until a
// backfill of v2 completed. Real Kafka, Redis, BullMQ; the promotion through the CLI; the read through serving.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const kafka = createKafka({ brokers: testBrokers(), clientId: 'backfill-promotion' })
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const run = randomUUID().slice(0, 8)
const prefix = `test-promotion-${run}`
const keyPrefix = `${prefix}:fs:`
const registryKey = `${prefix}:registry`
const topics = { input: testTopic('promo-input', 3), rides: testTopic('promo-rides', 1) }
const cleanup: (() => Promise<unknown>)[] = []

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  await deleteRedisKeys(redisUrl, [`${prefix}:*`])
  await kafka.deleteTopics(Object.values(topics).map((t) => t.name)).catch(() => {})
  await kafka.close()
})

/** `freshet views promote …` through the dispatcher, as an operator runs it. */
function promote(ref: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/freshet.mjs', 'views', 'promote', ref, '--registry-key', registryKey, '--prefix', prefix],
      { cwd: ROOT, env: { ...process.env, REDIS_URL: redisUrl } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('backfill, then promotion', () => {
  it('refuses to promote v2 until its backfill completed, then serves the bare view name from v2', async () => {
    const v1 = testCarView(topics.input.name)
    const v2 = withVersion(v1, 2)
    await kafka.ensureTopics(Object.values(topics))
    const t0 = Math.floor((Date.now() - 40 * 60_000) / 300_000) * 300_000
    await runSimulator({
      mode: 'historical',
      kafka,
      cars: 6,
      seed: 47,
      startMs: t0,
      durationMs: 25 * 60_000,
      topics: { telemetry: topics.input.name, rides: topics.rides.name },
      ensureTopics: false,
    })

    // v1 is registered (and so promoted) first; v2 is registered beside it later, as a deploy of new code does.
    const registry = new FeatureRegistry({
      store: createRedisRegistryStore({ url: redisUrl, key: registryKey }),
    })
    cleanup.push(() => registry.close())
    await registry.register([...featureViews, v1])
    await registry.register([...featureViews, v1, v2])
    expect(await registry.promoted(v1.name)).toBe(1)

    const model = await linearModelDir({
      dir: await mkdtemp(join(tmpdir(), 'freshet-promotion-model-')),
      version: 'eta-promotion-1',
    })
    cleanup.push(() => rm(model.dir, { recursive: true, force: true }))
    const serving = await openServing({
      redisUrl,
      modelDir: model.dir,
      apiKeys,
      keyPrefix,
      registryKey,
      logger: pino({ level: 'silent' }),
    })
    cleanup.push(() => serving.close())
    const get = async (path: string) => {
      const res = await serving.app.request(path, { headers: { 'x-api-key': KEYS.predict } })
      expect(res.status, path).toBe(200)
      return res.json()
    }
    const carId = 'car-0003'
    const before = (await get(`/v1/features/${v1.name}/${carId}`)) as OnlineFeaturesBody
    expect(before.view).toBe(v1.ref)

    // Backfill v2 into the online store, through a worker hosted as the sink hosts it.
    const ttlMs = (ref: string) => (ref === v2.ref ? v2.ttlMs : undefined)
    const online = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
    cleanup.push(() => online.close())
    const worker = startBackfillWorker({ kafka, redisUrl, prefix, views: [v2], online })
    cleanup.push(() => worker.close())
    await worker.ready
    const client = createBackfillClient({ redisUrl, prefix, views: [v2] })
    cleanup.push(() => client.close())
    const finish = async (id: string) => {
      let state = ''
      await until(
        `backfill ${id} to finish`,
        async () => {
          state = (await client.status(id))!.state
          return ['completed', 'failed', 'cancelled'].includes(state)
        },
        30_000,
      )
      return state
    }

    // A backfill of v2 that failed (this worker has no offline store) is no evidence either.
    const offline = await client.start({ views: [v2.ref], from: t0, to: Date.now(), target: 'offline' })
    expect(await finish(offline.id)).toBe('failed')
    const refused = await promote(v2.ref)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`error [PROMOTION_NEEDS_BACKFILL] no completed backfill of ${v2.ref}`)
    expect(await registry.promoted(v1.name)).toBe(1)

    const started = await client.start({
      views: [v2.ref],
      from: t0,
      to: Date.now(),
      target: 'online',
      requestedBy: 'test',
    })
    expect(await finish(started.id)).toBe('completed')
    // The evidence: completed backfills of exactly that version into the named stores.
    expect((await client.completed({ view: v2.ref })).map((b) => b.id)).toEqual([started.id])
    expect(await client.completed({ view: v2.ref, targets: ['offline', 'both'] })).toEqual([])
    expect(await client.completed({ view: v1.ref })).toEqual([])

    const promoted = await promote(v2.ref)
    expect(promoted.code, promoted.stderr).toBe(0)
    expect(promoted.stdout).toMatch(
      new RegExp(`^${v1.name}: v1 → v2 \\(backfill ${started.id} of .+ → .+, completed .+\\)\\n$`),
    )
    expect(await registry.promoted(v1.name)).toBe(2)

    // Serving: the bare name now reads v2, exactly what the online store holds for v2; v1 stays addressable.
    const after = (await get(`/v1/features/${v1.name}/${carId}`)) as OnlineFeaturesBody
    expect(after.view).toBe(v2.ref)
    const reader = createRedisOnlineReader({ url: redisUrl, keyPrefix, ttlMs })
    cleanup.push(() => reader.close())
    const stored = await reader.read(
      [carId],
      v2.outputs.map((o) => ({ view: v2.name, version: 2, feature: o.name })),
    )
    expect(stored.filter((s) => s.status === 'present').length).toBe(v2.outputs.length)
    expect(after.features.map((f) => [f.ref, f.status, f.value, f.eventTime])).toEqual(
      stored.map((s) => [`${v2.ref}:${s.ref.feature}`, s.status, s.value, s.eventTime]),
    )
    expect(((await get(`/v1/features/${v1.ref}/${carId}`)) as OnlineFeaturesBody).view).toBe(v1.ref)
    const listing = (await get('/v1/feature-views')) as { views: { ref: string; promoted: boolean }[] }
    expect(listing.views.filter((v) => v.ref.startsWith(`${v1.name}:`))).toEqual([
      expect.objectContaining({ ref: v1.ref, promoted: false }),
      expect.objectContaining({ ref: v2.ref, promoted: true }),
    ])
    expect(listing.views.find((v) => v.ref === 'car_motion:v1')?.promoted).toBe(true)
    // The input was really there: the backfill read every event of the simulated period.
    expect((await client.status(started.id))!.totals.events).toBe(
      (await readAll(kafka, topics.input.name)).length,
    )
  }, 60_000)
})

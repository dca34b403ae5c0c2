import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { FeatureRecord } from '@freshet/feature-store'
import {
  type BackfillStatus,
  type ConsumedRecord,
  createBackfillClient,
  createKafka,
  runSimulator,
  startBackfillWorker,
} from '@freshet/pipelines'
import { readAll, testBrokers, testTopic } from '@freshet/pipelines/testing'
import {
  createClickHouseClient,
  createClickHouseOfflineWriter,
  createRedisOnlineReader,
  createRedisOnlineWriter,
} from '@freshet/sinks'
import { openTestTarget, type TestTarget } from '@freshet/sinks/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backfillReference, recordsInRange } from './fixtures/backfill-reference.js'
import { backfillTestViews } from './fixtures/backfill-views.js'
import { deleteRedisKeys } from './fixtures/redis-cleanup.js'
import { expectedOffline, expectedOnline, readOffline, readOnline, until } from './fixtures/sink-records.js'

// Backfill workers that die (kill -9) and backfills that are cancelled, on real Kafka, Redis and ClickHouse.
const brokers = testBrokers()
const kafka = createKafka({ brokers, clientId: 'backfill-faults' })
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
const run = randomUUID().slice(0, 8)
const prefix = `test-backfill-${run}`
const input = testTopic('bf-faults-input', 3)
const rides = testTopic('bf-faults-rides', 1)
const { carV2, zoneV2 } = backfillTestViews(input.name)
const views = [carV2, zoneV2]
const ttlMs = (ref: string) => views.find((v) => v.ref === ref)?.ttlMs
const workerEntry = fileURLToPath(new URL('./fixtures/backfill-worker.ts', import.meta.url))
const t0 = Math.floor((Date.now() - 50 * 60_000) / 300_000) * 300_000
const from = t0 + 15 * 60_000
const to = t0 + 35 * 60_000
const children: ChildProcess[] = []
let target: TestTarget
let records: ConsumedRecord[] = []
let expected: FeatureRecord[] = []

beforeAll(async () => {
  target = await openTestTarget('backfill_faults')
  await kafka.ensureTopics([input, rides])
  await runSimulator({
    mode: 'historical',
    kafka,
    cars: 10,
    seed: 31,
    startMs: t0,
    durationMs: 45 * 60_000,
    topics: { telemetry: input.name, rides: rides.name },
    ensureTopics: false,
  })
  records = await readAll(kafka, input.name)
  expected = backfillReference(records, carV2, zoneV2, from, to)
}, 120_000)

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  await deleteRedisKeys(redisUrl, [`backfill-faults:${run}:*`, `${prefix}:*`])
  await kafka.deleteTopics([input.name, rides.name]).catch(() => {})
  await kafka.close()
  await target?.cleanup()
})

/** One test's stores: its own Redis key prefix and ClickHouse database. */
async function stores(name: string) {
  return {
    keyPrefix: `backfill-faults:${run}:${name}:`,
    clickhouse: await target.options(`backfill_faults_${name}_${run}`),
  }
}

function startWorker(args: object): Promise<ChildProcess> {
  const child = fork(workerEntry, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: 'pipe' })
  children.push(child)
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`backfill worker exited early with ${code}`)))
  })
}

async function waitFor(
  client: ReturnType<typeof createBackfillClient>,
  id: string,
  what: string,
  check: (s: BackfillStatus) => boolean,
  timeoutMs = 60_000,
): Promise<BackfillStatus> {
  let status: BackfillStatus | undefined
  await until(
    what,
    async () => {
      status = await client.status(id)
      return status !== undefined && check(status)
    },
    timeoutMs,
  )
  return status!
}

const finished = (s: BackfillStatus) => ['completed', 'failed', 'cancelled'].includes(s.state)

describe('backfill faults', () => {
  it('completes with identical output when a worker is killed -9 mid-job', async () => {
    const { keyPrefix, clickhouse } = await stores('kill')
    const args = { brokers, redisUrl, prefix, inputTopic: input.name, keyPrefix, clickhouse }
    const client = createBackfillClient({ redisUrl, prefix, views })
    try {
      const first = await startWorker(args)
      const { id } = await client.start({ views: ['all'], from, to, target: 'both' })
      // Kill once a child is well into its range, with others still to go.
      const midway = await waitFor(client, id, 'a child halfway', (s) =>
        s.tasks.some((t) => t.state === 'active' && t.ranges.some((r) => r.events > r.total / 3)),
      )
      first.kill('SIGKILL')
      await new Promise((resolve) => first.once('exit', resolve))
      expect(midway.state).toBe('running')
      expect(midway.totals.percent).toBeLessThan(100)

      const second = await startWorker(args)
      const done = await waitFor(client, id, 'the backfill to finish', finished)
      expect(done.error).toBeUndefined()
      expect(done.state).toBe('completed')
      // The killed child was taken over and resumed from its checkpoint: a second attempt, and every record
      // of its range counted exactly once.
      expect(done.tasks.some((t) => t.attempts >= 2)).toBe(true)
      for (const task of done.tasks) {
        for (const range of task.ranges) {
          expect(range.events, `${task.key} partition ${range.partition}`).toBe(
            recordsInRange(records, range),
          )
        }
      }
      expect(done.totals.written).toBe(expected.length)
      second.kill('SIGTERM') // closes the chDB data dir, so this process can read it
      await new Promise((resolve) => second.once('exit', resolve))

      const reader = createRedisOnlineReader({ url: redisUrl, keyPrefix, ttlMs })
      const ch = createClickHouseClient(clickhouse)
      try {
        for (const view of views) {
          const entities = [...new Set(expected.filter((r) => r.view === view.name).map((r) => r.entity))]
          expect(await readOnline(reader, view, entities)).toEqual(expectedOnline(expected, view, entities))
          expect(await readOffline(ch, view)).toEqual(expectedOffline(expected, view))
        }
      } finally {
        await Promise.all([reader.close(), ch.close()])
      }
    } finally {
      await client.close()
    }
  }, 120_000)

  it('cancels promptly: children stop, nothing is written afterwards, and what was written is correct', async () => {
    const { keyPrefix, clickhouse } = await stores('cancel')
    const online = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
    const offline = await createClickHouseOfflineWriter({ ...clickhouse, views })
    // One child at a time, tiny fetches: slow enough to cancel mid-way.
    const worker = startBackfillWorker({
      kafka,
      redisUrl,
      prefix,
      views,
      online,
      offline,
      concurrency: 1,
      maxBytesPerPartition: 2 * 1024,
    })
    const client = createBackfillClient({ redisUrl, prefix, views })
    const ch = createClickHouseClient(clickhouse)
    try {
      await worker.ready
      const { id } = await client.start({ views: ['all'], from, to, target: 'both' })
      await waitFor(client, id, 'a child writing', (s) =>
        s.tasks.some((t) => t.state === 'active' && t.written > 0),
      )
      const asked = Date.now()
      const cancelling = await client.cancel(id)
      expect(['cancelling', 'cancelled']).toContain(cancelling?.state)
      const cancelled = await waitFor(client, id, 'the cancel', finished, 15_000)
      expect(Date.now() - asked).toBeLessThan(5000)
      expect(cancelled.state).toBe('cancelled')
      expect(cancelled.tasks.some((t) => t.state === 'cancelled')).toBe(true)
      expect(cancelled.tasks.filter((t) => t.state === 'active')).toEqual([])
      expect(cancelled.totals.percent).toBeLessThan(100)
      expect(await client.cancel(id)).toMatchObject({ state: 'cancelled' }) // idempotent

      // Consistent stores: every row written is the correct final record; nothing lands after the cancel.
      const rows = [...(await readOffline(ch, carV2)), ...(await readOffline(ch, zoneV2))]
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.length).toBeLessThan(expected.length)
      const want = new Map(
        [...expectedOffline(expected, carV2), ...expectedOffline(expected, zoneV2)].map((r) => [r.id, r]),
      )
      for (const row of rows) expect(row).toEqual(want.get(String((row as Record<string, unknown>).id)))
      await sleep(1500)
      expect((await readOffline(ch, carV2)).length + (await readOffline(ch, zoneV2)).length).toBe(rows.length)
    } finally {
      await worker.close()
      await Promise.allSettled([client.close(), online.close(), offline.close(), ch.close()])
    }
  }, 90_000)

  it('hands a running child back to the queue on shutdown; the next worker resumes it to identical output', async () => {
    const { keyPrefix, clickhouse } = await stores('shutdown')
    const online = createRedisOnlineWriter({ url: redisUrl, keyPrefix, ttlMs })
    const offline = await createClickHouseOfflineWriter({ ...clickhouse, views })
    const options = {
      kafka,
      redisUrl,
      prefix,
      views,
      online,
      offline,
      concurrency: 1,
      maxBytesPerPartition: 4096,
    }
    const client = createBackfillClient({ redisUrl, prefix, views })
    const ch = createClickHouseClient(clickhouse)
    const first = startBackfillWorker(options)
    let second: ReturnType<typeof startBackfillWorker> | undefined
    try {
      await first.ready
      const { id } = await client.start({ views: ['all'], from, to, target: 'both' })
      // Early in a child's range, so the shutdown cannot race the child's own completion.
      await waitFor(client, id, 'a child under way', (s) =>
        s.tasks.some(
          (t) => t.state === 'active' && t.ranges.some((r) => r.events > 0 && r.events < r.total / 2),
        ),
      )
      await first.close()
      const paused = (await client.status(id))!
      expect(paused.state).toBe('running')
      expect(paused.tasks.filter((t) => t.state === 'active' || t.state === 'failed')).toEqual([])
      expect(paused.tasks.some((t) => t.state === 'retrying' && t.ranges.some((r) => r.events > 0))).toBe(
        true,
      )

      second = startBackfillWorker({ ...options, concurrency: 2, maxBytesPerPartition: 64 * 1024 })
      const done = await waitFor(client, id, 'the backfill to finish', finished)
      expect(done.state).toBe('completed')
      expect(done.totals.written).toBe(expected.length)
      expect(await readOffline(ch, carV2)).toEqual(expectedOffline(expected, carV2))
      expect(await readOffline(ch, zoneV2)).toEqual(expectedOffline(expected, zoneV2))
    } finally {
      await first.close()
      await second?.close()
      await Promise.allSettled([client.close(), online.close(), offline.close(), ch.close()])
    }
  }, 90_000)
})

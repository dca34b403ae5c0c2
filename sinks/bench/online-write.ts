import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { type FeatureRecord, featureRecordId } from '@freshet/feature-store'
import { Redis } from 'ioredis'
import { createRedisOnlineWriter, featureKey } from '../src/index.js'

export interface OnlineWriteBenchOptions {
  url: string
  /** Records per run (half 5m, half 15m windows of car_motion v1, 3 features each). Default 50 000. */
  records?: number
  /** Runs of each mode, interleaved; medians are reported. Default 3. */
  reps?: number
  /** Records (or HSETs) per pipeline, for both modes. Default 1000. */
  chunkSize?: number
}

export interface OnlineWriteBenchResult {
  records: number
  /** Through the writer: coalescing, Lua CAS, ttl, into empty hashes. */
  writerRowsPerS: number
  /** The same batch again: every record refused by the CAS (a replay). */
  replayRowsPerS: number
  /** The same fields with bare pipelined HSETs: no CAS, no ttl. */
  bareHsetRowsPerS: number
}

/**
 * Rows/s of the Redis online writer against a bare pipelined HSET of the same data, on a throwaway key prefix
 * (deleted afterwards). Run: `npx tsx sinks/bench/online-write.ts [records]` (REDIS_URL or the local default).
 *
 * @example
 * const r = await benchOnlineWrite({ url: 'redis://127.0.0.1:16379', records: 50_000 })
 * // { records: 50000, writerRowsPerS: …, replayRowsPerS: …, bareHsetRowsPerS: … }
 */
export async function benchOnlineWrite(options: OnlineWriteBenchOptions): Promise<OnlineWriteBenchResult> {
  const count = options.records ?? 50_000
  const reps = options.reps ?? 3
  const chunkSize = options.chunkSize ?? 1000
  const records = benchRecords(count)
  const admin = new Redis(options.url)
  const prefixes: string[] = []
  const fresh = () => {
    const prefix = `bench:${randomUUID().slice(0, 8)}:`
    prefixes.push(prefix)
    return prefix
  }
  const writerRuns: number[] = []
  const replayRuns: number[] = []
  const bareRuns: number[] = []
  try {
    for (let rep = 0; rep < reps; rep++) {
      const writer = createRedisOnlineWriter({
        url: options.url,
        keyPrefix: fresh(),
        ttlMs: () => 2 * 60 * 60_000,
        chunkSize,
      })
      await writer.write(records.slice(0, 100)) // connect and load the script outside the timing
      writerRuns.push(await rowsPerS(count, () => writer.write(records)))
      replayRuns.push(await rowsPerS(count, () => writer.write(records)))
      await writer.close()

      const prefix = fresh()
      bareRuns.push(
        await rowsPerS(count, async () => {
          for (let i = 0; i < records.length; i += chunkSize) {
            const pipeline = admin.pipeline()
            for (const r of records.slice(i, i + chunkSize)) {
              const fields: string[] = [`w:${r.window}`, `${r.windowStart}:${r.windowEnd}:${r.eventTime}:1:0`]
              for (const [name, value] of Object.entries(r.features))
                fields.push(`f:${name}`, `${r.eventTime}:${value}`)
              pipeline.hset(featureKey(prefix, r.view, r.version, r.entity), ...fields)
            }
            await pipeline.exec()
          }
        }),
      )
    }
  } finally {
    for (const prefix of prefixes) await deletePrefix(admin, prefix)
    await admin.quit()
  }
  return {
    records: count,
    writerRowsPerS: median(writerRuns),
    replayRowsPerS: median(replayRuns),
    bareHsetRowsPerS: median(bareRuns),
  }
}

/** Distinct windows, so every record is stored (no coalescing): the writer's worst case. */
function benchRecords(count: number): FeatureRecord[] {
  const end = Math.floor(Date.now() / 60_000) * 60_000
  return Array.from({ length: count }, (_, i) => {
    const window = i % 2 === 0 ? '5m' : '15m'
    const entity = `car-${String(Math.floor(i / 2)).padStart(6, '0')}`
    const start = end - (window === '5m' ? 300_000 : 900_000)
    return {
      id: featureRecordId('car_motion:v1', entity, window, start, end),
      view: 'car_motion',
      version: 1,
      entity,
      window,
      windowStart: start,
      windowEnd: end,
      eventTime: end,
      watermark: end,
      final: true,
      features: {
        [`speed_kmh_mean_${window}`]: 30 + (i % 50) / 3,
        [`speed_kmh_max_${window}`]: 60 + (i % 40),
        [`speed_kmh_stddev_${window}`]: (i % 13) / 7,
      },
    }
  })
}

async function rowsPerS(rows: number, run: () => Promise<void>): Promise<number> {
  const startAt = performance.now()
  await run()
  return Math.round(rows / ((performance.now() - startAt) / 1000))
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000)
    if (keys.length > 0) await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'
  const records = Number(process.argv[2] ?? 50_000)
  const chunkSize = Number(process.argv[3] ?? 1000)
  console.log(JSON.stringify(await benchOnlineWrite({ url, records, chunkSize })))
}

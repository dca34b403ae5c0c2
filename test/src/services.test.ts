import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKafka } from '@freshet/pipelines'
import { createClickHouseClient } from '@freshet/sinks'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { acquireServices } from './services.js'

// The endpoints exported by `npm test` (test/src/with-services.ts), whichever way the services came up.
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379'

describe('shared service fixture', () => {
  it('hands out a Kafka broker that serves metadata', async () => {
    const info = await createKafka({ brokers }).probe({ timeoutMs: 5000 })
    expect(info.brokers).toBe(1)
  })

  it('hands out a Redis that round-trips values with AOF enabled', async () => {
    const redis = new Redis(redisUrl, { lazyConnect: true })
    await redis.connect()
    try {
      const key = `{test}:roundtrip:${process.pid}`
      await redis.set(key, 'value', 'PX', 10_000)
      expect(await redis.get(key)).toBe('value')
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
    } finally {
      redis.disconnect()
    }
  })

  it('uses configured endpoints as they are and never stops them', async () => {
    const services = await acquireServices({ env: { KAFKA_BROKERS: brokers.join(','), REDIS_URL: redisUrl } })
    expect(services).toMatchObject({ mode: 'endpoints', kafkaBrokers: brokers, redisUrl })
    await services.release()
    await expect(createKafka({ brokers }).probe()).resolves.toBeDefined()
  })

  it('opens the project ClickHouse client (embedded chDB unless CLICKHOUSE_URL is set)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'freshet-chdb-'))
    const url = process.env.CLICKHOUSE_URL
    const client = createClickHouseClient(url ? { url } : { dataDir })
    try {
      const rs = await client.query({
        query: 'SELECT {n:UInt32} * 2 AS doubled',
        query_params: { n: 21 },
        format: 'JSONEachRow',
      })
      // 64-bit integers come back as strings in both modes (the client pins the JSON quoting).
      expect(await rs.json()).toEqual([{ doubled: '42' }])
    } finally {
      await client.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, testBrokers, testTopic } from '../testing.js'
import { createKafka } from './kafka.js'

// Real broker: started by `npm test` (local Kafka from Maven jars, or testcontainers, or given endpoints).
const brokers = testBrokers()

describe('kafka backbone against a real broker', () => {
  const kafka = createKafka({ brokers, clientId: 'kafka-test' })
  beforeAll(async () => {
    await kafka.probe({ timeoutMs: 10_000 })
  })
  afterAll(async () => {
    await kafka.close()
  })

  it('answers the readiness probe with cluster metadata', async () => {
    const info = await kafka.probe()
    expect(info.brokers).toBeGreaterThanOrEqual(1)
    expect(info.clusterId).toMatch(/\S+/)
  })

  it('reports a clear, retriable error when no broker listens', async () => {
    const nowhere = createKafka({ brokers: ['127.0.0.1:1'] })
    await expect(nowhere.probe({ timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
    })
  })

  it('creates topics idempotently', async () => {
    const spec = testTopic('ensure', 3)
    expect(await kafka.ensureTopics([spec])).toEqual({ created: [spec.name], existing: [] })
    expect(await kafka.ensureTopics([spec])).toEqual({ created: [], existing: [spec.name] })
    expect(await kafka.endOffsets(spec.name)).toHaveLength(spec.partitions)
    await kafka.deleteTopics([spec.name])
  })

  it('round-trips records with keys, headers and event-time timestamps, keyed records staying on one partition', async () => {
    const spec = testTopic('roundtrip', 3)
    await kafka.ensureTopics([spec])
    const producer = await kafka.producer()
    const sent = Array.from({ length: 30 }, (_, i) => ({
      topic: spec.name,
      key: `car-000${i % 3}`,
      value: Buffer.from(JSON.stringify({ i })),
      headers: { 'freshet-schema': 'test', n: String(i) },
      timestamp: 1_764_000_000_000 + i,
    }))
    await producer.send(sent)
    await producer.disconnect()

    const got = await collect(kafka, spec.name, sent.length)
    expect(got).toHaveLength(sent.length)
    const byN = new Map(got.map((r) => [Number(r.headers.n), r]))
    for (const [i, s] of sent.entries()) {
      const r = byN.get(i)!
      expect(r.key?.toString()).toBe(s.key)
      expect(JSON.parse(r.value!.toString())).toEqual({ i })
      expect(r.timestamp).toBe(s.timestamp)
    }
    for (const key of ['car-0000', 'car-0001', 'car-0002']) {
      const partitions = new Set(got.filter((r) => r.key?.toString() === key).map((r) => r.partition))
      expect(partitions.size).toBe(1)
    }
    await kafka.deleteTopics([spec.name])
  })

  it('hides aborted transactions from read_committed consumers and commits offsets atomically', async () => {
    const spec = testTopic('txn', 1)
    await kafka.ensureTopics([spec])
    const txProducer = await kafka.transactionalProducer(`test-tx-${randomUUID()}`)
    const rec = (value: string) => ({ topic: spec.name, key: 'k', value: Buffer.from(value) })

    await txProducer.transaction(async (tx) => {
      await tx.send([rec('committed-1')])
    })
    await expect(
      txProducer.transaction(async (tx) => {
        await tx.send([rec('aborted')])
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const groupId = `test-eos-${randomUUID()}`
    await txProducer.transaction(async (tx) => {
      await tx.send([rec('committed-2')])
      await tx.sendOffsets(groupId, [{ topic: spec.name, partition: 0, offset: '42' }])
    })
    await txProducer.disconnect()

    const committed = await collect(kafka, spec.name, 2)
    expect(committed.map((r) => r.value?.toString())).toEqual(['committed-1', 'committed-2'])

    // read_uncommitted sees the aborted record too: proves the filtering is the broker's, not ours.
    const uncommitted = await collect(kafka, spec.name, 3, { readCommitted: false })
    expect(uncommitted.map((r) => r.value?.toString())).toContain('aborted')

    // No metadata reads back as null: kafkajs' admin.fetchOffsets turns the broker's '' into null.
    expect(await kafka.committedOffsets(groupId, spec.name)).toEqual([
      { topic: spec.name, partition: 0, offset: '42', metadata: null },
    ])
    await kafka.deleteTopics([spec.name])
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsumedRecord, createKafka } from '../kafka/kafka.js'
import { testBrokers, testTopic } from '../testing.js'

// The backbone's range reader (range-reader.ts `readRanges`), as backfills use it, on a real broker: a topic written
// in transactions, so offsets include commit markers and aborted records no reader may see.
const kafka = createKafka({ brokers: testBrokers(), clientId: 'range-reader-test' })
const topic = testTopic('range-reader', 2)
const value = (i: number) => Buffer.from(JSON.stringify({ i }))

beforeAll(async () => {
  await kafka.ensureTopics([topic])
  const producer = await kafka.transactionalProducer(`range-reader-${topic.name}`)
  for (let t = 0; t < 3; t++) {
    await producer.transaction((tx) =>
      tx.send(
        Array.from({ length: 10 }, (_, i) => ({
          topic: topic.name,
          partition: 0,
          key: 'k',
          value: value(t * 10 + i),
          timestamp: 1_000 + t * 10 + i,
        })),
      ),
    )
  }
  await producer
    .transaction(async (tx) => {
      await tx.send([{ topic: topic.name, partition: 0, key: 'k', value: value(-1), timestamp: 2_000 }])
      throw new Error('abort this one')
    })
    .catch(() => {})
  await producer.disconnect()
})

afterAll(async () => {
  await kafka.deleteTopics([topic.name]).catch(() => {})
  await kafka.close()
})

async function read(ranges: { partition: number; from: string; to: string }[], stopAfter?: number) {
  const got: ConsumedRecord[] = []
  const reader = await kafka.readRanges({
    topic: topic.name,
    ranges,
    maxBytesPerPartition: 512,
    onBatch: async (records) => {
      got.push(...records)
      return stopAfter !== undefined && got.length >= stopAfter
    },
  })
  try {
    await reader.done
  } finally {
    await reader.stop()
  }
  return { got, reader }
}

describe('range reader', () => {
  it('reads a whole partition through its commit markers, skipping aborted records, and finishes', async () => {
    // 30 records, 3 commit markers, 1 aborted record and its abort marker. The coordinator writes the abort
    // marker asynchronously, and until it lands the end offset is the open transaction's start (33).
    let end: { offset: string } | undefined
    for (let i = 0; i < 100 && end?.offset !== '35'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100))
      ;[end] = await kafka.endOffsets(topic.name)
    }
    expect(end?.offset).toBe('35')
    const { got, reader } = await read([
      { partition: 0, from: '0', to: end!.offset },
      { partition: 1, from: '0', to: '0' },
    ])
    expect(got.map((r) => JSON.parse(r.value!.toString()).i)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(got.every((r) => r.partition === 0)).toBe(true)
    expect(reader.position(0)).toBe('35')
  })

  it('reads exactly the records inside [from, to)', async () => {
    const { got } = await read([{ partition: 0, from: '5', to: '13' }])
    // Offsets 5-9 are records, 10 the first commit marker, 11-12 records of the second transaction.
    expect(got.map((r) => r.offset)).toEqual(['5', '6', '7', '8', '9', '11', '12'])
  })

  it('finishes a partition early when the caller says so', async () => {
    const { got } = await read([{ partition: 0, from: '0', to: '35' }], 3)
    expect(got.length).toBeGreaterThanOrEqual(3)
    expect(got.length).toBeLessThan(30)
  })

  it('rejects with the caller error and reads nothing more', async () => {
    let calls = 0
    const reader = await kafka.readRanges({
      topic: topic.name,
      ranges: [{ partition: 0, from: '0', to: '35' }],
      maxBytesPerPartition: 512,
      onBatch: async () => {
        calls++
        throw new Error('store down')
      },
    })
    await expect(reader.done).rejects.toThrow('store down')
    await reader.stop()
    expect(calls).toBe(1)
  })
})

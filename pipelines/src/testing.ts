/**
 * Helpers for suites that run against a real broker (`@freshet/pipelines/testing`); not part of the runtime API.
 * One place, so every suite names throwaway topics and reads them back the same way.
 */
import { randomUUID } from 'node:crypto'
import type { ConsumedRecord, KafkaBackbone } from './kafka/kafka.js'
import type { TopicSpec } from './topics/catalog.js'

/** The brokers `npm test` exported (test/src/with-services.ts), or the local default. */
export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')
}

/**
 * A uniquely named topic spec. Retention is long because suites write simulated history with old event times,
 * which a short retention would delete at once.
 *
 * @example
 * const spec = testTopic('roundtrip', 3)
 * await kafka.ensureTopics([spec])
 */
export function testTopic(prefix: string, partitions = 1): TopicSpec {
  return {
    name: `test.${prefix}.${randomUUID().slice(0, 8)}`,
    description: 'test topic',
    partitions,
    retentionMs: 30 * 24 * 60 * 60 * 1000,
    cleanupPolicy: 'delete',
    key: 'test key',
  }
}

/** Consumes `topic` from the beginning until `count` records arrived; throws if they do not within `timeoutMs`. */
export async function collect(
  kafka: KafkaBackbone,
  topic: string,
  count: number,
  { readCommitted = true, timeoutMs = 30_000 } = {},
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = []
  let done: () => void = () => {}
  const enough = new Promise<void>((resolve) => {
    done = resolve
  })
  const consumer = await kafka.consume({
    groupId: `test-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    readCommitted,
    onBatch: async (batch) => {
      records.push(...batch)
      if (records.length >= count) done()
    },
  })
  const timer = setTimeout(done, timeoutMs)
  await enough
  clearTimeout(timer)
  await consumer.stop()
  if (records.length < count) {
    throw new Error(`consumed ${records.length} of ${count} records from ${topic} in ${timeoutMs} ms`)
  }
  return records
}

/**
 * Reads a topic from the beginning to its current end (read_committed), sorted by partition then offset.
 * Transactional topics end in commit markers no consumer sees, so a quiet period also ends the read.
 */
export async function readAll(
  kafka: KafkaBackbone,
  topic: string,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const ends = await kafka.endOffsets(topic)
  const records: ConsumedRecord[] = []
  const positions = new Map<number, bigint>()
  const done = () => ends.every((e) => (positions.get(e.partition) ?? 0n) >= BigInt(e.offset))
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  const consumer = await kafka.consume({
    groupId: `reader-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    onBatch: async (batch) => {
      records.push(...batch)
      for (const r of batch) positions.set(r.partition, BigInt(r.offset) + 1n)
      if (done()) finish()
    },
  })
  let last = -1
  const quiet = setInterval(() => {
    if (records.length === last) finish()
    last = records.length
  }, 3000)
  const timer = setTimeout(finish, timeoutMs)
  if (done()) finish()
  await finished
  clearInterval(quiet)
  clearTimeout(timer)
  await consumer.stop()
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
}

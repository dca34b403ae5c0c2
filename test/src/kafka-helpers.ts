import { randomUUID } from 'node:crypto'
import type { ConsumedRecord, KafkaBackbone, TopicSpec } from '@freshet/pipelines'

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')

export function testTopic(prefix: string, partitions = 1): TopicSpec {
  return {
    name: `test.${prefix}.${randomUUID().slice(0, 8)}`,
    description: 'test topic',
    partitions,
    retentionMs: 30 * 24 * 60 * 60 * 1000,
    cleanupPolicy: 'delete',
    key: 'test',
  }
}

/** Reads a topic from the beginning up to its current end (read_committed), partition by partition in order. */
export async function readAll(
  kafka: KafkaBackbone,
  topic: string,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const ends = await kafka.endOffsets(topic)
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
  const records: ConsumedRecord[] = []
  const positions = new Map<number, bigint>()
  // Transactional topics end in commit markers no consumer sees, so for them the quiet period below ends the read.
  const done = () => ends.every((e) => (positions.get(e.partition) ?? 0n) >= BigInt(e.offset))
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
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

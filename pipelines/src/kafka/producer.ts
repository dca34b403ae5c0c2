/** Plain and transactional producers, and the request chunking both send through. */

import { FreshetError } from '@freshet/feature-store'
import type { Kafka, Message, Sender } from 'kafkajs'
import { COMPRESSION_TYPES } from './codecs.js'
import { wrap } from './errors.js'
import { CompressionTypes, Partitioners } from './kafkajs-interop.js'
import type {
  CommittedOffset,
  OutgoingRecord,
  ProducerOptions,
  RecordProducer,
  TransactionalProducer,
} from './ports.js'

export async function openProducer(
  kafka: Kafka,
  { idempotent = true, compression = 'none' }: ProducerOptions = {},
): Promise<RecordProducer> {
  const codec = COMPRESSION_TYPES[compression]
  if (codec === undefined) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `unknown compression '${String(compression)}' (expected ${Object.keys(COMPRESSION_TYPES).join(', ')})`,
    )
  }
  const p = kafka.producer({
    // murmur2 over the key, as the Java client does: a car lands on the same partition whoever produced it.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent,
    maxInFlightRequests: idempotent ? 5 : undefined,
    allowAutoTopicCreation: false,
  })
  await wrap('connect producer', () => p.connect())
  return {
    send: (records) => sendGrouped(p, records, codec),
    disconnect: () => p.disconnect(),
  }
}

export async function openTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
): Promise<TransactionalProducer> {
  const p = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  })
  await wrap('connect transactional producer', () => p.connect())
  return {
    async transaction(work) {
      const tx = await wrap('begin transaction', () => p.transaction())
      try {
        await work({
          send: (records) => sendGrouped(tx, records),
          sendOffsets: (groupId, offsets) =>
            tx.sendOffsets({ consumerGroupId: groupId, topics: groupOffsets(offsets) }),
        })
      } catch (err) {
        await tx.abort().catch(() => {})
        throw err
      }
      await wrap('commit transaction', () => tx.commit())
    },
    disconnect: () => p.disconnect(),
  }
}

/**
 * The broker refuses a record batch over `message.max.bytes` (1 MB by default) and kafkajs sends one batch per
 * partition per request, so large outputs go in several requests of at most this many bytes. Inside a
 * transaction that changes nothing: every request belongs to the same transaction, in order.
 */
const MAX_REQUEST_BYTES = 512 * 1024

async function sendGrouped(
  sender: Sender,
  records: readonly OutgoingRecord[],
  compression: CompressionTypes = CompressionTypes.None,
): Promise<void> {
  let chunk: OutgoingRecord[] = []
  let bytes = 0
  for (const r of records) {
    const size = recordBytes(r)
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      await sendChunk(sender, chunk, compression)
      chunk = []
      bytes = 0
    }
    chunk.push(r)
    bytes += size
  }
  await sendChunk(sender, chunk, compression)
}

function recordBytes(r: OutgoingRecord): number {
  let n = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0)
  for (const [k, v] of Object.entries(r.headers ?? {})) n += k.length + v.length
  return n
}

async function sendChunk(
  sender: Sender,
  records: readonly OutgoingRecord[],
  compression: CompressionTypes,
): Promise<void> {
  if (records.length === 0) return
  const byTopic = new Map<string, Message[]>()
  for (const r of records) {
    listFor(byTopic, r.topic).push({
      key: r.key,
      value: r.value,
      ...(r.headers === undefined ? {} : { headers: r.headers }),
      timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
      partition: r.partition,
    })
  }
  await wrap('send', () =>
    sender.sendBatch({
      compression,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    }),
  )
}

function groupOffsets(offsets: readonly CommittedOffset[]) {
  const byTopic = new Map<string, { partition: number; offset: string; metadata?: string | null }[]>()
  for (const o of offsets) {
    listFor(byTopic, o.topic).push({ partition: o.partition, offset: o.offset, metadata: o.metadata ?? null })
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
}

function listFor<T>(map: Map<string, T[]>, key: string): T[] {
  const list = map.get(key)
  if (list !== undefined) return list
  const created: T[] = []
  map.set(key, created)
  return created
}

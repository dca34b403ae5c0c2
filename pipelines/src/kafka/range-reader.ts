/**
 * Fixed offset ranges of one topic, read by a consumer of their own: what replays and backfills read through
 * `KafkaBackbone.readRanges`.
 */

import { randomUUID } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import type { Assigner, Consumer, Kafka, KafkaMessage } from 'kafkajs'
import { toConsumedRecord } from './consumed-record.js'
import { wrap } from './errors.js'
import { AssignerProtocol } from './kafkajs-interop.js'
import type { RangeReader, ReadRangesOptions } from './ports.js'

export async function openRangeReader(
  kafka: Kafka,
  { topic, ranges, readCommitted = true, maxBytesPerPartition, onBatch }: ReadRangesOptions,
): Promise<RangeReader> {
  const positions = new Map(ranges.map((r) => [r.partition, BigInt(r.from)]))
  const ends = new Map(ranges.map((r) => [r.partition, BigInt(r.to)]))
  const open = new Set(ranges.filter((r) => BigInt(r.from) < BigInt(r.to)).map((r) => r.partition))
  let settle: { resolve(): void; reject(err: unknown): void } = { resolve() {}, reject() {} }
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  done.catch(() => {}) // the caller awaits it; an unobserved rejection must not crash the process first
  const position = (partition: number) => positions.get(partition)?.toString()
  if (open.size === 0) {
    settle.resolve()
    return { done, position, stop: async () => {} }
  }
  const partitions = [...open]
  const c: Consumer = kafka.consumer({
    groupId: `freshet-range-reader-${randomUUID()}`,
    partitionAssigners: [() => rangeAssigner(topic, partitions)],
    // A restarted kafkajs consumer would start over from the earliest offset (the group commits nothing):
    // fail instead, and let the caller resume from its own checkpoint.
    retry: { restartOnFailure: async () => false },
    readUncommitted: !readCommitted,
    allowAutoTopicCreation: false,
    ...(maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition, maxBytes: maxBytesPerPartition * partitions.length }),
  })
  let failed = false
  const finish = (partition: number) => {
    if (!open.delete(partition)) return
    c.pause([{ topic, partitions: [partition] }])
    if (open.size === 0) settle.resolve()
  }
  const advance = (partition: number, next: bigint) => {
    if (next > (positions.get(partition) ?? 0n)) positions.set(partition, next)
    if (next >= (ends.get(partition) ?? 0n)) finish(partition)
  }
  await wrap('connect range reader', () => c.connect())
  try {
    await wrap('subscribe range reader', () => c.subscribe({ topic, fromBeginning: true }))
    c.on(c.events.CRASH, ({ payload }) => {
      failed = true
      settle.reject(
        new FreshetError('KAFKA_UNAVAILABLE', `range reader of ${topic} failed: ${payload.error.message}`, {
          retriable: true,
          cause: payload.error,
        }),
      )
    })
    // A rejoin (a long pause cost the member its session) resets fetch positions: put them back.
    let joins = 0
    c.on(c.events.GROUP_JOIN, () => {
      if (++joins === 1) return
      for (const p of open) c.seek({ topic, partition: p, offset: String(positions.get(p) ?? 0n) })
    })
    // Batches of only transaction markers or aborted records never reach eachBatch: move past them here.
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
      if (!failed && payload.topic === topic && open.has(payload.partition)) {
        advance(payload.partition, BigInt(payload.lastOffset) + 1n)
      }
    })
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const { partition } = batch
        if (failed || !open.has(partition)) return
        const from = positions.get(partition) ?? 0n
        const to = ends.get(partition) ?? 0n
        const { messages } = batch
        const inside = (m: KafkaMessage) => {
          const offset = BigInt(m.offset)
          return offset >= from && offset < to
        }
        // Messages come in offset order: a batch wholly inside the range (the usual case) needs no filter.
        const whole = messages.length > 0 && inside(messages[0]!) && inside(messages.at(-1)!)
        const records = (whole ? messages : messages.filter(inside)).map((m) =>
          toConsumedRecord(topic, partition, batch.highWatermark, m),
        )
        try {
          const finished = records.length > 0 ? await onBatch(records) : false
          if (finished) finish(partition)
          else advance(partition, BigInt(batch.lastOffset()) + 1n)
        } catch (err) {
          failed = true
          settle.reject(err)
        }
      },
    })
    // Applied on the first fetch; the filter above drops anything fetched from the default position before.
    for (const r of ranges)
      if (open.has(r.partition)) c.seek({ topic, partition: r.partition, offset: r.from })
  } catch (err) {
    await c.disconnect().catch(() => {})
    throw err
  }
  let stopping: Promise<void> | undefined
  return {
    done,
    position,
    stop: () => {
      stopping ??= c.disconnect().catch(() => {})
      return stopping
    },
  }
}

/** Gives the (only) member of a range reader's throwaway group exactly the partitions it reads. */
function rangeAssigner(topic: string, partitions: readonly number[]): Assigner {
  return {
    name: 'FreshetRangeAssigner',
    version: 0,
    async assign({ members }) {
      const [first, ...rest] = members.map((m) => m.memberId).sort()
      const encode = (assignment: Record<string, number[]>) =>
        AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) })
      return [
        ...(first === undefined
          ? []
          : [{ memberId: first, memberAssignment: encode({ [topic]: [...partitions] }) }]),
        ...rest.map((memberId) => ({ memberId, memberAssignment: encode({}) })),
      ]
    },
    protocol({ topics }) {
      return {
        name: 'FreshetRangeAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      }
    },
  }
}

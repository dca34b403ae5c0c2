/** Group consumers: one `onBatch` per fetched batch (kafkajs `eachBatch`); commits in or out of a transaction. */

import type { Consumer, Kafka } from 'kafkajs'
import { headersToStrings } from './consumed-record.js'
import { wrap } from './errors.js'
import type { ConsumeOptions, RecordConsumer } from './ports.js'

export async function openConsumer(
  kafka: Kafka,
  {
    groupId,
    topics,
    fromBeginning = false,
    readCommitted = true,
    autoCommit = true,
    maxBytesPerPartition,
    sessionTimeoutMs,
    partitionsConsumedConcurrently,
    onAssignment,
    onBatch,
  }: ConsumeOptions,
): Promise<RecordConsumer> {
  const c: Consumer = kafka.consumer({
    groupId,
    ...(sessionTimeoutMs === undefined
      ? {}
      : { sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.floor(sessionTimeoutMs / 4) }),
    readUncommitted: !readCommitted,
    allowAutoTopicCreation: false,
    ...(maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition, maxBytes: maxBytesPerPartition * 8 }),
  })
  await wrap('connect consumer', () => c.connect())
  for (const topic of topics) await c.subscribe({ topic, fromBeginning })
  let markStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => {
    markStarted = resolve
  })
  c.on(c.events.FETCH_START, () => markStarted())
  if (onAssignment) {
    c.on(c.events.GROUP_JOIN, ({ payload }) =>
      onAssignment(
        Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions })),
      ),
    )
  }
  await c.run({
    autoCommit,
    ...(partitionsConsumedConcurrently === undefined ? {} : { partitionsConsumedConcurrently }),
    eachBatch: async ({ batch }) => {
      await onBatch(
        batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: headersToStrings(m.headers),
          timestamp: Number(m.timestamp),
          highWatermark: batch.highWatermark,
        })),
      )
    },
  })
  return {
    started,
    seek: (topic, partition, offset) => c.seek({ topic, partition, offset }),
    commit: (offsets) =>
      wrap('commit offsets', () =>
        c.commitOffsets(
          offsets.map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset,
            metadata: o.metadata ?? null,
          })),
        ),
      ),
    stop: () => c.disconnect(),
  }
}

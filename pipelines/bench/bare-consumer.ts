import { randomUUID } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import { decodeEvent, type KafkaBackbone } from '../src/index.js'
import { cpuSince, type RunResult, runResult, waitForCount } from './measure.js'

export interface BareRunOptions {
  kafka: KafkaBackbone
  topic: string
  events: number
  /** Same fetch size as the engine, so both see the same batches. */
  maxBytesPerPartition: number
  onProgress?: (count: number) => void
}

/**
 * The baseline: a kafkajs `eachBatch` consumer (through the adapter) that decodes and validates every record
 * and does nothing else: no state, no output, no offset commits. A fresh group reads the topic from the start.
 *
 * @example
 * const r = await runBareConsumer({ kafka, topic, events: 1_000_000, maxBytesPerPartition: 4 << 20 })
 */
export async function runBareConsumer(options: BareRunOptions): Promise<RunResult> {
  const { kafka, topic, events } = options
  let decoded = 0
  let invalid = 0
  const startAt = performance.now()
  const consumer = await kafka.consume({
    groupId: `bench-bare-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    fromBeginning: true,
    readCommitted: true,
    autoCommit: false,
    maxBytesPerPartition: options.maxBytesPerPartition,
    onBatch: async (records) => {
      for (const record of records) if (!decodeEvent(record).ok) invalid++
      decoded += records.length
    },
  })
  try {
    await consumer.started
    const joinedAt = performance.now()
    const cpuAtJoin = process.cpuUsage()
    const doneAt = await waitForCount(
      () => decoded,
      events,
      options.onProgress ? { onProgress: options.onProgress } : {},
    )
    if (invalid > 0) throw new FreshetError('INTERNAL', `${invalid} records of ${topic} failed to decode`)
    return runResult(events, startAt, joinedAt, doneAt, cpuSince(cpuAtJoin))
  } finally {
    await consumer.stop()
  }
}

import { randomUUID } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import { type ConsumedRecord, decodeEvent, type KafkaBackbone } from '../src/index.js'
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
export function runBareConsumer(options: BareRunOptions): Promise<RunResult> {
  return runTimedConsumer(options, { groupPrefix: 'bench-bare' }, async () => {})
}

/**
 * Times one fresh consumer group over the whole topic: every record is decoded and validated (a failure fails
 * the run), then `afterDecode` gets the batch (what a consumer does beyond decoding). Counts a batch once
 * `afterDecode` resolves; CPU time is the whole process's from the first fetch to the last record.
 *
 * @example
 * await runTimedConsumer(options, { groupPrefix: 'bench-x' }, async (records, groupId) => publish(records))
 */
export async function runTimedConsumer(
  options: BareRunOptions,
  consumer: { groupPrefix: string; partitionsConsumedConcurrently?: number },
  afterDecode: (records: readonly ConsumedRecord[], groupId: string) => Promise<void>,
): Promise<RunResult> {
  const { kafka, topic, events } = options
  const groupId = `${consumer.groupPrefix}-${randomUUID().slice(0, 8)}`
  let done = 0
  let invalid = 0
  const startAt = performance.now()
  const running = await kafka.consume({
    groupId,
    topics: [topic],
    fromBeginning: true,
    readCommitted: true,
    autoCommit: false,
    maxBytesPerPartition: options.maxBytesPerPartition,
    ...(consumer.partitionsConsumedConcurrently === undefined
      ? {}
      : { partitionsConsumedConcurrently: consumer.partitionsConsumedConcurrently }),
    onBatch: async (records) => {
      for (const record of records) if (!decodeEvent(record).ok) invalid++
      await afterDecode(records, groupId)
      done += records.length
    },
  })
  try {
    await running.started
    const joinedAt = performance.now()
    const cpuAtJoin = process.cpuUsage()
    const doneAt = await waitForCount(
      () => done,
      events,
      options.onProgress ? { onProgress: options.onProgress } : {},
    )
    if (invalid > 0) throw new FreshetError('INTERNAL', `${invalid} records of ${topic} failed to decode`)
    return runResult(events, startAt, joinedAt, doneAt, cpuSince(cpuAtJoin))
  } finally {
    await running.stop()
  }
}

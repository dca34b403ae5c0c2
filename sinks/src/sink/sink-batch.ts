import type { FeatureRecord } from '@freshet/feature-store'
import type { ConsumedRecord, OutgoingRecord } from '@freshet/pipelines'
import { deadLetterMessage } from './dead-letter.js'
import type { FeatureRecordValidator } from './validate.js'

/** The steps a batch goes through; `commit` runs only once every other step has been acknowledged. */
export type SinkStage = 'dead_letter' | 'online' | 'offline' | 'commit'

/**
 * One fetched batch of one topic-partition on its way to the stores. It is kept (not re-decoded) while a store
 * is down, and remembers which steps were acknowledged, so a retry repeats only what failed: a dead letter
 * already sent is not sent again, a store that already took the rows is not written again.
 */
export interface SinkBatch {
  topic: string
  partition: number
  firstOffset: string
  /** Offset to commit: one past the last record. */
  nextOffset: string
  /** High watermark when fetched, for the lag gauge. */
  highWatermark: string | undefined
  /** Records that passed validation, in offset order. */
  records: FeatureRecord[]
  deadLetters: OutgoingRecord[]
  /** Error codes of the dead letters, for the metric once they are acknowledged. */
  rejectedCodes: string[]
  /** Steps not acknowledged yet. */
  pending: Set<SinkStage>
  /** Failed attempts so far. */
  attempt: number
  /** Not retried before this wall-clock time. */
  retryAt: number
}

export interface PrepareOptions {
  validate: FeatureRecordValidator
  /** Where rejected records go; null counts them without sending (replays: the live sink has sent them). */
  deadLetterTopic: string | null
  online: boolean
  offline: boolean
  /** Called for each rejected record (a log line). */
  onReject?(record: ConsumedRecord, code: string, reason: string): void
}

/**
 * Decodes and validates a batch (all records of one topic-partition, offset order) into a {@link SinkBatch}.
 *
 * @example
 * const batch = prepareBatch(records, { validate, deadLetterTopic: DEAD_LETTER_TOPIC, online: true, offline: true })
 */
export function prepareBatch(records: readonly ConsumedRecord[], options: PrepareOptions): SinkBatch {
  const first = records[0]
  const last = records.at(-1)
  if (first === undefined || last === undefined) throw new Error('prepareBatch needs at least one record')
  const valid: FeatureRecord[] = []
  const deadLetters: OutgoingRecord[] = []
  const rejectedCodes: string[] = []
  for (const message of records) {
    const verdict = options.validate(message)
    if (verdict.ok) {
      valid.push(verdict.record)
      continue
    }
    rejectedCodes.push(verdict.code)
    options.onReject?.(message, verdict.code, verdict.reason)
    if (options.deadLetterTopic !== null) {
      deadLetters.push(deadLetterMessage(options.deadLetterTopic, message, verdict.code, verdict.reason))
    }
  }
  const pending = new Set<SinkStage>(['commit'])
  if (deadLetters.length > 0) pending.add('dead_letter')
  if (valid.length > 0 && options.online) pending.add('online')
  if (valid.some((r) => r.final) && options.offline) pending.add('offline')
  return {
    topic: first.topic,
    partition: first.partition,
    firstOffset: first.offset,
    nextOffset: String(BigInt(last.offset) + 1n),
    highWatermark: last.highWatermark,
    records: valid,
    deadLetters,
    rejectedCodes,
    pending,
    attempt: 0,
    retryAt: 0,
  }
}

import type { ErrorCode } from '@freshet/feature-store'
import { type ConsumedRecord, DLQ_HEADERS, type OutgoingRecord } from '@freshet/pipelines'

/** The dead-letter topic every Freshet process writes to (`TOPICS.deadLetter` in the topic catalog). */
export const DEAD_LETTER_TOPIC = 'freshet.dead-letter.v1'

/**
 * The dead-letter message of a rejected feature record, by the engine's convention: the original key, bytes,
 * headers and timestamp untouched, plus `freshet-dlq-*` headers saying why and where from. The source
 * (topic, partition, offset) identifies a dead letter: a sink that crashes before committing sends it again.
 *
 * @example
 * await producer.send([deadLetterMessage(DEAD_LETTER_TOPIC, message, 'FEATURE_SCHEMA_MISMATCH', 'unknown feature x')])
 */
export function deadLetterMessage(
  topic: string,
  record: ConsumedRecord,
  code: ErrorCode,
  reason: string,
): OutgoingRecord {
  return {
    topic,
    key: record.key?.toString('utf8') ?? null,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.reason]: reason.slice(0, 4000),
      [DLQ_HEADERS.errorCode]: code,
      [DLQ_HEADERS.sourceTopic]: record.topic,
      [DLQ_HEADERS.sourcePartition]: String(record.partition),
      [DLQ_HEADERS.sourceOffset]: record.offset,
    },
    timestamp: record.timestamp,
  }
}

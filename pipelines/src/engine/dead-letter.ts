import type { ErrorCode } from '@freshet/feature-store'
import type { ConsumedRecord, OutgoingRecord } from '../kafka/kafka.js'

/** Headers added to a dead-lettered message; the original key, bytes and headers travel unchanged. */
export const DLQ_HEADERS = {
  reason: 'freshet-dlq-reason',
  errorCode: 'freshet-dlq-error-code',
  sourceTopic: 'freshet-dlq-source-topic',
  sourcePartition: 'freshet-dlq-source-partition',
  sourceOffset: 'freshet-dlq-source-offset',
} as const

/** Headers added to a late event on the late-events topic. */
export const LATE_HEADERS = {
  view: 'freshet-late-view',
  windows: 'freshet-late-windows',
  watermark: 'freshet-late-watermark',
  sourceTopic: 'freshet-late-source-topic',
  sourcePartition: 'freshet-late-source-partition',
  sourceOffset: 'freshet-late-source-offset',
} as const

export interface DeadLetter {
  record: ConsumedRecord
  code: ErrorCode
  reason: string
}

export interface LateEvent {
  record: ConsumedRecord
  view: string
  windows: readonly string[]
  watermark: number
}

/** The dead-letter message for a record: original key, value and headers, plus why and where from. */
export function deadLetterRecord(topic: string, { record, code, reason }: DeadLetter): OutgoingRecord {
  return forwardOriginal(topic, record, {
    [DLQ_HEADERS.reason]: reason.slice(0, 4000),
    [DLQ_HEADERS.errorCode]: code,
    [DLQ_HEADERS.sourceTopic]: record.topic,
    [DLQ_HEADERS.sourcePartition]: String(record.partition),
    [DLQ_HEADERS.sourceOffset]: record.offset,
  })
}

/** The late-events message for a record that arrived after its windows closed. */
export function lateEventRecord(topic: string, late: LateEvent): OutgoingRecord {
  const { record } = late
  return forwardOriginal(topic, record, {
    [LATE_HEADERS.view]: late.view,
    [LATE_HEADERS.windows]: late.windows.join(','),
    [LATE_HEADERS.watermark]: String(late.watermark),
    [LATE_HEADERS.sourceTopic]: record.topic,
    [LATE_HEADERS.sourcePartition]: String(record.partition),
    [LATE_HEADERS.sourceOffset]: record.offset,
  })
}

/** Re-publishes a record untouched (key, bytes, headers, timestamp) with extra headers saying why. */
function forwardOriginal(
  topic: string,
  record: ConsumedRecord,
  extra: Record<string, string>,
): OutgoingRecord {
  return {
    topic,
    key: record.key?.toString('utf8') ?? null,
    value: record.value,
    headers: { ...record.headers, ...extra },
    timestamp: record.timestamp,
  }
}

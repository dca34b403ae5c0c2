/** Maps kafkajs' fetched messages to the backbone's `ConsumedRecord`. */

import type { IHeaders, KafkaMessage } from 'kafkajs'
import type { ConsumedRecord } from './ports.js'

export function toConsumedRecord(
  topic: string,
  partition: number,
  highWatermark: string,
  m: KafkaMessage,
): ConsumedRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: headersToStrings(m.headers),
    timestamp: Number(m.timestamp),
    highWatermark,
  }
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v
    if (first !== undefined) out[k] = first.toString()
  }
  return out
}

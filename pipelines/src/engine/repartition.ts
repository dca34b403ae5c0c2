import type { AnyFeatureView } from '@freshet/feature-store'
import { z } from 'zod'
import type { ConsumedRecord, OutgoingRecord } from '../kafka/kafka.js'
import type { TopicSpec } from '../topics/catalog.js'
import type { WindowPartial } from './window-partial.js'

/**
 * The internal topic between the two phases of a repartitioned view. It carries two kinds of message:
 * - `partial`: one input partition's states of a closed window, keyed by the view's key, so every partial of a
 *   zone lands on the same partition and one merge task owns the zone;
 * - `watermark`: "input partition p has reached event time t", sent to every partition of this topic after each
 *   transaction that moved p's watermark. A merge task closes a window once every input partition is past it.
 * Both are written in the first phase's transaction, so read_committed consumers see them exactly once, and
 * a partition's watermark always follows the partials it covers.
 */
export const REPARTITION_HEADERS = { kind: 'freshet-repartition-kind' } as const

export const REPARTITION_PARTITIONS = 6

/** `freshet-features-zone_traffic-v1-repartition`: one per deployment and view version. */
export function repartitionTopicName(applicationId: string, view: { name: string; version: number }): string {
  return `${applicationId}-${view.name}-v${view.version}-repartition`
}

export function repartitionTopicSpec(name: string): TopicSpec {
  return {
    name,
    description: `Internal: partial windows and input watermarks between the two phases of a view (${name}).`,
    partitions: REPARTITION_PARTITIONS,
    // Only the open windows' partials are ever replayed; a week covers any outage worth replaying.
    retentionMs: 7 * 24 * 60 * 60_000,
    cleanupPolicy: 'delete',
    // Retention by arrival, not event time: replaying last year's history must not be deleted as it is written.
    config: { 'message.timestamp.type': 'LogAppendTime' },
    key: "the view's entity key (partials), or null (watermarks)",
  }
}

/** A watermark message: input partition `source` of `sources` has reached event time `watermark`. */
export interface InputWatermark {
  source: number
  sources: number
  watermark: number
}

const partialSchema = z.strictObject({
  view: z.string(),
  window: z.string(),
  key: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  state: z.array(z.unknown()),
})

const watermarkSchema = z.strictObject({
  source: z.number().int().nonnegative(),
  sources: z.number().int().positive(),
  watermark: z.number(),
})

export function partialMessage(topic: string, partial: WindowPartial): OutgoingRecord {
  return {
    topic,
    key: partial.key,
    value: Buffer.from(JSON.stringify(partial)),
    headers: { [REPARTITION_HEADERS.kind]: 'partial' },
    timestamp: partial.end,
  }
}

/** One watermark message per partition of the repartition topic. */
export function watermarkMessages(topic: string, mark: InputWatermark, partitions: number): OutgoingRecord[] {
  const value = Buffer.from(JSON.stringify(mark))
  return Array.from({ length: partitions }, (_, partition) => ({
    topic,
    partition,
    key: null,
    value,
    headers: { [REPARTITION_HEADERS.kind]: 'watermark' },
    timestamp: Math.max(0, Math.floor(mark.watermark)),
  }))
}

export type RepartitionMessage =
  | { ok: true; kind: 'partial'; partial: WindowPartial }
  | { ok: true; kind: 'watermark'; mark: InputWatermark }
  | { ok: false; reason: string }

/** Never throws: a message this engine did not write comes back with a reason (it goes to the dead-letter topic). */
export function decodeRepartitionMessage(record: ConsumedRecord): RepartitionMessage {
  const kind = record.headers[REPARTITION_HEADERS.kind]
  let json: unknown
  try {
    json = JSON.parse(record.value?.toString('utf8') ?? '')
  } catch {
    return { ok: false, reason: 'repartition message is not JSON' }
  }
  if (kind === 'partial') {
    const parsed = partialSchema.safeParse(json)
    return parsed.success
      ? { ok: true, kind, partial: parsed.data }
      : { ok: false, reason: `invalid partial: ${parsed.error.issues[0]?.message}` }
  }
  if (kind === 'watermark') {
    const parsed = watermarkSchema.safeParse(json)
    return parsed.success
      ? { ok: true, kind, mark: parsed.data }
      : { ok: false, reason: `invalid watermark: ${parsed.error.issues[0]?.message}` }
  }
  return { ok: false, reason: `unknown repartition message kind ${JSON.stringify(kind ?? null)}` }
}

/** The views of a list that need a repartition topic. */
export function repartitionedViews(views: readonly AnyFeatureView[]): AnyFeatureView[] {
  return views.filter((v) => v.repartition)
}

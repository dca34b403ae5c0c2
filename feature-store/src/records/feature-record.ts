import { z } from 'zod'

/**
 * A synthetic feature event: the aggregates of one entity's window, as published on the view's feature topic.
 * `id`, bounds, `eventTime` and `features` are a pure function of the input events, so live, replayed and offline
 * runs of the same definition agree on them. `watermark` and `processedAt` describe the run that produced the
 * record (partitioning, end-of-input flush, wall clock) and are not part of that promise.
 */
export const featureRecordV1 = z.strictObject({
  /** Deterministic: view, version, entity, window label and bounds. Sinks deduplicate on it. */
  id: z.string(),
  view: z.string(),
  version: z.number().int().positive(),
  entity: z.string(),
  window: z.string(),
  windowStart: z.number().int(),
  windowEnd: z.number().int(),
  /** Event time as of which the values hold: the window end once final, the latest event counted while updating. */
  eventTime: z.number().int(),
  /** The partition watermark when the record was produced. */
  watermark: z.number().int(),
  /** `false` for `updating` partials; the final record of a window always follows its partials. */
  final: z.boolean(),
  features: z.record(z.string(), z.number().nullable()),
  /** Wall-clock time the runtime produced the record (the only non-deterministic field). */
  processedAt: z.number().int().optional(),
})

export type FeatureRecord = z.infer<typeof featureRecordV1>

export const FEATURE_RECORD_SCHEMA = { name: 'feature_record', version: 1 } as const

/** `car_motion:v1:car-0001:15m:1764000000000:1764000900000` */
export function featureRecordId(
  viewRef: string,
  entity: string,
  window: string,
  start: number,
  end: number,
): string {
  return `${viewRef}:${entity}:${window}:${start}:${end}`
}

/** The feature topic of a view version: `features.car_motion.v1`. */
export function featureTopicName(view: { name: string; version: number }): string {
  return `features.${view.name}.v${view.version}`
}

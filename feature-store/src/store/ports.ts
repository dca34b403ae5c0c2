import type { FeatureRecord } from '../records/feature-record.js'

/**
 * The storage ports of the feature store. They name no client, connection or transaction type: each adapter
 * (sinks/src/redis, sinks/src/clickhouse) owns its connection, and callers (sinks, serving, training) only see
 * these shapes. Readers are split from writers because different processes hold them.
 */

/** A feature of one view version, as users name it: `car_motion:v1:speed_kmh_mean_15m`. */
export interface FeatureRef {
  view: string
  version: number
  feature: string
}

/** Parses `view:vN:feature` (the form CLIs, APIs and model cards use). */
export function parseFeatureRef(ref: string): FeatureRef | undefined {
  const match = /^([a-z][a-z0-9_]*):v([1-9][0-9]*):([a-z][a-z0-9_]*)$/.exec(ref)
  if (!match) return undefined
  return { view: match[1]!, version: Number(match[2]), feature: match[3]! }
}

/** `car_motion:v1:speed_kmh_mean_15m` */
export function formatFeatureRef(ref: FeatureRef): string {
  return `${ref.view}:v${ref.version}:${ref.feature}`
}

/** Whether an online value can be used: `expired` means older than the view's ttl at read time. */
export type OnlineStatus = 'present' | 'missing' | 'expired'

/** One feature of one entity as read from the online store. `value` is null unless present. */
export interface OnlineFeatureValue {
  ref: FeatureRef
  entity: string
  status: OnlineStatus
  value: number | null
  /** Event time the value holds as of (epoch ms); null when missing. */
  eventTime: number | null
  /** Read time − event time (ms); null when missing. */
  ageMs: number | null
}

/** Writes the latest value per (view version, entity, window); never lets an older record overwrite a newer one. */
export interface OnlineFeatureWriter {
  /** Idempotent and monotonic: replays and out-of-order delivery never regress a stored value. */
  write(records: readonly FeatureRecord[]): Promise<void>
  close(): Promise<void>
}

/** Reads features for many entities in one round trip, ttl enforced at read time. */
export interface OnlineFeatureReader {
  /** One result per (entity, ref), entities outer, refs inner, in request order. */
  read(entities: readonly string[], refs: readonly FeatureRef[], now?: number): Promise<OnlineFeatureValue[]>
  close(): Promise<void>
}

/** Appends feature records to the offline store; rewriting a record (same id) collapses to one row. */
export interface OfflineFeatureWriter {
  write(records: readonly FeatureRecord[]): Promise<void>
  close(): Promise<void>
}

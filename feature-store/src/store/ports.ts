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

/** A value of a label column: what a training example carries besides its entity keys and timestamp. */
export type LabelValue = string | number | boolean | null

/**
 * One training example: when it happened and which entities it concerns, plus any columns the caller wants
 * carried through (the target, a ride id, …). Every view joins on the column named after its entity
 * (`car`, `zone`), or on `entity` when the row has no such column. Numbers become Float64, strings String,
 * booleans Bool, each nullable; every row has the columns of the first.
 *
 * @example
 * const label: LabelRow = { timestamp: Date.parse('2025-11-20T08:15:00Z'), car: 'car-0007', eta_s: 412 }
 */
export interface LabelRow {
  /** Epoch ms. Features join as they were known at this instant: nothing that became available later. */
  timestamp: number
  entity?: string
  [column: string]: LabelValue | undefined
}

/**
 * Labels generated over a time range instead of passed in: every entity (given, or seen by the requested
 * views in the range) at `from`, `from + everyMs`, … while `< to`. The requested views must share one
 * entity type; the key column is named after it.
 *
 * @example
 * const spine: LabelSpine = { from: Date.parse('2025-11-20T00:00Z'), to: Date.parse('2025-11-21T00:00Z'), everyMs: 60_000 }
 */
export interface LabelSpine {
  from: number
  to: number
  everyMs: number
  entities?: readonly string[]
}

/** Label rows (an array, any iterable or a stream) or a generated spine. */
export type Labels = Iterable<LabelRow> | AsyncIterable<LabelRow> | LabelSpine

/**
 * One output row: the label's own columns, then one column per requested feature named by its ref
 * (`car_motion:v1:speed_kmh_mean_15m`), null when missing, expired (older than the view's ttl at the label
 * time) or not yet available then.
 */
export type TrainingRow = Record<string, LabelValue>

/** Byte formats of a training set; `CSV` carries a header row. */
export type TrainingSetFormat = 'CSV' | 'JSONEachRow' | 'Parquet'

/** Point-in-time reads of the offline store, for training sets and analysis. */
export interface OfflineFeatureReader {
  /** One row per label, in label order (a spine: by timestamp, then entity). */
  getHistoricalFeatures(labels: Labels, refs: readonly FeatureRef[]): AsyncIterable<TrainingRow>
  /** The same rows as bytes in `format`, for a CLI or an HTTP response. */
  exportHistoricalFeatures(
    labels: Labels,
    refs: readonly FeatureRef[],
    format: TrainingSetFormat,
  ): AsyncIterable<Uint8Array>
  close(): Promise<void>
}

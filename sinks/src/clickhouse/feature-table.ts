import { type FeatureRecord, type FeatureView, FreshetError } from '@freshet/feature-store'
import { quoteIdentifier } from './identifiers.js'

/** What the offline store needs of a feature view: its identity, entity, ttl and output columns. */
export type OfflineViewDefinition = Pick<
  FeatureView,
  'name' | 'version' | 'ref' | 'entity' | 'ttlMs' | 'outputs'
>

/** One row of a feature table as inserted (JSONEachRow); times are epoch ms, which DateTime64(3) reads as such. */
export type FeatureTableRow = Record<string, string | number | boolean | null>

/**
 * The ClickHouse table of one view version, derived from its definition: a Nullable(Float64) column per output
 * feature next to the record's identity and times. A record fills only the columns of its own window; the
 * others stay null, which is why point-in-time reads join per (view, window).
 */
export interface FeatureTable {
  readonly view: OfflineViewDefinition
  /** `features_car_motion_v1` */
  readonly table: string
  /** `features_latest_car_motion_v1`: one row per entity with its newest value of every feature. */
  readonly latestView: string
  /** Output feature name → its window label. */
  readonly windowOf: ReadonlyMap<string, string>
  /** Window labels in definition order. */
  readonly windows: readonly string[]
}

/** Columns every feature table has; a feature may not be named like one of them. */
export const FIXED_COLUMNS = [
  'id',
  'entity',
  'window_label',
  'window_start',
  'window_end',
  'event_time',
  'available_at',
  'ingested_at',
  'is_final',
] as const

/**
 * Describes (and validates) the table of a view version.
 *
 * @example
 * featureTable(carMotion).table // 'features_car_motion_v1'
 */
export function featureTable(view: OfflineViewDefinition): FeatureTable {
  const table = `features_${view.name}_v${view.version}`
  const latestView = `features_latest_${view.name}_v${view.version}`
  quoteIdentifier(table)
  const windowOf = new Map<string, string>()
  for (const output of view.outputs) {
    quoteIdentifier(output.name)
    quoteIdentifier(output.window)
    if ((FIXED_COLUMNS as readonly string[]).includes(output.name)) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `${view.ref}: feature '${output.name}' clashes with a fixed column`,
      )
    }
    windowOf.set(output.name, output.window)
  }
  return { view, table, latestView, windowOf, windows: [...new Set(windowOf.values())] }
}

/**
 * DDL of a view version's table. ReplacingMergeTree keyed by (entity, event_time, id): records are deterministic
 * per id (a final record's event time is its window end), so a rewritten record lands on the same key and
 * collapses to the latest ingestion; the key also sorts each entity's history by time for ASOF joins.
 * `non_replicated_deduplication_window` makes a retried insert with the same token a no-op.
 */
export function createTableStatement(t: FeatureTable): string {
  const features = t.view.outputs.map((o) => `  ${quoteIdentifier(o.name)} Nullable(Float64)`)
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(t.table)} (
  id String,
  entity String,
  window_label LowCardinality(String),
  window_start DateTime64(3, 'UTC'),
  window_end DateTime64(3, 'UTC'),
  event_time DateTime64(3, 'UTC'),
  available_at DateTime64(3, 'UTC') COMMENT 'when the value became servable: processedAt, else the watermark',
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  is_final Bool,
${features.join(',\n')}
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (entity, event_time, id)
SETTINGS non_replicated_deduplication_window = 1000`
}

/**
 * An analyst's view of the newest value of every feature per entity (all windows side by side, with the event
 * time of each window's newest record). `tuple(…).1` keeps a newest null as null: argMax skips null arguments.
 */
export function createLatestViewStatement(t: FeatureTable): string {
  const windowTimes = t.windows.map(
    (w) => `  maxIfOrNull(event_time, window_label = '${w}') AS ${quoteIdentifier(`event_time_${w}`)}`,
  )
  const features = t.view.outputs.map(
    (o) =>
      `  argMaxIf(tuple(${quoteIdentifier(o.name)}), (event_time, id), window_label = '${o.window}').1 AS ${quoteIdentifier(o.name)}`,
  )
  return `CREATE VIEW IF NOT EXISTS ${quoteIdentifier(t.latestView)} AS
SELECT
  entity,
${[...windowTimes, ...features].join(',\n')}
FROM ${quoteIdentifier(t.table)} FINAL
GROUP BY entity`
}

/**
 * The row of a record. `available_at` is when the value became servable: the engine's `processedAt`; records
 * from offline runs have none, and get the watermark they were emitted at (the earliest event time a live
 * engine could have produced them), never earlier than their event time.
 */
export function toFeatureTableRow(t: FeatureTable, record: FeatureRecord): FeatureTableRow {
  const row: FeatureTableRow = {
    id: record.id,
    entity: record.entity,
    window_label: record.window,
    window_start: record.windowStart,
    window_end: record.windowEnd,
    event_time: record.eventTime,
    available_at: record.processedAt ?? Math.max(record.eventTime, record.watermark),
    is_final: record.final,
  }
  for (const output of t.view.outputs) {
    const value = output.window === record.window ? record.features[output.name] : undefined
    row[output.name] = typeof value === 'number' && Number.isFinite(value) ? value : null
  }
  return row
}

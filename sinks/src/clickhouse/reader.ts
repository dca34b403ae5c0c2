import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import type {
  FeatureRef,
  Labels,
  OfflineFeatureReader,
  TrainingRow,
  TrainingSetFormat,
} from '@freshet/feature-store'
import { type ClickHouseClientOptions, createClickHouseClient } from './client.js'
import { type FeatureTable, featureTable, type OfflineViewDefinition } from './feature-table.js'
import { quoteIdentifier } from './identifiers.js'
import { loadLabels } from './labels.js'
import { offlineStoreMigrations, runMigrations } from './migrations.js'
import { groupRefs, pointInTimeQuery } from './point-in-time-query.js'
import { storeError } from './store-error.js'

export interface ClickHouseOfflineReaderOptions extends ClickHouseClientOptions {
  /** View versions whose features can be requested; their tables are created if missing. */
  views: readonly OfflineViewDefinition[]
  /** Label rows per insert while loading labels. Default 100 000. */
  labelBatchRows?: number
  /** Create missing tables and views on open (needs DDL rights; a read-only analyst account sets false). Default true. */
  migrate?: boolean
}

const FORMATS: Record<TrainingSetFormat, string> = {
  CSV: 'CSVWithNames',
  JSONEachRow: 'JSONEachRow',
  Parquet: 'Parquet',
}

const QUERY_SETTINGS: ClickHouseSettings = {
  // An unmatched ASOF row must read as NULL, not as 0 / 1970.
  join_use_nulls: 1,
  // The only 64-bit integer out is the label time in epoch ms, exact in a double: plain JSON numbers.
  output_format_json_quote_64bit_integers: 0,
  // pandas and most CSV readers take an empty field as missing, not `\N`.
  format_csv_null_representation: '',
  output_format_parquet_string_as_string: 1,
  // The timeline check and the reads it routes must see the same parts (see pointInTimeQuery).
  enable_shared_storage_snapshot_in_query: 1,
}

/**
 * Opens the offline store for point-in-time reads (training sets). Each call loads its labels into a temporary
 * table of its own ClickHouse session and runs one query (ASOF JOINs, see {@link pointInTimeQuery}), so the
 * join happens inside ClickHouse, never in Node. Results stream from a server; chDB hands a result over in one
 * piece, so an embedded training set is held in memory once before it streams.
 *
 * Embedded chDB: the data dir belongs to one process, the sink deployable that runs the offline writer; offline
 * queries go through that process (an HTTP endpoint streaming {@link OfflineFeatureReader.exportHistoricalFeatures}
 * is the planned door). With a ClickHouse server url, readers run anywhere.
 *
 * @example
 * const reader = await createClickHouseOfflineReader({ url: 'http://127.0.0.1:8123', views: [carMotion] })
 * const labels = [{ timestamp: Date.parse('2025-11-20T08:15:00Z'), car: 'car-0007', eta_s: 412 }]
 * for await (const row of reader.getHistoricalFeatures(labels, [parseFeatureRef('car_motion:v1:speed_kmh_mean_5m')!])) {
 *   console.log(row) // { timestamp: 1763626500000, car: 'car-0007', eta_s: 412, 'car_motion:v1:speed_kmh_mean_5m': 31.2 }
 * }
 * await reader.close()
 */
export async function createClickHouseOfflineReader(
  options: ClickHouseOfflineReaderOptions,
): Promise<OfflineFeatureReader> {
  const { views, labelBatchRows = 100_000, migrate = true, ...clientOptions } = options
  const tables = new Map(views.map((v) => [v.ref, featureTable(v)]))
  const client = createClickHouseClient(clientOptions)
  if (migrate) {
    try {
      await runMigrations(client, offlineStoreMigrations(views))
    } catch (err) {
      await client.close()
      throw err
    }
  }
  return new ClickHouseOfflineReader(client, tables, labelBatchRows)
}

class ClickHouseOfflineReader implements OfflineFeatureReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly tables: ReadonlyMap<string, FeatureTable>,
    private readonly labelBatchRows: number,
  ) {}

  async *getHistoricalFeatures(labels: Labels, refs: readonly FeatureRef[]): AsyncIterable<TrainingRow> {
    const decoder = new StringDecoder('utf8')
    let rest = ''
    for await (const chunk of this.exportHistoricalFeatures(labels, refs, 'JSONEachRow')) {
      const lines = (rest + decoder.write(chunk)).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) if (line !== '') yield JSON.parse(line) as TrainingRow
    }
    rest += decoder.end()
    if (rest.trim() !== '') yield JSON.parse(rest) as TrainingRow
  }

  async *exportHistoricalFeatures(
    labels: Labels,
    refs: readonly FeatureRef[],
    format: TrainingSetFormat,
  ): AsyncIterable<Uint8Array> {
    const groups = groupRefs(this.tables, refs)
    const tables = [...new Set(groups.map((g) => g.table))]
    // A session of its own: the temporary table lives and dies with it (chDB ignores the id: one session).
    const sessionId = randomUUID()
    const table = `freshet_labels_${sessionId.replaceAll('-', '')}`
    let stream: Readable | undefined
    try {
      const loaded = await loadLabels(
        { client: this.client, sessionId, table, tables, batchRows: this.labelBatchRows },
        labels,
      )
      const { sql, params } = pointInTimeQuery(table, loaded, groups)
      try {
        const result = await this.client.exec({
          query: `${sql}\nFORMAT ${FORMATS[format]}`,
          query_params: params,
          session_id: sessionId,
          clickhouse_settings: QUERY_SETTINGS,
        })
        stream = result.stream
      } catch (err) {
        throw storeError(err, 'run the point-in-time query')
      }
      const chunks = stream[Symbol.asyncIterator]()
      for (;;) {
        let next: IteratorResult<Buffer>
        try {
          next = await chunks.next()
        } catch (err) {
          throw storeError(err, 'stream the point-in-time result')
        }
        if (next.done) break
        yield next.value
      }
    } finally {
      stream?.destroy()
      await this.client
        .command({ query: `DROP TEMPORARY TABLE IF EXISTS ${quoteIdentifier(table)}`, session_id: sessionId })
        .catch(() => undefined) // a server drops it with the session anyway
    }
  }

  close(): Promise<void> {
    return this.client.close()
  }
}

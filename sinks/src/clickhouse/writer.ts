import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClickHouseClient } from '@clickhouse/client'
import { type FeatureRecord, FreshetError, type OfflineFeatureWriter } from '@freshet/feature-store'
import { type ClickHouseClientOptions, createClickHouseClient } from './client.js'
import {
  type FeatureTable,
  type FeatureTableRow,
  featureTable,
  type OfflineViewDefinition,
  toFeatureTableRow,
} from './feature-table.js'
import { quoteIdentifier } from './identifiers.js'
import { offlineStoreMigrations, runMigrations } from './migrations.js'
import { storeError } from './store-error.js'

export interface ClickHouseOfflineWriterOptions extends ClickHouseClientOptions {
  /** The view versions whose records this writer accepts; their tables are created (migrated) on open. */
  views: readonly OfflineViewDefinition[]
  /** Insert as soon as this many rows are buffered. Default 1000. */
  batchRows?: number
  /** Insert rows buffered this long even if fewer than `batchRows`. Default 1000 ms. */
  maxDelayMs?: number
  /** Tries per insert on a retriable error, each with the same deduplication token. Default 3. */
  insertAttempts?: number
}

/** An {@link OfflineFeatureWriter} that can also be told to insert what it buffers now. */
export interface ClickHouseOfflineWriter extends OfflineFeatureWriter {
  /** Inserts the buffered rows now; resolves when they are stored. */
  flush(): Promise<void>
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
}

interface Batch {
  rows: Map<FeatureTable, FeatureTableRow[]>
  size: number
  waiters: Waiter[]
  timer: NodeJS.Timeout | undefined
}

/**
 * Opens the offline store for writing: creates the views' tables (idempotent migrations), then batches records
 * into JSONEachRow inserts of ≥ `batchRows` rows or every `maxDelayMs`.
 *
 * Only final records are stored. A partial (`final: false`) depends on how input was micro-batched: a live run,
 * a replay and a backfill emit different ones (count and event times), so keeping them would make the store
 * irreproducible and grow it on every replay instead of collapsing. Training sets then hold the value of the
 * latest closed window, which is what an `emit: 'final'` view serves online (every view today); for an
 * `updating` view the online store may serve a partial that training never saw.
 *
 * `write` resolves once its records are stored, so a sink may commit its offsets then. When an insert fails
 * (after `insertAttempts`), every write of that batch rejects and its rows leave the buffer, for the caller to
 * redeliver. Each insert carries a deduplication token derived from its rows: the same batch again, retried by
 * this writer or redelivered after a crash, is dropped by ClickHouse instead of doubling rows; rewrites in other
 * batches collapse on the table key (read with `FINAL`).
 *
 * Embedded chDB: the data dir belongs to this process (the sink deployable); readers must run in it too.
 *
 * @example
 * const writer = await createClickHouseOfflineWriter({ dataDir: '.freshet/chdb', views: [carMotion] })
 * await writer.write(records) // resolves when stored
 * await writer.close()        // inserts what is buffered, releases the connection
 */
export async function createClickHouseOfflineWriter(
  options: ClickHouseOfflineWriterOptions,
): Promise<ClickHouseOfflineWriter> {
  const { views, batchRows = 1000, maxDelayMs = 1000, insertAttempts = 3, ...clientOptions } = options
  if (!(batchRows >= 1 && maxDelayMs >= 0 && insertAttempts >= 1)) {
    throw new FreshetError('CONFIG_INVALID', 'batchRows and insertAttempts must be ≥ 1, maxDelayMs ≥ 0')
  }
  const tables = new Map(views.map((v) => [v.ref, featureTable(v)]))
  const client = createClickHouseClient(clientOptions)
  try {
    await runMigrations(client, offlineStoreMigrations(views))
  } catch (err) {
    await client.close()
    throw err
  }
  return new BatchingWriter(client, tables, batchRows, maxDelayMs, insertAttempts)
}

class BatchingWriter implements ClickHouseOfflineWriter {
  private batch: Batch | undefined
  /** Inserts run one batch at a time, in order. */
  private inserting: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(
    private readonly client: ClickHouseClient,
    private readonly tables: ReadonlyMap<string, FeatureTable>,
    private readonly batchRows: number,
    private readonly maxDelayMs: number,
    private readonly insertAttempts: number,
  ) {}

  write(records: readonly FeatureRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new FreshetError('INTERNAL', 'offline writer is closed'))
    // Map everything first: a record of an unknown view fails the whole call, nothing half-buffered.
    const mapped: [FeatureTable, FeatureTableRow][] = []
    for (const record of records) {
      if (!record.final) continue
      const ref = `${record.view}:v${record.version}`
      const table = this.tables.get(ref)
      if (table === undefined) {
        return Promise.reject(
          new FreshetError('CONFIG_INVALID', `offline writer has no view ${ref} (record ${record.id})`),
        )
      }
      mapped.push([table, toFeatureTableRow(table, record)])
    }
    if (mapped.length === 0) return Promise.resolve()

    const batch = this.batch ?? this.openBatch()
    for (const [table, row] of mapped) {
      const rows = batch.rows.get(table)
      if (rows === undefined) batch.rows.set(table, [row])
      else rows.push(row)
    }
    batch.size += mapped.length
    const stored = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }))
    if (batch.size >= this.batchRows) void this.cut().catch(() => undefined)
    return stored
  }

  flush(): Promise<void> {
    return this.cut()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      await this.cut()
    } finally {
      await this.client.close()
    }
  }

  private openBatch(): Batch {
    const batch: Batch = { rows: new Map(), size: 0, waiters: [], timer: undefined }
    batch.timer = setTimeout(() => void this.cut().catch(() => undefined), this.maxDelayMs)
    this.batch = batch
    return batch
  }

  /** Hands the open batch to the insert queue; resolves when it (and every batch before it) is stored. */
  private cut(): Promise<void> {
    const batch = this.batch
    this.batch = undefined
    if (batch === undefined) return this.inserting.then(() => undefined)
    clearTimeout(batch.timer)
    const done = this.inserting.then(() => this.insertBatch(batch))
    this.inserting = done.catch(() => undefined)
    return done
  }

  private async insertBatch(batch: Batch): Promise<void> {
    try {
      for (const [table, rows] of batch.rows) await this.insert(table, rows)
    } catch (err) {
      for (const w of batch.waiters) w.reject(err)
      throw err
    }
    for (const w of batch.waiters) w.resolve()
  }

  private async insert(table: FeatureTable, rows: readonly FeatureTableRow[]): Promise<void> {
    const body = rows.map((row) => JSON.stringify(row)).join('\n')
    const token = createHash('sha256').update(table.table).update('\n').update(body).digest('hex')
    // Settings inline rather than as clickhouse_settings: on chDB those cost a SET and its undo per insert
    // (half the insert time). The token is our own hex digest, so the literal cannot carry anything else.
    const query =
      `INSERT INTO ${quoteIdentifier(table.table)} ` +
      `SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}' FORMAT JSONEachRow`
    for (let attempt = 1; ; attempt++) {
      try {
        const { stream } = await this.client.exec({ query, values: Readable.from([body]) })
        stream.resume() // an insert answers nothing; draining the reply frees a server connection
        await finished(stream)
        return
      } catch (err) {
        const error = storeError(err, `insert ${rows.length} rows into ${table.table}`)
        if (!error.retriable || attempt >= this.insertAttempts) throw error
        await sleep(100 * 2 ** attempt)
      }
    }
  }
}

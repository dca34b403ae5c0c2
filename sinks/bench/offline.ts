/**
 * `npm run bench -- offline [--json] [flags]`: the ClickHouse offline store on embedded chDB (or CLICKHOUSE_URL).
 * Writes a synthetic history of two car views through the offline writer, interleaved with a bare JSONEachRow
 * insert of the same rows (rows/s), then builds a point-in-time training set for random labels through the
 * reader and through a hand-written ASOF JOIN over the same tables (seconds, labels upload included in both,
 * both uploading them the same way: RowBinary, like the reader).
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { ClickHouseClient } from '@clickhouse/client'
import { type FeatureRecord, FreshetError, type LabelRow } from '@freshet/feature-store'
import { z } from 'zod'
import { featureTable, toFeatureTableRow } from '../src/clickhouse/feature-table.js'
import { quoteIdentifier } from '../src/clickhouse/identifiers.js'
import {
  type ClickHouseClientOptions,
  createClickHouseClient,
  createClickHouseOfflineReader,
  createClickHouseOfflineWriter,
} from '../src/clickhouse/index.js'
import { RowBinaryBuffer } from '../src/clickhouse/row-binary.js'
import { benchLabels, benchRecords, benchRefs, benchViews, handwrittenQuery } from './offline-data.js'
import { benchOnlineWrite } from './online-write.js'

const USAGE = `Usage: npm run bench -- offline [options]

  --labels N     labels in the training set (default 1000000)
  --features N   features requested, split over two views and two windows each (default 20)
  --cars N       cars in the history (default 1000)
  --hours N      hours of history, one record per car, view and window every minute (default 24)
  --reps N       training-set runs of each kind, interleaved; medians are reported (default 3)
  --json         one JSON line on stdout (summary goes to stderr)
`

const Args = z.object({
  labels: z.coerce.number().int().min(1).default(1_000_000),
  features: z.coerce.number().int().min(4).max(400).default(20),
  cars: z.coerce.number().int().min(1).default(1000),
  hours: z.coerce.number().min(0.5).default(24),
  reps: z.coerce.number().int().min(1).max(20).default(3),
  json: z.boolean().default(false),
})
export type OfflineBenchArgs = z.output<typeof Args>

export interface OfflineBenchResult {
  bench: 'offline'
  /** Reader: labels upload + point-in-time query, Parquet bytes consumed (median of the runs). */
  training_set_s: number
  /** Hand-written ASOF JOIN over the same tables: labels upload + query, Parquet bytes consumed. */
  handwritten_s: number
  /** Of handwritten_s: uploading the labels (the reader uploads them the same way). */
  labels_upload_s: number
  /** Of handwritten_s: the query, until the last Parquet byte is consumed. */
  handwritten_query_s: number
  /** training_set_s / handwritten_s */
  ratio: number
  /**
   * Embedded mode only: CPU time of this process (chDB runs in it) for each, medians, and their ratio. Less
   * sensitive than wall time to other work on a shared machine.
   */
  training_set_cpu_s?: number
  handwritten_cpu_s?: number
  cpu_ratio?: number
  labels: number
  features: number
  feature_rows: number
  /** Through the offline writer (mapping, batching, deduplication token). */
  write_rows_per_s: number
  /** The same rows as bare JSONEachRow inserts into a plain MergeTree copy of the tables. */
  bare_insert_rows_per_s: number
  /** The first 1000 labels give the same rows both ways (the history arrives in order, so they must). */
  agree: boolean
  mode: 'embedded' | 'server'
}

/** Records per writer call, like one fetched Kafka batch; the bare insert sends the same chunks. */
const CHUNK = 5000

/**
 * Runs the offline bench against `options` (a chDB data dir or a server database, emptied by the caller).
 *
 * @example
 * const result = await benchOffline({ dataDir: '/tmp/bench/chdb' }, { labels: 100_000, features: 20, cars: 500, hours: 6, json: false })
 */
export async function benchOffline(
  options: ClickHouseClientOptions,
  args: OfflineBenchArgs,
  log: (message: string) => void = () => undefined,
): Promise<OfflineBenchResult> {
  const views = benchViews(args.features)
  const minutes = Math.round(args.hours * 60)
  const client = createClickHouseClient(options)
  try {
    const writer = await createClickHouseOfflineWriter({ ...options, views })
    const tables = views.map(featureTable)
    for (const t of tables) {
      await client.command({
        query: `CREATE TABLE ${quoteIdentifier(`bare_${t.table}`)} AS ${quoteIdentifier(t.table)}
          ENGINE = MergeTree ORDER BY (entity, event_time, id)`,
      })
    }
    let writerMs = 0
    let bareMs = 0
    let rows = 0
    let chunk: FeatureRecord[] = []
    const flushChunk = async () => {
      let t = performance.now()
      await writer.write(chunk)
      writerMs += performance.now() - t
      const byTable = tables.map((table) => ({
        table,
        rows: chunk.filter((r) => r.view === table.view.name).map((r) => toFeatureTableRow(table, r)),
      }))
      t = performance.now()
      for (const { table, rows: tableRows } of byTable) {
        await client.insert({
          table: quoteIdentifier(`bare_${table.table}`),
          format: 'JSONEachRow',
          values: tableRows,
        })
      }
      bareMs += performance.now() - t
      rows += chunk.length
      chunk = []
      if (rows % (CHUNK * 100) === 0) log(`wrote ${rows} rows`)
    }
    for (const record of benchRecords(views, args.cars, minutes)) {
      chunk.push(record)
      if (chunk.length >= CHUNK) await flushChunk()
    }
    if (chunk.length > 0) await flushChunk()
    await writer.close()
    log(
      `wrote ${rows} rows: writer ${(writerMs / 1000).toFixed(1)} s, bare insert ${(bareMs / 1000).toFixed(1)} s`,
    )

    // Background merges of the history just written would slow whichever run they overlap.
    const settledMs = await mergesSettled(client)
    log(`background merges settled after ${(settledMs / 1000).toFixed(1)} s`)

    const reader = await createClickHouseOfflineReader({ ...options, views })
    const refs = benchRefs(views)
    let labelCount = Math.min(10_000, args.labels)
    const labels = () => benchLabels(labelCount, args.cars, minutes, 11)
    const training: Timing[] = []
    const handwritten: (Timing & { uploadMs: number })[] = []
    const runTraining = async (): Promise<Timing & { bytes: number }> => {
      const start = startTiming()
      let bytes = 0
      for await (const c of reader.exportHistoricalFeatures(labels(), refs, 'Parquet')) bytes += c.length
      return { ...start.stop(), bytes }
    }
    const runHandwritten = async (): Promise<Timing & { bytes: number; uploadMs: number }> => {
      const sessionId = randomUUID()
      const start = startTiming()
      await loadHandwrittenLabels(client, sessionId, labels())
      const uploadMs = performance.now() - start.wallStart
      const result = await client.exec({
        query: `${handwrittenQuery(views)} FORMAT Parquet`,
        session_id: sessionId,
        clickhouse_settings: { join_use_nulls: 1 },
      })
      let bytes = 0
      for await (const c of result.stream) bytes += (c as Buffer).length
      const timing = start.stop()
      await dropHandwrittenLabels(client, sessionId)
      return { ...timing, bytes, uploadMs }
    }
    // Untimed warm-up of both (code paths, caches), on a slice of the labels.
    await runTraining()
    await runHandwritten()
    labelCount = args.labels
    for (let rep = 0; rep < args.reps; rep++) {
      // Alternate which goes first: on a shared machine the load drifts.
      let train: Timing & { bytes: number }
      let hand: Timing & { bytes: number; uploadMs: number }
      if (rep % 2 === 0) {
        train = await runTraining()
        hand = await runHandwritten()
      } else {
        hand = await runHandwritten()
        train = await runTraining()
      }
      training.push(train)
      handwritten.push(hand)
      log(
        `run ${rep + 1}: training set ${(train.wallMs / 1000).toFixed(2)} s (${train.bytes} Parquet bytes), ` +
          `hand-written ${(hand.wallMs / 1000).toFixed(2)} s (${hand.bytes} bytes, labels upload ` +
          `${(hand.uploadMs / 1000).toFixed(2)} s)`,
      )
    }
    const trainingMs = median(training.map((r) => r.wallMs))
    const handwrittenMs = median(handwritten.map((r) => r.wallMs))
    const uploadMs = median(handwritten.map((r) => r.uploadMs))
    const handQueryMs = median(handwritten.map((r) => r.wallMs - r.uploadMs))
    const trainingCpuMs = median(training.map((r) => r.cpuMs))
    const handwrittenCpuMs = median(handwritten.map((r) => r.cpuMs))

    // Same answers on a sample, so the two timings measure the same work.
    const sample = [...benchLabels(Math.min(1000, args.labels), args.cars, minutes, 11)]
    const fromReader: unknown[] = []
    for await (const row of reader.getHistoricalFeatures(sample, refs)) fromReader.push(row)
    await reader.close()
    const sampleSession = randomUUID()
    await loadHandwrittenLabels(client, sampleSession, sample)
    const byHand = await client.query({
      query: handwrittenQuery(views),
      format: 'JSONEachRow',
      session_id: sampleSession,
      clickhouse_settings: { join_use_nulls: 1, output_format_json_quote_64bit_integers: 0 },
    })
    const agree = canonical(await byHand.json()) === canonical(fromReader)
    await dropHandwrittenLabels(client, sampleSession)

    return {
      bench: 'offline',
      training_set_s: round(trainingMs / 1000),
      handwritten_s: round(handwrittenMs / 1000),
      labels_upload_s: round(uploadMs / 1000),
      handwritten_query_s: round(handQueryMs / 1000),
      ratio: round(trainingMs / handwrittenMs),
      ...(options.url === undefined
        ? {
            training_set_cpu_s: round(trainingCpuMs / 1000),
            handwritten_cpu_s: round(handwrittenCpuMs / 1000),
            cpu_ratio: round(trainingCpuMs / handwrittenCpuMs),
          }
        : {}),
      labels: args.labels,
      features: refs.length,
      feature_rows: rows,
      write_rows_per_s: Math.round(rows / (writerMs / 1000)),
      bare_insert_rows_per_s: Math.round(rows / (bareMs / 1000)),
      agree,
      mode: options.url === undefined ? 'embedded' : 'server',
    }
  } finally {
    await client.close()
  }
}

/**
 * The hand-written side's labels: a temporary table like the reader's, loaded like the reader loads them
 * (RowBinary in batches of 100 000 rows): the better way to load labels, not part of what is compared.
 */
async function loadHandwrittenLabels(
  client: ClickHouseClient,
  sessionId: string,
  labels: Iterable<LabelRow>,
) {
  await client.command({
    query: `CREATE TEMPORARY TABLE labels (row UInt64, ts DateTime64(3, 'UTC'), car String, eta_s Nullable(Float64))
      ENGINE = Memory`,
    session_id: sessionId,
  })
  const rows = new RowBinaryBuffer()
  let batched = 0
  const insert = async () => {
    const { stream } = await client.exec({
      query: 'INSERT INTO labels (row, ts, car, eta_s) FORMAT RowBinary',
      values: Readable.from([rows.take()]),
      session_id: sessionId,
    })
    stream.resume()
    await finished(stream)
    batched = 0
  }
  let row = 0
  for (const l of labels) {
    rows
      .uint64(row++)
      .dateTime64ms(l.timestamp)
      .string(l.car as string)
    if (rows.present(l.eta_s)) rows.float64(l.eta_s as number)
    if (++batched >= 100_000) await insert()
  }
  if (batched > 0) await insert()
}

/** Waits (up to a minute) until no merge runs in the bench's database; resolves with the time waited. */
async function mergesSettled(client: ClickHouseClient): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < 60_000) {
    const result = await client.query({
      query: 'SELECT count() AS n FROM system.merges WHERE database = currentDatabase()',
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ n: string | number }>()
    if (Number(row?.n) === 0) break
    await new Promise((done) => setTimeout(done, 250))
  }
  return performance.now() - start
}

/** chDB has one session per client, so the table must go before the next run creates it. */
async function dropHandwrittenLabels(client: ClickHouseClient, sessionId: string) {
  await client.command({ query: 'DROP TEMPORARY TABLE IF EXISTS labels', session_id: sessionId })
}

/** Rows as JSON with sorted keys: the hand-written query lists features per window, the reader per request. */
function canonical(rows: readonly unknown[]): string {
  return JSON.stringify(rows.map((r) => Object.entries(r as object).sort(([a], [b]) => (a < b ? -1 : 1))))
}

interface Timing {
  wallMs: number
  /** User + system CPU of this process. */
  cpuMs: number
}

function startTiming() {
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  return {
    wallStart,
    stop(): Timing {
      const cpu = process.cpuUsage(cpuStart)
      return { wallMs: performance.now() - wallStart, cpuMs: (cpu.user + cpu.system) / 1000 }
    },
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

function parse(argv: readonly string[]): OfflineBenchArgs | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        labels: { type: 'string' },
        features: { type: 'string' },
        cars: { type: 'string' },
        hours: { type: 'string' },
        reps: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (cause) {
    throw new FreshetError('CONFIG_INVALID', `${(cause as Error).message}\n\n${USAGE}`, { cause })
  }
  if (values.help) return undefined
  const parsed = Args.safeParse(values)
  if (!parsed.success) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `invalid bench flags: ${z.prettifyError(parsed.error)}\n\n${USAGE}`,
    )
  }
  return parsed.data
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2))
  if (args === undefined) {
    process.stdout.write(USAGE)
    return
  }
  const log = (message: string) => process.stderr.write(`[bench offline] ${message}\n`)
  const url = process.env.CLICKHOUSE_URL || undefined
  const dir = await mkdtemp(join(tmpdir(), 'freshet-bench-offline-'))
  const database = `freshet_bench_${process.pid}`
  let options: ClickHouseClientOptions = { dataDir: join(dir, 'chdb') }
  if (url !== undefined) {
    options = { url, database }
    const admin = createClickHouseClient({ url })
    await admin.command({ query: 'CREATE DATABASE {db:Identifier}', query_params: { db: database } })
    await admin.close()
  }
  try {
    const offline = await benchOffline(options, args, log)
    // The other store the sink writes: the Redis writer (Lua CAS, ttl) against bare pipelined HSETs, same rows.
    const online = await benchOnlineWrite({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:16379' })
    const result = {
      ...offline,
      online_write_rows_per_s: online.writerRowsPerS,
      online_replay_rows_per_s: online.replayRowsPerS,
      bare_hset_rows_per_s: online.bareHsetRowsPerS,
      online_write_ratio: round(online.writerRowsPerS / online.bareHsetRowsPerS),
    }
    const summary =
      `offline store (${result.mode}): ${result.labels} labels × ${result.features} features over ` +
      `${result.feature_rows} feature rows\n` +
      `  training set ${result.training_set_s} s vs hand-written ASOF JOIN ${result.handwritten_s} s ` +
      `(ratio ${result.ratio}, same rows on a sample: ${result.agree})\n` +
      (result.cpu_ratio === undefined
        ? ''
        : `  CPU ${result.training_set_cpu_s} s vs ${result.handwritten_cpu_s} s (ratio ${result.cpu_ratio})\n`) +
      `  of which labels upload ${result.labels_upload_s} s, hand-written query + Parquet ${result.handwritten_query_s} s\n` +
      `  writer ${result.write_rows_per_s} rows/s vs bare JSONEachRow insert ${result.bare_insert_rows_per_s} rows/s\n` +
      `  Redis writer ${result.online_write_rows_per_s} rows/s vs bare pipelined HSET ${result.bare_hset_rows_per_s} rows/s\n`
    if (args.json) {
      process.stderr.write(summary)
      process.stdout.write(`${JSON.stringify(result)}\n`)
    } else {
      process.stdout.write(summary)
    }
  } finally {
    if (url !== undefined) {
      const admin = createClickHouseClient({ url })
      await admin.command({
        query: 'DROP DATABASE IF EXISTS {db:Identifier}',
        query_params: { db: database },
      })
      await admin.close()
    }
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()

import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { ClickHouseClient } from '@clickhouse/client'
import { FreshetError, type LabelRow, type LabelSpine, type Labels } from '@freshet/feature-store'
import type { FeatureTable } from './feature-table.js'
import { quoteIdentifier } from './identifiers.js'
import { RowBinaryBuffer } from './row-binary.js'
import { storeError } from './store-error.js'

/** Internal columns of a label table; label columns may not start with `__`. */
export const ROW_COLUMN = '__row'
export const TS_COLUMN = '__ts'

type LabelType = 'String' | 'Float64' | 'Bool'

/** A label column as stored: key columns are plain `String`, others nullable. */
export interface LabelColumn {
  name: string
  type: LabelType
  key: boolean
}

/** Labels loaded into a session's temporary table, ready to join. */
export interface LoadedLabels {
  columns: readonly LabelColumn[]
  /** Label column each view's entity joins on (`car`, or `entity`). */
  keyFor(entityType: string): string
  /** Earliest and latest label time (epoch ms); both 0 when there are no labels. */
  minTs: number
  maxTs: number
  /** ORDER BY of the output, over label table `l`. */
  orderBy: string
}

/** Where labels go: a temporary table of one ClickHouse session (dropped with it). */
export interface LabelTarget {
  client: ClickHouseClient
  sessionId: string
  table: string
  /** The tables being joined: their entity types pick the key columns, a spine reads its entities from them. */
  tables: readonly FeatureTable[]
  batchRows: number
}

/**
 * Loads labels into `target.table`: rows are validated and inserted in batches of RowBinary (no JSON to write
 * or parse), a spine is generated inside ClickHouse. Column types come from the first batch (the first non-null
 * value of each column).
 *
 * @example
 * const loaded = await loadLabels(target, [{ timestamp: 1_764_000_000_000, car: 'car-0001', eta_s: 300 }])
 */
export async function loadLabels(target: LabelTarget, labels: Labels): Promise<LoadedLabels> {
  if (isSpine(labels)) return loadSpine(target, labels)
  let table: RowTable | undefined
  const rows = new RowBinaryBuffer()
  let count = 0
  let minTs = Number.POSITIVE_INFINITY
  let maxTs = Number.NEGATIVE_INFINITY
  for await (const batch of inBatches(labels, target.batchRows)) {
    table ??= await createRowTable(target, batch)
    for (const label of batch) {
      table.write(rows, count++, label)
      if (label.timestamp < minTs) minTs = label.timestamp
      if (label.timestamp > maxTs) maxTs = label.timestamp
    }
    const body = rows.take()
    await run(`insert labels into ${target.table}`, async () => {
      const { stream } = await target.client.exec({
        query: table!.insert,
        values: Readable.from([body]),
        session_id: target.sessionId,
      })
      stream.resume() // an insert answers nothing; draining the reply frees a server connection
      await finished(stream)
    })
  }
  table ??= await createRowTable(target, [])
  const { columns, keyFor, orderBy } = table
  return count === 0
    ? { columns, keyFor, orderBy, minTs: 0, maxTs: 0 }
    : { columns, keyFor, orderBy, minTs, maxTs }
}

/** Labels in arrays of `size`; a synchronous source is read synchronously (no promise per label). */
async function* inBatches<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = []
  if (Symbol.asyncIterator in items) {
    for await (const item of items) {
      batch.push(item)
      if (batch.length >= size) {
        yield batch
        batch = []
      }
    }
  } else {
    for (const item of items) {
      batch.push(item)
      if (batch.length >= size) {
        yield batch
        batch = []
      }
    }
  }
  if (batch.length > 0) yield batch
}

/** A label table of rows: its columns, and how a label is validated and encoded for it. */
interface RowTable extends Omit<LoadedLabels, 'minTs' | 'maxTs'> {
  /** `INSERT INTO … (__row, __ts, <columns>) FORMAT RowBinary` */
  insert: string
  /** Validates `label` against the columns, then appends it as row number `row`. */
  write(rows: RowBinaryBuffer, row: number, label: LabelRow): void
}

function isSpine(labels: Labels): labels is LabelSpine {
  return typeof (labels as LabelSpine).everyMs === 'number'
}

/** RowBinary encoders of the label column types, for values whose type has been checked. */
const ENCODE: Record<LabelType, (rows: RowBinaryBuffer, value: unknown) => unknown> = {
  String: (rows, value) => rows.string(value as string),
  Float64: (rows, value) => rows.float64(value as number),
  Bool: (rows, value) => rows.bool(value as boolean),
}

async function createRowTable(target: LabelTarget, sample: readonly LabelRow[]): Promise<RowTable> {
  // Column order follows the first row; an empty label set still has the generic key column.
  const names = sample.length === 0 ? ['entity'] : Object.keys(sample[0]!).filter((n) => n !== 'timestamp')
  const keyFor = keyResolver(names, target.tables)
  const keys = new Set(target.tables.map((t) => keyFor(t.view.entity)))
  const columns: LabelColumn[] = names.map((name) => {
    if (name.startsWith('__')) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `label column '${name}': names starting with '__' are reserved`,
      )
    }
    quoteIdentifier(name)
    if (keys.has(name)) return { name, type: 'String', key: true }
    const value = sample.map((s) => s[name]).find((v) => v !== null && v !== undefined)
    const type: LabelType =
      typeof value === 'number' ? 'Float64' : typeof value === 'boolean' ? 'Bool' : 'String'
    return { name, type, key: false }
  })
  await createTable(target, columns)
  const known = new Set(names)
  const typeOf = { String: 'string', Float64: 'number', Bool: 'boolean' } as const
  // Validation and encoding in one pass over the columns, in table order: a million labels take a moment.
  const plan = columns.map((c) => ({
    name: c.name,
    key: c.key,
    type: typeOf[c.type],
    encode: ENCODE[c.type],
  }))
  const write = (rows: RowBinaryBuffer, row: number, label: LabelRow) => {
    if (!Number.isSafeInteger(label.timestamp)) {
      throw invalidLabel(label, 'timestamp must be an integer (epoch ms)')
    }
    rows.uint64(row).dateTime64ms(label.timestamp)
    let present = 1 // timestamp
    for (const c of plan) {
      const value = label[c.name]
      if (value === null || value === undefined) {
        if (c.key) throw invalidLabel(label, `key column '${c.name}' must be a string`)
        if (value === null || c.name in label) present++
        rows.present(value)
        continue
      }
      present++
      if (typeof value !== c.type || (typeof value === 'number' && !Number.isFinite(value))) {
        throw invalidLabel(
          label,
          c.key
            ? `key column '${c.name}' must be a string`
            : `column '${c.name}' must be a ${c.type} like in the first label`,
        )
      }
      if (!c.key) rows.present(value)
      c.encode(rows, value)
    }
    let own = 0
    for (const _ in label) own++
    if (own !== present) {
      const unknown = Object.keys(label).find((name) => name !== 'timestamp' && !known.has(name))
      throw invalidLabel(label, `column '${unknown}' is not in the first label`)
    }
  }
  const insertColumns = [ROW_COLUMN, TS_COLUMN, ...names].map(quoteIdentifier).join(', ')
  return {
    columns,
    keyFor,
    orderBy: `l.${quoteIdentifier(ROW_COLUMN)}`,
    insert: `INSERT INTO ${quoteIdentifier(target.table)} (${insertColumns}) FORMAT RowBinary`,
    write,
  }
}

/** A view joins on the label column named after its entity, else on `entity`. */
function keyResolver(
  columns: readonly string[],
  tables: readonly FeatureTable[],
): (entityType: string) => string {
  const keyFor = (entityType: string) => (columns.includes(entityType) ? entityType : 'entity')
  for (const t of tables) {
    if (!columns.includes(keyFor(t.view.entity))) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `labels need a '${t.view.entity}' or 'entity' column to join ${t.view.ref}, got ${columns.join(', ')}`,
      )
    }
  }
  return keyFor
}

async function loadSpine(target: LabelTarget, spine: LabelSpine): Promise<LoadedLabels> {
  const { from, to, everyMs } = spine
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && Number.isSafeInteger(everyMs))) {
    throw new FreshetError('CONFIG_INVALID', 'label spine: from, to and everyMs must be integers (ms)')
  }
  if (everyMs <= 0 || to <= from)
    throw new FreshetError('CONFIG_INVALID', 'label spine: need everyMs > 0, to > from')
  const entityTypes = [...new Set(target.tables.map((t) => t.view.entity))]
  if (entityTypes.length !== 1) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `a label spine joins views of one entity type, these have ${entityTypes.join(', ')}: pass label rows`,
    )
  }
  const key = entityTypes[0]!
  const columns: LabelColumn[] = [{ name: key, type: 'String', key: true }]
  await createTable(target, columns)

  const params: Record<string, unknown> = { from, every: everyMs, ticks: Math.ceil((to - from) / everyMs) }
  let entities: string
  if (spine.entities !== undefined) {
    entities = 'SELECT arrayJoin({entities:Array(String)}) AS e'
    params.entities = spine.entities
  } else {
    // Entities the views saw while a value could still be valid for some tick.
    entities = target.tables
      .map((t, i) => {
        params[`lo_${i}`] = from - t.view.ttlMs
        return `SELECT DISTINCT entity AS e FROM ${quoteIdentifier(t.table)}
          WHERE event_time >= fromUnixTimestamp64Milli({lo_${i}:Int64}, 'UTC')
            AND event_time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
      })
      .join(' UNION DISTINCT ')
    params.to = to
  }
  await run(`generate the label spine into ${target.table}`, () =>
    target.client.command({
      query: `INSERT INTO ${quoteIdentifier(target.table)} (${quoteIdentifier(ROW_COLUMN)}, ${quoteIdentifier(TS_COLUMN)}, ${quoteIdentifier(key)})
        SELECT 0, fromUnixTimestamp64Milli(toInt64({from:Int64} + toInt64(number) * {every:Int64}), 'UTC'), e
        FROM numbers({ticks:UInt64}) AS ticks CROSS JOIN (SELECT DISTINCT e FROM (${entities})) AS entities`,
      query_params: params,
      session_id: target.sessionId,
    }),
  )
  const last = from + (Number(params.ticks) - 1) * everyMs
  return {
    columns,
    keyFor: () => key,
    minTs: from,
    maxTs: last,
    orderBy: `l.${quoteIdentifier(TS_COLUMN)}, l.${quoteIdentifier(key)}`,
  }
}

async function createTable(target: LabelTarget, columns: readonly LabelColumn[]): Promise<void> {
  const defs = columns.map((c) => `${quoteIdentifier(c.name)} ${c.key ? 'String' : `Nullable(${c.type})`}`)
  await run(`create label table ${target.table}`, () =>
    target.client.command({
      query: `CREATE TEMPORARY TABLE ${quoteIdentifier(target.table)} (
        ${quoteIdentifier(ROW_COLUMN)} UInt64, ${quoteIdentifier(TS_COLUMN)} DateTime64(3, 'UTC'), ${defs.join(', ')}
      ) ENGINE = Memory`,
      session_id: target.sessionId,
    }),
  )
}

async function run(doing: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call()
  } catch (err) {
    throw storeError(err, doing)
  }
}

function invalidLabel(label: LabelRow, why: string): FreshetError {
  return new FreshetError('CONFIG_INVALID', `invalid label ${JSON.stringify(label)}: ${why}`)
}

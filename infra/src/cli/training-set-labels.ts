/**
 * The labels file of `freshet training-set` as an offline API upload: CSV and JSON Lines stream as they are,
 * Parquet is decoded to JSON Lines by chDB first (the API takes rows; decoding Parquet is ClickHouse's job).
 */
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { FreshetError, isFreshetError } from '@freshet/feature-store'
import { type ClickHouseClientOptions, createClickHouseClient } from '@freshet/sinks'

/** Labels file extension → the content type it is uploaded as. */
export const LABEL_FILE_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.jsonl': 'application/x-ndjson',
  '.ndjson': 'application/x-ndjson',
  '.parquet': 'application/vnd.apache.parquet',
}

// pandas writes a non-default index as such a column; it is not a label, and `__` names are reserved.
const PANDAS_INDEX = /^__index_level_\d+__$/

/** A request body and its content type. */
export interface LabelsUpload {
  contentType: string
  body: ReadableStream<Uint8Array> | Uint8Array
}

/** Runs `decode` with a chDB to decode on: the one this process holds, or a throwaway one. */
export type WithChdb = (
  decode: (options: ClickHouseClientOptions) => Promise<Uint8Array>,
) => Promise<Uint8Array>

/**
 * The upload of a labels file. Parquet is decoded whole (chDB hands results over in one piece anyway).
 *
 * @example
 * const upload = await labelsUpload('rides.parquet', scratchChdb)
 * await fetch(url, { method: 'POST', headers: { 'content-type': upload.contentType }, body: upload.body })
 */
export async function labelsUpload(file: string, withChdb: WithChdb): Promise<LabelsUpload> {
  const contentType = LABEL_FILE_TYPES[extname(file).toLowerCase()]
  if (contentType === undefined) {
    throw new FreshetError('CONFIG_INVALID', `--labels ${file}: expected a .csv, .parquet or .jsonl file`)
  }
  if (contentType !== 'application/vnd.apache.parquet') return { contentType, body: fileStream(file) }
  const body = await withChdb((options) => parquetToJsonLines(file, options))
  return { contentType: 'application/x-ndjson', body }
}

/**
 * A chDB in a temporary dir, for a process that does not own the store (it asks the store's API over HTTP).
 *
 * @example
 * await labelsUpload('rides.parquet', scratchChdb)
 */
export const scratchChdb: WithChdb = async (decode) => {
  const scratch = await mkdtemp(join(tmpdir(), 'freshet-labels-'))
  try {
    return await decode({ dataDir: join(scratch, 'chdb') })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * A file as a pull-based web stream. Not `Readable.toWeb`: when the API refuses an upload part-way and cancels
 * the body, Node 20's adapter may still push into the closed stream and crash the process.
 */
function fileStream(file: string): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      handle ??= await open(file, 'r')
      const buffer = Buffer.alloc(256 * 1024)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead > 0) return controller.enqueue(buffer.subarray(0, bytesRead))
      await handle.close()
      controller.close()
    },
    async cancel() {
      await handle?.close()
    },
  })
}

async function parquetToJsonLines(file: string, options: ClickHouseClientOptions): Promise<Uint8Array> {
  const client = createClickHouseClient(options)
  try {
    const described = await client.query({
      query: 'DESCRIBE TABLE file({file:String}, Parquet)',
      query_params: { file },
      format: 'JSONEachRow',
    })
    const columns = (await described.json<{ name: string; type: string }>()).filter(
      (c) => !PANDAS_INDEX.test(c.name),
    )
    const params: Record<string, unknown> = { file }
    const select = columns.map((c, i) => {
      params[`c${i}`] = c.name
      // Parquet timestamps arrive as DateTime64: the API takes epoch ms (zoneless text would be ambiguous).
      return c.name === 'timestamp' && /Date/.test(c.type)
        ? `toUnixTimestamp64Milli(toDateTime64({c${i}:Identifier}, 3, 'UTC')) AS timestamp`
        : `{c${i}:Identifier}`
    })
    const result = await client.query({
      query: `SELECT ${select.join(', ')} FROM file({file:String}, Parquet)`,
      query_params: params,
      format: 'JSONEachRow',
      // Plain JSON numbers: label columns are Float64 anyway, and the timestamp must be a number.
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
    return Buffer.from(await result.text(), 'utf8')
  } catch (err) {
    if (isFreshetError(err)) throw err
    const why = (err as Error).message
    throw new FreshetError('CONFIG_INVALID', `--labels ${file}: cannot read it as Parquet: ${why}`, {
      cause: err,
    })
  } finally {
    await client.close()
  }
}

/**
 * `freshet training-set`: a point-in-time training set from a labels file, written to a Parquet, CSV or JSON
 * Lines file. Runnable directly: `npx tsx infra/src/cli/training-set.ts --labels … --features … --out …`.
 *
 * Every run goes through the offline API (sinks/src/http): over HTTP with `--url` (the process that owns the
 * store serves it: with embedded chDB no other process may open the data dir), or, without `--url`, in this
 * process over a reader on the chDB dir, which works only while nobody else owns it. One code path either way:
 * the same label parsing, feature resolution and errors.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream, existsSync, realpathSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type AnyFeatureView, type ErrorCode, FreshetError, isFreshetError } from '@freshet/feature-store'
import { featureViews } from '@freshet/pipelines'
import {
  type ClickHouseClientOptions,
  createClickHouseOfflineReader,
  createOfflineApi,
  type OutputFormat,
} from '@freshet/sinks'
import { createCliLogger } from '../cli-log.js'
import { loadConfig } from '../config.js'
import { LABEL_FILE_TYPES, type LabelsUpload, labelsUpload, scratchChdb } from './training-set-labels.js'

const USAGE = `usage: freshet training-set --labels <rides.csv|.parquet|.jsonl> --features <refs> --out <train.parquet|.csv|.jsonl>
                            [--url http://host:port [--api-key <key>]] [--data-dir <chdb dir>]

  --labels    one row per example: 'timestamp' (epoch ms, or ISO 8601 with a zone), the entity key column of
              each view (car, zone; or entity) and any columns to carry through (the target, a ride id)
  --features  comma-separated refs: view:vN:feature, or view:vN for all of that view's features
  --out       the training set; its format follows the extension (.parquet, .csv, .jsonl)
  --url       the offline API of the process that owns the store (the sink process). Its API key comes from
              FRESHET_API_KEY (preferred: it stays out of shell history and ps) or --api-key
  --data-dir  without --url: open this embedded chDB dir here (default $FRESHET_DATA_DIR/chdb), possible only
              while no other process owns it`

const OUTPUTS: Record<string, OutputFormat> = {
  '.parquet': 'parquet',
  '.csv': 'csv',
  '.jsonl': 'json',
  '.ndjson': 'json',
}

export interface TrainingSetArgs {
  labels: string
  features: string[]
  out: string
  format: OutputFormat
  /** Offline API base URL; absent: embedded mode on `dataDir`. */
  url?: string
  apiKey?: string
  dataDir: string
}

export interface TrainingSetResult {
  out: string
  /** Rows written (one per label), as the API reported them. */
  rows: number | null
  bytes: number
  ms: number
  via: 'url' | 'embedded'
}

/**
 * Parses the command line; `env` supplies FRESHET_API_KEY and the default data dir.
 *
 * @example
 * parseTrainingSetArgs(['--labels', 'rides.csv', '--features', 'car_motion:v1', '--out', 'train.csv'], process.env)
 */
export function parseTrainingSetArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): TrainingSetArgs {
  const { values } = parseOptions(argv)
  const features = (values.features ?? []).flatMap((f) => f.split(',')).filter((f) => f.trim() !== '')
  if (values.labels === undefined || values.out === undefined || features.length === 0) {
    throw usage('--labels, --features and --out are required')
  }
  const format = OUTPUTS[extname(values.out).toLowerCase()]
  if (format === undefined) throw usage(`--out ${values.out}: name a .parquet, .csv or .jsonl file`)
  if (LABEL_FILE_TYPES[extname(values.labels).toLowerCase()] === undefined) {
    throw usage(`--labels ${values.labels}: expected a .csv, .parquet or .jsonl file`)
  }
  const apiKey = values['api-key'] ?? (env.FRESHET_API_KEY || undefined)
  if (values.url !== undefined && apiKey === undefined) {
    throw usage('--url needs an API key: set FRESHET_API_KEY or pass --api-key')
  }
  const dataDir = resolve(values['data-dir'] ?? join(loadConfig(env).dataDir, 'chdb'))
  return {
    labels: resolve(values.labels),
    features,
    out: resolve(values.out),
    format,
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(apiKey === undefined ? {} : { apiKey }),
    dataDir,
  }
}

function parseOptions(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        labels: { type: 'string' },
        features: { type: 'string', multiple: true },
        out: { type: 'string' },
        url: { type: 'string' },
        'api-key': { type: 'string' },
        'data-dir': { type: 'string' },
      },
    })
  } catch (err) {
    throw usage((err as Error).message) // an unknown or incomplete option
  }
}

/**
 * Builds the training set into `args.out` (written to a temporary name, renamed when complete, so a failed run
 * never leaves a file that looks whole).
 *
 * @example
 * const result = await runTrainingSet(parseTrainingSetArgs(process.argv.slice(2), process.env))
 * console.log(`${result.rows} rows`)
 */
export async function runTrainingSet(
  args: TrainingSetArgs,
  views: readonly AnyFeatureView[] = featureViews,
): Promise<TrainingSetResult> {
  const started = performance.now()
  if (!existsSync(args.labels)) {
    throw new FreshetError('CONFIG_INVALID', `--labels ${args.labels}: no such file`)
  }
  const query = new URLSearchParams({ features: args.features.join(','), format: args.format })
  const write = async (response: Response) => ({
    bytes: await writeBody(response, args.out),
    rows: response.headers.get('freshet-rows'),
  })
  const { bytes, rows } =
    args.url === undefined
      ? await inProcess(args, query, views, write)
      : await write(await send(args.url, query, args.apiKey!, await labelsUpload(args.labels, scratchChdb)))
  return {
    out: args.out,
    rows: rows === null ? null : Number(rows),
    bytes,
    ms: Math.round(performance.now() - started),
    via: args.url === undefined ? 'embedded' : 'url',
  }
}

/** Runs the API in this process over a reader on the chDB dir, and hands its answer to `consume`. */
async function inProcess<T>(
  args: TrainingSetArgs,
  query: URLSearchParams,
  views: readonly AnyFeatureView[],
  consume: (response: Response) => Promise<T>,
): Promise<T> {
  if (!existsSync(args.dataDir)) {
    throw new FreshetError(
      'CONFIG_INVALID',
      `no offline store at ${args.dataDir}: pass --data-dir, or --url to ask the process that owns the store`,
    )
  }
  const store: ClickHouseClientOptions = { dataDir: args.dataDir }
  let reader: Awaited<ReturnType<typeof createClickHouseOfflineReader>>
  try {
    reader = await createClickHouseOfflineReader({ ...store, views })
  } catch (err) {
    if (!isFreshetError(err) || err.code !== 'STORE_UNAVAILABLE') throw err
    throw new FreshetError(
      'STORE_UNAVAILABLE',
      `${err.message}\nThat process serves training sets over HTTP: pass --url http://<host>:<port> ` +
        '(with FRESHET_API_KEY or --api-key) instead of opening its chDB dir.',
      { cause: err },
    )
  }
  try {
    // The API needs a key; this one lives and dies with this process and never leaves it.
    const key = randomUUID()
    const app = createOfflineApi({ reader, views, apiKeys: [key], logger: createCliLogger('warn', false) })
    // Parquet labels are decoded by the chDB this process now holds (a second client on the same dir).
    const labels = await labelsUpload(args.labels, (decode) => decode(store))
    const response = await app.fetch(
      new Request(`http://in-process/v1/training-set?${query}`, requestInit(key, labels)),
    )
    if (!response.ok) throw await problemError(response, 'the in-process offline API')
    // Consumed before the reader closes: closing first would cut the stream.
    return await consume(response)
  } finally {
    await reader.close()
  }
}

async function send(
  url: string,
  query: URLSearchParams,
  apiKey: string,
  labels: LabelsUpload,
): Promise<Response> {
  const endpoint = new URL(`v1/training-set?${query}`, url.endsWith('/') ? url : `${url}/`)
  let response: Response
  try {
    response = await fetch(endpoint, requestInit(apiKey, labels))
  } catch (cause) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a bad port) is its cause.
    const why = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message
    const message = `cannot reach the offline API at ${endpoint.origin}: ${why}`
    throw new FreshetError('STORE_UNAVAILABLE', message, { cause, retriable: true })
  }
  if (!response.ok) throw await problemError(response, `offline API at ${endpoint.origin}`)
  return response
}

function requestInit(apiKey: string, labels: LabelsUpload): RequestInit {
  // duplex: a streamed upload (undici requires saying so); the key goes in a header, never in the URL.
  return {
    method: 'POST',
    headers: { 'content-type': labels.contentType, authorization: `Bearer ${apiKey}` },
    body: labels.body,
    duplex: 'half',
  } as RequestInit
}

async function writeBody(response: Response, out: string): Promise<number> {
  const partial = `${out}.${process.pid}.partial`
  let bytes = 0
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.byteLength
      done(null, chunk)
    },
  })
  try {
    const body = (response.body ?? new ReadableStream({ start: (c) => c.close() })) as NodeReadableStream
    await pipeline(Readable.fromWeb(body), count, createWriteStream(partial))
    await rename(partial, out)
    return bytes
  } catch (err) {
    await rm(partial, { force: true })
    throw new FreshetError(
      'STORE_UNAVAILABLE',
      `the training set broke off after ${bytes} bytes (${(err as Error).message}): ${out} was not written`,
      { cause: err, retriable: true },
    )
  }
}

/** A FreshetError from a problem+json answer: its detail is what the user must fix. */
async function problemError(response: Response, from: string): Promise<FreshetError> {
  const text = await response.text()
  let detail = text.slice(0, 500)
  let requestId: string | undefined
  try {
    const problem = JSON.parse(text) as { detail?: string; requestId?: string }
    detail = problem.detail ?? detail
    requestId = problem.requestId
  } catch {
    // Not a problem document (a proxy's error page): show the start of it.
  }
  const code: ErrorCode =
    response.status === 503 ? 'STORE_UNAVAILABLE' : response.status < 500 ? 'CONFIG_INVALID' : 'INTERNAL'
  // The request id matters only for a server fault: it finds the log lines with the cause.
  const ref = requestId === undefined || response.status < 500 ? '' : ` (request ${requestId})`
  return new FreshetError(code, `${from} answered ${response.status}: ${detail}${ref}`, {
    retriable: response.status === 503,
  })
}

/** A command line that cannot run: exit code 2, like the infra CLI. A subclass because `main` branches on it. */
class UsageError extends FreshetError {
  constructor(why: string) {
    super('CONFIG_INVALID', `${why}\n\n${USAGE}`)
    this.name = 'UsageError'
  }
}

function usage(why: string): UsageError {
  return new UsageError(why)
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const result = await runTrainingSet(parseTrainingSetArgs(argv, process.env))
  const rows = result.rows === null ? 'rows' : `${result.rows} row${result.rows === 1 ? '' : 's'}`
  process.stdout.write(
    `wrote ${rows} (${formatBytes(result.bytes)}) to ${result.out} in ${(result.ms / 1000).toFixed(1)}s (${result.via})\n`,
  )
  return 0
}

const entry = process.argv[1]
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      const code = isFreshetError(err) ? err.code : 'INTERNAL'
      process.stderr.write(`error [${code}] ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = err instanceof UsageError ? 2 : 1
    },
  )
}

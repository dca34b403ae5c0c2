import type { FeatureRef, LabelRow, Labels } from '@freshet/feature-store'
import { z } from 'zod'
import type { OfflineViewDefinition } from '../clickhouse/feature-table.js'
import { parseCsv } from './csv.js'
import { csvLabels } from './csv-labels.js'
import { resolveFeatureRefs } from './feature-refs.js'
import { formatIssues, labelRowSchema, labelSpineSchema } from './label-schema.js'
import { ProblemError } from './problem.js'
import { limitedChunks, lines, readJsonBody, textChunks } from './request-body.js'

/** Output formats a client may ask for: `json` is JSON Lines (one object per row). */
export const OUTPUT_FORMATS = ['parquet', 'csv', 'json'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** A training-set request, validated: labels may still be streaming in from the body. */
export interface TrainingSetRequest {
  labels: Labels
  refs: FeatureRef[]
  format: OutputFormat
  /** Label rows read so far; all of them once the reader has produced its first byte. Undefined for a spine. */
  labelRows(): number | undefined
}

export interface ParseOptions {
  views: readonly OfflineViewDefinition[]
  maxBytes: number
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/jsonl', 'application/jsonlines'])
const PARQUET_TYPES = new Set(['application/vnd.apache.parquet', 'application/x-parquet'])
const ACCEPTED = 'application/json, text/csv or application/x-ndjson'

const jsonBody = z.strictObject({
  labels: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())], {
    error: 'expected an array of label rows or a spine { from, to, everyMs, entities? }',
  }),
  features: z.array(z.string(), { error: 'expected an array of feature refs' }),
  format: z.enum(OUTPUT_FORMATS).optional(),
})

/**
 * Reads a `POST /v1/training-set` request. JSON bodies carry labels (rows or a spine), features and format; a
 * CSV or NDJSON body is the labels themselves, with `features` (comma-separated or repeated) and `format` in
 * the query string. Uploaded labels are not read here but streamed into the reader as it loads them, so a
 * large file is never held whole in Node; their errors (a bad line, a body over `maxBytes`) surface from the
 * reader's iterator as {@link ProblemError}s.
 *
 * Parquet labels are refused with 415 for now: decoding Parquet needs ClickHouse, and the reader port takes
 * rows, not files. The CLI converts a Parquet file to NDJSON with chDB before it uploads.
 *
 * @example
 * const request = await parseTrainingSetRequest(c.req.raw, { views, maxBytes: 64 << 20 })
 * const bytes = reader.exportHistoricalFeatures(request.labels, request.refs, 'Parquet')
 */
export async function parseTrainingSetRequest(
  request: Request,
  options: ParseOptions,
): Promise<TrainingSetRequest> {
  const type = mediaType(request.headers.get('content-type'))
  if (type === 'application/json') return parseJson(await readJsonBody(request, options.maxBytes), options)
  if (PARQUET_TYPES.has(type)) {
    throw new ProblemError(
      'unsupported-media-type',
      `Parquet labels are not accepted over HTTP yet: send them as ${ACCEPTED} (the freshet training-set CLI converts a Parquet file itself)`,
    )
  }
  if (type !== 'text/csv' && !NDJSON_TYPES.has(type)) {
    const got = type === '' ? 'no content type' : `'${type}'`
    throw new ProblemError('unsupported-media-type', `send labels as ${ACCEPTED}, got ${got}`)
  }

  const query = new URL(request.url).searchParams
  const refs = resolveFeatureRefs(
    query.getAll('features').flatMap((f) => f.split(',').filter((s) => s.trim() !== '')),
    options.views,
  )
  const format = parseFormat(query.get('format'))
  const text = textChunks(limitedChunks(request, options.maxBytes))
  let rows = 0
  const count = async function* (labels: AsyncIterable<LabelRow>) {
    for await (const label of labels) {
      rows++
      yield label
    }
  }
  const keyColumns = new Set(['entity', ...entitiesOf(refs, options.views)])
  const labels = type === 'text/csv' ? csvLabels(parseCsv(text), { keyColumns }) : ndjsonLabels(text)
  return { labels: count(labels), refs, format, labelRows: () => rows }
}

function parseJson(body: unknown, options: ParseOptions): TrainingSetRequest {
  const parsed = jsonBody.safeParse(body)
  if (!parsed.success) throw new ProblemError('invalid-request', formatIssues(parsed.error))
  const refs = resolveFeatureRefs(parsed.data.features, options.views)
  const format = parsed.data.format ?? 'parquet'
  if (Array.isArray(parsed.data.labels)) {
    const rows = z.array(labelRowSchema).safeParse(parsed.data.labels)
    if (!rows.success) throw new ProblemError('invalid-request', formatIssues(rows.error, 'labels'))
    return { labels: rows.data, refs, format, labelRows: () => rows.data.length }
  }
  const spine = labelSpineSchema.safeParse(parsed.data.labels)
  if (!spine.success) throw new ProblemError('invalid-request', formatIssues(spine.error, 'labels'))
  return { labels: spine.data, refs, format, labelRows: () => undefined }
}

async function* ndjsonLabels(text: AsyncIterable<string>): AsyncGenerator<LabelRow> {
  for await (const { line, text: json } of lines(text)) {
    if (json.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(json)
    } catch (err) {
      throw new ProblemError('invalid-request', `labels line ${line} is not JSON: ${(err as Error).message}`)
    }
    const label = labelRowSchema.safeParse(value)
    if (!label.success) {
      throw new ProblemError('invalid-request', `labels line ${line}: ${formatIssues(label.error)}`)
    }
    yield label.data
  }
}

function parseFormat(value: string | null): OutputFormat {
  if (value === null || value === '') return 'parquet'
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat
  throw new ProblemError(
    'invalid-request',
    `format: expected one of ${OUTPUT_FORMATS.join(', ')}, got '${value}'`,
  )
}

function entitiesOf(refs: readonly FeatureRef[], views: readonly OfflineViewDefinition[]): string[] {
  const wanted = new Set(refs.map((r) => `${r.view}:v${r.version}`))
  return views.filter((v) => wanted.has(v.ref)).map((v) => v.entity)
}

/** `Text/CSV; charset=utf-8` → `text/csv`. */
function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

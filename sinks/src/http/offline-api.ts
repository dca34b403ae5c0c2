import type { OfflineFeatureReader } from '@freshet/feature-store'
import type { Hono } from 'hono'
import { type Logger, pino } from 'pino'
import type { OfflineViewDefinition } from '../clickhouse/feature-table.js'
import { type ApiEnv, createApiApp } from './api-app.js'
import { apiKeyAuth } from './api-keys.js'
import { listFeatureViews } from './feature-refs.js'
import { OFFLINE_API_PROBLEMS } from './problem.js'
import { parseTrainingSetRequest } from './training-set-request.js'
import { OUTPUT_ENCODINGS, startStream } from './training-set-response.js'

export interface OfflineApiOptions {
  /** Point-in-time reader over the offline store; the caller opens and closes it. */
  reader: OfflineFeatureReader
  /** The view versions the reader was opened with: what clients can ask for and what they are listed. */
  views: readonly (OfflineViewDefinition & { description?: string })[]
  /** Accepted API keys (several allow rotation). At least one; never logged. */
  apiKeys: readonly string[]
  /** Default: a pino logger at info on stdout. Each line carries the request id. */
  logger?: Logger
  /** Largest request body (JSON labels or an uploaded labels file), in bytes. Default 64 MiB. */
  maxLabelBytes?: number
}

/** Hono context variables of the offline API. */
export type OfflineApiEnv = ApiEnv

const DEFAULT_MAX_LABEL_BYTES = 64 * 1024 * 1024

/**
 * The offline store's HTTP API: training sets for data scientists, served by the process that owns the store
 * (with embedded chDB, the sink process: no other process may open its data dir).
 *
 * - `GET /healthz`: liveness, no auth.
 * - `GET /v1/feature-views`: the views, their features and refs.
 * - `POST /v1/training-set`: a point-in-time training set streamed as Parquet (default), CSV or JSON Lines,
 *   with a `content-disposition` filename and a `freshet-rows` header (one row per label; absent for a spine).
 *   Body: JSON `{ labels: [{ timestamp, car, …extra }] | { from, to, everyMs, entities? }, features, format? }`,
 *   or the labels as a `text/csv` or `application/x-ndjson` upload with `?features=a,b&format=csv`.
 *   `features` entries are `view:vN:feature`, or `view:vN` for all of a view's features.
 *
 * Every `/v1` route needs `Authorization: Bearer <key>` or `x-api-key: <key>`. Errors are RFC 9457
 * `application/problem+json` with `type`, `title`, `status`, `detail` and the `requestId` of the log lines:
 * 400 invalid body or unknown ref, 401 no or bad key, 413 body over `maxLabelBytes`, 415 unsupported labels
 * type, 503 store unreachable, 500 otherwise (details stay in the log).
 *
 * @example
 * const reader = await createClickHouseOfflineReader({ dataDir, views: featureViews })
 * const app = createOfflineApi({ reader, views: featureViews, apiKeys: [config.apiKey], logger })
 * serve({ fetch: app.fetch, port: 8081 })
 * // curl -H "x-api-key: $KEY" -H 'content-type: text/csv' --data-binary @rides.csv \
 * //   'http://127.0.0.1:8081/v1/training-set?features=car_motion:v1&format=parquet' -o train.parquet
 */
export function createOfflineApi(options: OfflineApiOptions): Hono<OfflineApiEnv> {
  const { reader, views, apiKeys, logger = pino({ name: 'offline-api' }) } = options
  const maxBytes = options.maxLabelBytes ?? DEFAULT_MAX_LABEL_BYTES
  const app = createApiApp({ logger, problems: OFFLINE_API_PROBLEMS })
  app.use('/v1/*', apiKeyAuth(apiKeys, { api: 'offline API' }))

  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  app.get('/v1/feature-views', (c) => c.json({ views: listFeatureViews(views) }))

  app.post('/v1/training-set', async (c) => {
    const log = c.get('log')
    const started = performance.now()
    const request = await parseTrainingSetRequest(c.req.raw, { views, maxBytes })
    const encoding = OUTPUT_ENCODINGS[request.format]
    const body = await startStream(
      reader.exportHistoricalFeatures(request.labels, request.refs, encoding.reader),
      (end) => {
        const fields = {
          outcome: end.outcome,
          bytes: end.bytes,
          rows: request.labelRows(),
          ms: Math.round(performance.now() - started),
        }
        if (end.outcome === 'failed')
          log.error({ ...fields, err: end.error }, 'training set failed mid-stream')
        else log.info({ ...fields, format: request.format, features: request.refs.length }, 'training set')
      },
    )
    const headers: Record<string, string> = {
      'content-type': encoding.contentType,
      'content-disposition': `attachment; filename="training-set.${encoding.extension}"`,
      'cache-control': 'no-store',
    }
    const rows = request.labelRows()
    if (rows !== undefined) headers['freshet-rows'] = String(rows)
    return c.body(body, 200, headers)
  })

  return app
}

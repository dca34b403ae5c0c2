import {
  BACKFILL_TARGETS,
  type BackfillClient,
  type BackfillStatus,
  parseBackfillTime,
} from '@freshet/pipelines'
import type { Hono } from 'hono'
import { type Logger, pino } from 'pino'
import { z } from 'zod'
import { type ApiEnv, createApiApp } from './api-app.js'
import { apiKeyAuth } from './api-keys.js'
import { OFFLINE_API_PROBLEMS, ProblemError } from './problem.js'
import { readJsonBody } from './request-body.js'

/** Where the backfill routes live; the sink process sends these paths here and everything else to the offline API. */
export const BACKFILL_API_PREFIX = '/v1/backfills'

export interface BackfillApiOptions {
  /** Submits and reads backfills through the queues; the caller opens and closes it. */
  client: BackfillClient
  /** Admin keys (FRESHET_ADMIN_KEYS), distinct from the offline API's: backfills rewrite stores. Never logged. */
  adminKeys: readonly string[]
  /** Default: a pino logger at info on stdout. Each line carries the request id. */
  logger?: Logger
  now?: () => number
}

const MAX_BODY_BYTES = 64 * 1024

const time = z.union([z.string().min(1), z.number().int().nonnegative()])
const startBody = z.strictObject({
  views: z.union([z.literal('all'), z.array(z.string()).min(1).max(100)]),
  from: time,
  /** Default now. */
  to: time.optional(),
  target: z.enum(BACKFILL_TARGETS).default('both'),
})

/**
 * The admin HTTP API of backfills, served by the sink process beside the offline API:
 *
 * - `POST /v1/backfills` `{ views: ['car_motion:v2'] | 'all', from, to?, target? }` → 202 with the status and
 *   `Location`; times as ISO 8601 with a zone, `now`, relative (`-2h`) or epoch ms; `target` is `offline`,
 *   `online` or `both` (default).
 * - `GET /v1/backfills` → `{ backfills: [...] }`, newest first (`?limit=`, default 50).
 * - `GET /v1/backfills/{id}` → the status: state, per child and partition events read of the planned total,
 *   rate and ETA, totals.
 * - `POST /v1/backfills/{id}/cancel` (or `DELETE /v1/backfills/{id}`) → 202 with the status (`cancelling`).
 *
 * Every route needs an admin key (`Authorization: Bearer <key>` or `x-api-key`); offline API keys are not
 * admin keys. Errors are RFC 9457 problem+json: 400 invalid body or unknown view, 401, 404 unknown id, 413,
 * 500 (details in the log, under the request id).
 *
 * @example
 * const app = createBackfillApi({ client, adminKeys: config.adminKeys, logger })
 * // curl -H "x-api-key: $ADMIN" -d '{"views":["car_motion:v2"],"from":"2026-11-01T00:00Z","to":"2026-11-08T00:00Z"}' \
 * //   http://127.0.0.1:8081/v1/backfills
 */
export function createBackfillApi(options: BackfillApiOptions): Hono<ApiEnv> {
  const { client, adminKeys, logger = pino({ name: 'backfill-api' }) } = options
  const now = options.now ?? Date.now
  const app = createApiApp({ logger, problems: OFFLINE_API_PROBLEMS })
  const auth = apiKeyAuth(adminKeys, { api: 'backfill admin API' })
  app.use(`${BACKFILL_API_PREFIX}/*`, auth)
  app.use(BACKFILL_API_PREFIX, auth)

  const accepted = (status: BackfillStatus) =>
    new Response(JSON.stringify(status), {
      status: 202,
      headers: {
        'content-type': 'application/json',
        location: `${BACKFILL_API_PREFIX}/${status.id}`,
        'cache-control': 'no-store',
      },
    })
  const unknown = (id: string) => new ProblemError('not-found', `no backfill ${id}`)

  app.post(BACKFILL_API_PREFIX, async (c) => {
    const parsed = startBody.safeParse(await readJsonBody(c.req.raw, MAX_BODY_BYTES))
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      throw new ProblemError('invalid-request', `invalid backfill: ${problems.join('; ')}`)
    }
    const body = parsed.data
    const at = now()
    const status = await client.start({
      views: body.views === 'all' ? ['all'] : body.views,
      from: parseBackfillTime(String(body.from), at, 'from'),
      to: body.to === undefined ? at : parseBackfillTime(String(body.to), at, 'to'),
      target: body.target,
      requestedBy: 'admin-api',
    })
    c.get('log').info({ backfill: status.id, request: status.request }, 'backfill submitted')
    return accepted(status)
  })

  app.get(BACKFILL_API_PREFIX, async (c) => {
    const limit = Number(c.req.query('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ProblemError('invalid-request', 'limit must be an integer from 1 to 1000')
    }
    return c.json({ backfills: await client.list({ limit }) })
  })

  app.get(`${BACKFILL_API_PREFIX}/:id`, async (c) => {
    const status = await client.status(c.req.param('id'))
    if (status === undefined) throw unknown(c.req.param('id'))
    return c.json(status)
  })

  const cancel = async (id: string, log: Logger) => {
    const status = await client.cancel(id)
    if (status === undefined) throw unknown(id)
    log.info({ backfill: id, state: status.state }, 'backfill cancel requested')
    return accepted(status)
  }
  app.post(`${BACKFILL_API_PREFIX}/:id/cancel`, (c) => cancel(c.req.param('id'), c.get('log')))
  app.delete(`${BACKFILL_API_PREFIX}/:id`, (c) => cancel(c.req.param('id'), c.get('log')))

  return app
}

/**
 * Serves the backfill API and another app (the offline API) from one server: backfill paths go to the first,
 * everything else to the second. Their auth stays apart (an offline key never reaches a backfill route).
 *
 * @example
 * serve({ fetch: withBackfillApi(backfillApi, offlineApi), port: 8081 })
 */
export function withBackfillApi(
  backfills: { fetch(request: Request): Response | Promise<Response> },
  rest: { fetch(request: Request): Response | Promise<Response> },
): (request: Request) => Response | Promise<Response> {
  return (request) => {
    const path = new URL(request.url).pathname
    const mine = path === BACKFILL_API_PREFIX || path.startsWith(`${BACKFILL_API_PREFIX}/`)
    return (mine ? backfills : rest).fetch(request)
  }
}

import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import type { Logger } from 'pino'
import { type ProblemMap, problem, problemResponse, toProblem } from './problem.js'

/** Hono context variables of the sink's HTTP APIs: the request id and a logger whose lines carry it. */
export interface ApiEnv {
  Variables: { requestId: string; log: Logger }
}

export interface ApiAppOptions {
  /** Each request gets a child of it carrying its request id, as `c.get('log')`. */
  logger: Logger
  /** How thrown errors become problem details. */
  problems: ProblemMap
}

/**
 * A Hono app with what the sink's HTTP APIs share: a request id, one access log line per request, and RFC 9457
 * problem+json for every error and unknown route (5xx details stay in the log). Each API adds its own auth and
 * routes, so which paths need which keys stays visible beside the routes.
 *
 * @example
 * const app = createApiApp({ logger, problems: OFFLINE_API_PROBLEMS })
 * app.use('/v1/*', apiKeyAuth(apiKeys, { api: 'offline API' }))
 * app.get('/v1/feature-views', (c) => c.json({ views: listFeatureViews(views) }))
 */
export function createApiApp(options: ApiAppOptions): Hono<ApiEnv> {
  const { logger, problems } = options
  const app = new Hono<ApiEnv>()

  app.use(requestId())
  app.use(async (c, next) => {
    const started = performance.now()
    const log = logger.child({ requestId: c.get('requestId') })
    c.set('log', log)
    await next()
    // Method, path (no query string) and outcome only: headers would carry the API key.
    const ms = Math.round(performance.now() - started)
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request')
  })

  app.onError((err, c) => {
    const p = toProblem(err, problems)
    const log = c.get('log') ?? logger
    if (p.status >= 500) log.error({ err }, 'request failed')
    else log.info({ status: p.status, detail: p.detail }, 'request refused')
    return problemResponse(p, c.get('requestId'))
  })
  app.notFound((c) =>
    problemResponse(problem('not-found', `no route ${c.req.method} ${c.req.path}`), c.get('requestId')),
  )
  return app
}

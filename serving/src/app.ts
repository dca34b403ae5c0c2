import type { OnlineFeatureReader, RegistryReader } from '@freshet/feature-store'
import {
  type ApiKey,
  apiKeyAuth,
  problem,
  problemResponse,
  SERVING_API_PROBLEMS,
  toProblem,
} from '@freshet/sinks'
import { swaggerUI } from '@hono/swagger-ui'
import { OpenAPIHono } from '@hono/zod-openapi'
import { requestId } from 'hono/request-id'
import { rateLimiter } from 'hono-rate-limiter'
import { type Logger, pino } from 'pino'
import { Registry } from 'prom-client'
import type { EtaService } from './eta/eta-service.js'
import type { ViewTtls } from './eta/view-ttls.js'
import { jsonBody } from './http/json-body.js'
import { createServingMetrics, type ServingMetrics } from './http/metrics.js'
import type { ModelHolder } from './model/model-holder.js'
import type { ServingEnv } from './routes/env.js'
import { etaRoutes } from './routes/eta.js'
import { featureRoutes } from './routes/features.js'
import { modelRoutes } from './routes/model.js'
import { opsRoutes } from './routes/ops.js'

export interface ServingAppOptions {
  eta: EtaService
  model: ModelHolder
  /** The online store reader (the ETA service's): `/v1/features` and the readiness probe read through it. */
  reader: OnlineFeatureReader
  registry: RegistryReader
  /** The reader's ttl catalog: `/v1/features` remembers the ttl of each view it looks up. */
  ttls: ViewTtls
  /** Keys and their scopes; at least one. Never logged. */
  apiKeys: readonly ApiKey[]
  /** Default: a new registry (tests); `main.ts` passes one with the process's default metrics. */
  metrics?: ServingMetrics
  /** Default: pino at info on stdout. Each request logs one line with its request id. */
  logger?: Logger
  /** Requests per API key per window. Default 120 000 per minute. */
  rateLimit?: { windowMs: number; limit: number }
  /** Largest request body. Default 16 KiB. */
  maxBodyBytes?: number
  /** Most candidates of one rank request. Default 200. */
  maxCandidates?: number
}

/**
 * The ETA serving API as a Hono app (serve it with @hono/node-server, or call `app.request` in tests):
 * `POST /v1/eta`, `POST /v1/eta/rank`, `GET /v1/features/{view}/{entity}`, `GET /v1/feature-views`,
 * `GET /v1/model`, `POST /v1/admin/model/reload`, `GET /healthz`, `GET /readyz`, `GET /metrics`,
 * `GET /openapi.json` (OpenAPI 3.1 from the zod schemas) and `GET /docs`.
 *
 * Every `/v1` route needs an API key (`Authorization: Bearer <key>` or `x-api-key`) with the route's scope and
 * is rate limited per key. Errors are RFC 9457 `application/problem+json` carrying the request id of the log
 * line: 400 invalid input, 401/403 key, 404 unknown car/view/route, 413 body too large, 415 not JSON,
 * 422 model refused on reload, 429 rate limited, 503 refused feature or store unreachable.
 *
 * @example
 * const app = createServingApp({ eta, model: holder, reader, registry, ttls, apiKeys, logger })
 * serve({ fetch: app.fetch, port: 8080 })
 */
export function createServingApp(options: ServingAppOptions): OpenAPIHono<ServingEnv> {
  const { eta, model, reader, registry, ttls, apiKeys } = options
  const logger = options.logger ?? pino({ name: 'serving' })
  const metrics = options.metrics ?? createServingMetrics(new Registry())
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024
  const rate = options.rateLimit ?? { windowMs: 60_000, limit: 120_000 }
  metrics.modelInfo.set({ version: model.current.version }, 1)

  const app = new OpenAPIHono<ServingEnv>({
    // Validation failures: one 400 problem listing every issue with its path.
    defaultHook: (result, c) => {
      if (result.success) return
      const issues = result.error.issues.map((i) => ({
        path: i.path.join('.') || '(body)',
        message: i.message,
      }))
      return problemResponse(
        problem('invalid-request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues }),
        c.get('requestId'),
      )
    },
  })

  app.use(requestId())
  app.use(async (c, next) => {
    const started = performance.now()
    const log = logger.child({ requestId: c.get('requestId') })
    c.set('log', log)
    await next()
    const seconds = (performance.now() - started) / 1000
    const route = c.req.routePath
    metrics.requestSeconds.observe({ route, method: c.req.method, status: c.res.status }, seconds)
    // Method, path and outcome only: headers carry the API key, bodies carry positions.
    const line = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(seconds * 10_000) / 10,
      client: c.get('client')?.id,
    }
    if (route === '/healthz' || route === '/readyz' || route === '/metrics') log.debug(line, 'request')
    else log.info(line, 'request')
  })
  const auth = { api: 'serving API', realm: 'freshet-serving' }
  app.use('/v1/*', apiKeyAuth(apiKeys, auth))
  // Auth on every route but health: metrics and the API description need a key too (any scope).
  for (const path of ['/metrics', '/openapi.json', '/docs']) app.use(path, apiKeyAuth(apiKeys, auth))
  app.use(
    '/v1/*',
    rateLimiter<ServingEnv>({
      windowMs: rate.windowMs,
      limit: rate.limit,
      standardHeaders: 'draft-7',
      keyGenerator: (c) => c.get('client').id,
      handler: (c) =>
        problemResponse(
          problem(
            'rate-limited',
            `more than ${rate.limit} requests in ${rate.windowMs / 1000} s with this API key`,
          ),
          c.get('requestId'),
          { 'retry-after': String(Math.ceil(rate.windowMs / 1000)) },
        ),
    }),
  )
  // After the key check: an unauthenticated client cannot make the server read its body.
  app.use('/v1/*', jsonBody(maxBodyBytes))

  app.onError((err, c) => {
    const p = toProblem(err, SERVING_API_PROBLEMS)
    const log = c.get('log') ?? logger
    if (p.status >= 500 && p.type !== 'urn:freshet:problem:feature-unavailable')
      log.error({ err }, 'request failed')
    else log.info({ status: p.status, detail: p.detail }, 'request refused')
    return problemResponse(p, c.get('requestId'))
  })
  app.notFound((c) =>
    problemResponse(problem('not-found', `no route ${c.req.method} ${c.req.path}`), c.get('requestId')),
  )

  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' })

  etaRoutes(app, { eta, metrics, maxCandidates: options.maxCandidates ?? 200 })
  featureRoutes(app, { registry, reader, ttls })
  modelRoutes(app, { model, metrics })
  opsRoutes(app, {
    metrics,
    readiness: {
      // A read of an entity that does not exist: a round trip to Redis that touches no data.
      store: async () => {
        const [ref] = model.current.views.values()
        if (ref === undefined) return false
        await reader.read(
          ['readyz-probe'],
          [{ view: ref.name, version: ref.version, feature: ref.features[0]?.name ?? 'x' }],
        )
        return true
      },
      model: () => model.current.version,
    },
  })

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Freshet ETA serving API',
      version: '1.0.0',
      description:
        'ETAs for the dispatcher from an ONNX model over online features (Redis), with the freshness of every ' +
        'feature used. Errors are RFC 9457 problem details.',
    },
  })
  app.get('/docs', swaggerUI({ url: '/openapi.json' }))
  return app
}

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { ServingMetrics } from '../http/metrics.js'
import type { ServingEnv } from './env.js'

/** What `/readyz` checks. */
export interface Readiness {
  /** True when the online store answered a read just now. */
  store(): Promise<boolean>
  /** The model version loaded, or undefined. */
  model(): string | undefined
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` (Redis reachable and a model loaded: 503 otherwise) and
 * `GET /metrics` (Prometheus). No API key: probes and scrapers call them; they reveal no feature data.
 *
 * @example
 * opsRoutes(app, { readiness, metrics })
 */
export function opsRoutes(
  app: OpenAPIHono<ServingEnv>,
  { readiness, metrics }: { readiness: Readiness; metrics: ServingMetrics },
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Operations'],
      summary: 'Liveness',
      responses: {
        200: {
          description: 'Alive',
          content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
        },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  )

  const Ready = z.object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.object({ store: z.enum(['ok', 'unreachable']), model: z.string().nullable() }),
  })
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Operations'],
      summary: 'Readiness: the online store answers and a model is loaded',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
        503: { description: 'Not ready', content: { 'application/json': { schema: Ready } } },
      },
    }),
    async (c) => {
      const store = await readiness.store().catch(() => false)
      const model = readiness.model() ?? null
      const ready = store && model !== null
      const body = {
        status: ready ? ('ready' as const) : ('not-ready' as const),
        checks: { store: store ? ('ok' as const) : ('unreachable' as const), model },
      }
      return ready ? c.json(body, 200) : c.json(body, 503)
    },
  )

  app.get('/metrics', async (c) => {
    const body = await metrics.registry.metrics()
    return c.body(body, 200, { 'content-type': metrics.registry.contentType })
  })
}

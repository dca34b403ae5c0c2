import { requireScope } from '@freshet/sinks'
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { ServingMetrics } from '../http/metrics.js'
import type { ModelHolder } from '../model/model-holder.js'
import { reloadModel } from '../model/reload-model.js'
import type { ServingEnv } from './env.js'
import { ModelDescription, problems, ReloadResponse, SECURITY } from './schemas.js'

/**
 * `GET /v1/model` (the card serving now) and `POST /v1/admin/model/reload` (admin scope: load the model
 * directory again and swap it in; a model that does not fit is refused with 422 and the old one keeps serving).
 *
 * @example
 * modelRoutes(app, { model: holder, metrics })
 */
export function modelRoutes(
  app: OpenAPIHono<ServingEnv>,
  { model, metrics }: { model: ModelHolder; metrics: ServingMetrics },
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/model',
      tags: ['Model'],
      summary: 'The model serving now: version, inputs and their missing-value policies, holdout metrics',
      security: SECURITY,
      middleware: [requireScope('predict')] as const,
      responses: {
        200: { description: 'The model card', content: { 'application/json': { schema: ModelDescription } } },
        ...problems(401, 403, 429),
      },
    }),
    (c) => {
      const m = model.current
      return c.json(
        {
          modelVersion: m.version,
          sha256: m.sha256,
          loadedAt: m.loadedAt,
          ...(m.card.created_at === undefined ? {} : { createdAt: m.card.created_at }),
          inputs: m.card.inputs,
          ...(m.card.metrics === undefined ? {} : { metrics: m.card.metrics }),
        },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/model/reload',
      tags: ['Model'],
      summary: 'Load the model directory again and swap the new model in without failing requests',
      security: SECURITY,
      middleware: [requireScope('admin')] as const,
      responses: {
        200: {
          description: 'What the reload did',
          content: { 'application/json': { schema: ReloadResponse } },
        },
        ...problems(401, 403, 422, 429, 503),
      },
    }),
    async (c) => c.json(await reloadModel(model, metrics, c.get('log'), 'admin endpoint'), 200),
  )
}

import {
  formatFeatureRef,
  type OnlineFeatureReader,
  type RegisteredView,
  type RegistryReader,
} from '@freshet/feature-store'
import { ProblemError, problem, requireScope } from '@freshet/sinks'
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { ViewTtls } from '../eta/view-ttls.js'
import type { ServingEnv } from './env.js'
import { FeatureViewListing, OnlineFeaturesResponse, problems, SECURITY } from './schemas.js'

/**
 * `GET /v1/feature-views` (the registry, each view's promoted version marked) and
 * `GET /v1/features/{view}/{entity}` (one entity's online values, with age and status: what `/v1/eta` would
 * read). `{view}` is a view version (`car_motion:v2`) or a bare view name (`car_motion`), which reads the
 * view's promoted version: so a client following the bare name moves to v2 when an operator promotes it
 * (`freshet views promote car_motion:v2`), with no change on its side.
 *
 * @example
 * featureRoutes(app, { registry, reader, ttls })
 */
export function featureRoutes(
  app: OpenAPIHono<ServingEnv>,
  { registry, reader, ttls }: { registry: RegistryReader; reader: OnlineFeatureReader; ttls: ViewTtls },
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/feature-views',
      tags: ['Features'],
      summary: 'Registered feature views and their features',
      security: SECURITY,
      middleware: [requireScope('predict')] as const,
      responses: {
        200: {
          description: 'Every registered view version',
          content: { 'application/json': { schema: z.object({ views: z.array(FeatureViewListing) }) } },
        },
        ...problems(401, 403, 429, 503),
      },
    }),
    async (c) => {
      const [views, promoted] = await Promise.all([registry.list(), registry.listPromoted()])
      return c.json(
        {
          views: views.map((v) => ({
            ref: v.ref,
            name: v.name,
            version: v.version,
            promoted: promoted[v.name] === v.version,
            entity: v.entity,
            description: v.description,
            owner: v.owner,
            ttlMs: v.ttlMs,
            emit: v.emit,
            features: v.features.map((f) => ({
              ref: `${v.ref}:${f.name}`,
              name: f.name,
              window: f.window,
              aggregator: f.aggregator,
            })),
          })),
        },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/features/{view}/{entity}',
      tags: ['Features'],
      summary: "One entity's online feature values, with age and status",
      security: SECURITY,
      middleware: [requireScope('predict')] as const,
      request: {
        params: z.object({
          view: z
            .string()
            .regex(
              /^[a-z][a-z0-9_]*(?::v[1-9][0-9]*)?$/,
              'view is a view version such as car_motion:v1, or a view name such as car_motion',
            )
            .openapi({
              example: 'car_motion:v1',
              description:
                'A view version, or a bare view name: its promoted version (GET /v1/feature-views)',
            }),
          entity: z
            .string()
            .regex(/^[A-Za-z0-9._-]{1,128}$/, 'entity is 1-128 of [A-Za-z0-9._-]')
            .openapi({ example: 'car-0007' }),
        }),
      },
      responses: {
        200: {
          description: 'The values',
          content: { 'application/json': { schema: OnlineFeaturesResponse } },
        },
        ...problems(400, 401, 403, 404, 429, 503),
      },
    }),
    async (c) => {
      const { view, entity } = c.req.valid('param')
      const entry = await resolveView(registry, view)
      if (entry === undefined) {
        throw new ProblemError(
          problem('not-found', `feature view ${view} is not registered (GET /v1/feature-views)`),
        )
      }
      ttls.remember([entry])
      const refs = entry.features.map((f) => ({ view: entry.name, version: entry.version, feature: f.name }))
      const readAt = Date.now()
      const values = refs.length === 0 ? [] : await reader.read([entity], refs, readAt)
      return c.json(
        {
          view: entry.ref,
          entity,
          readAt,
          features: values.map((v) => ({
            name: v.ref.feature,
            ref: formatFeatureRef(v.ref),
            status: v.status,
            value: v.value,
            eventTime: v.eventTime,
            ageMs: v.ageMs,
          })),
        },
        200,
      )
    },
  )
}

/** A view version's entry; a bare name is its promoted version (two reads: promotions change at any time). */
async function resolveView(registry: RegistryReader, view: string): Promise<RegisteredView | undefined> {
  if (view.includes(':')) return registry.get(view)
  const version = await registry.promoted(view)
  return version === undefined ? undefined : registry.get(`${view}:v${version}`)
}

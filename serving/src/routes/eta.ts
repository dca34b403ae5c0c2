import { ProblemError, problem, requireScope } from '@freshet/sinks'
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CarEta, CarOutcome, EtaService } from '../eta/eta-service.js'
import type { ServingMetrics } from '../http/metrics.js'
import type { ServingEnv } from './env.js'
import { EtaRequest, EtaResponse, problems, RankRequest, RankResponse, SECURITY } from './schemas.js'

/**
 * `POST /v1/eta` (one car, every input reported) and `POST /v1/eta/rank` (candidates ranked by pickup + trip).
 *
 * @example
 * etaRoutes(app, { eta, metrics, maxCandidates: 200 })
 */
export function etaRoutes(
  app: OpenAPIHono<ServingEnv>,
  { eta, metrics, maxCandidates }: { eta: EtaService; metrics: ServingMetrics; maxCandidates: number },
): void {
  const count = (endpoint: string, cars: readonly CarOutcome[]) => {
    for (const car of cars) {
      metrics.cars.inc({ endpoint, outcome: car.scored ? 'scored' : car.reason })
      if (!car.scored) {
        if (car.reason === 'feature-unavailable') {
          for (const r of car.refused) metrics.fallbacks.inc({ feature: r.name, action: 'refused' })
        }
        continue
      }
      if (car.warnings.length === 0) continue
      for (const leg of [car.legs.pickup, car.legs.trip]) {
        for (const f of leg.features)
          if (f.action === 'defaulted') metrics.fallbacks.inc({ feature: f.name, action: 'defaulted' })
      }
    }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/eta',
      tags: ['ETA'],
      summary: 'How long car X takes to reach the rider and complete the trip',
      description:
        'Reads the car’s and its zones’ online features (one round trip), computes the on-demand features, and ' +
        'scores the pickup leg and the trip leg in one model run. Every input is reported with its value, age, ' +
        'status and what was done with it. A missing or expired input either falls back to its default ' +
        "(action 'defaulted', a warning, `degraded: true`) or refuses the request with 503, per the model card.",
      security: SECURITY,
      middleware: [requireScope('predict')] as const,
      request: { body: { content: { 'application/json': { schema: EtaRequest } }, required: true } },
      responses: {
        200: { description: 'The estimate', content: { 'application/json': { schema: EtaResponse } } },
        ...problems(400, 401, 403, 404, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const answer = await eta.estimate([body.carId], {
        pickup: body.pickup,
        dropoff: body.dropoff,
        requestedAt: epochMs(body.requestedAt),
      })
      count('eta', answer.cars)
      const car = answer.cars[0]!
      if (!car.scored) {
        if (car.reason === 'unknown-car') throw new ProblemError(problem('unknown-car', car.detail))
        throw new ProblemError(
          problem('feature-unavailable', car.detail, {
            modelVersion: answer.modelVersion,
            refused: car.refused,
          }),
        )
      }
      const { scored: _, ...fields } = car
      return c.json(
        {
          modelVersion: answer.modelVersion,
          requestedAt: answer.requestedAt,
          readAt: answer.readAt,
          ...fields,
          degraded: car.warnings.length > 0,
        },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/eta/rank',
      tags: ['ETA'],
      summary: 'Rank candidate cars by pickup + trip ETA',
      description:
        'Every candidate is read in one online-store round trip and scored in one batched model run (two rows per ' +
        'car). Candidates that cannot be scored (unknown, or a refused feature) are listed under `excluded`.',
      security: SECURITY,
      middleware: [requireScope('predict')] as const,
      request: {
        body: { content: { 'application/json': { schema: RankRequest(maxCandidates) } }, required: true },
      },
      responses: {
        200: {
          description: 'Candidates, fastest first',
          content: { 'application/json': { schema: RankResponse } },
        },
        ...problems(400, 401, 403, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const answer = await eta.estimate(body.carIds, {
        pickup: body.pickup,
        dropoff: body.dropoff,
        requestedAt: epochMs(body.requestedAt),
      })
      count('rank', answer.cars)
      const scored = answer.cars
        .filter((car): car is Extract<CarOutcome, { scored: true }> => car.scored)
        .sort((a, b) => a.etaSeconds - b.etaSeconds || (a.carId < b.carId ? -1 : 1))
      return c.json(
        {
          modelVersion: answer.modelVersion,
          requestedAt: answer.requestedAt,
          readAt: answer.readAt,
          ranked: scored.map((car, i) => ({ rank: i + 1, ...summary(car) })),
          excluded: answer.cars.flatMap((car) =>
            car.scored ? [] : [{ carId: car.carId, reason: car.reason, detail: car.detail }],
          ),
        },
        200,
      )
    },
  )
}

function summary(car: CarEta) {
  const { carId, etaSeconds, pickupSeconds, tripSeconds, position, warnings } = car
  return { carId, etaSeconds, pickupSeconds, tripSeconds, position, warnings }
}

function epochMs(at: number | string | undefined): number | undefined {
  return typeof at === 'string' ? Date.parse(at) : at
}

import { z } from '@hono/zod-openapi'

/**
 * Request and response schemas of the serving API: validation and the OpenAPI document (`/openapi.json`) come
 * from these same definitions.
 */

export const LatLon = z
  .object({
    lat: z.number().min(-90, 'lat must be between -90 and 90').max(90, 'lat must be between -90 and 90'),
    lon: z
      .number()
      .min(-180, 'lon must be between -180 and 180')
      .max(180, 'lon must be between -180 and 180'),
  })
  .strict()
  .openapi('LatLon', { example: { lat: 52.5212, lon: 13.4105 } })

export const CarId = z
  .string()
  .regex(/^car-[0-9]{4,}$/, 'car ids look like car-0042')
  .openapi({ example: 'car-0007' })

const RequestedAt = z
  .union([
    z.number().int().min(946_684_800_000, 'requestedAt is epoch milliseconds').max(8_640_000_000_000),
    z.iso.datetime({ offset: true }),
  ])
  .optional()
  .openapi({
    description: 'When the ride is requested: epoch ms or an ISO 8601 date-time. Default: now.',
    example: 1_764_000_000_000,
  })

export const EtaRequest = z
  .object({ carId: CarId, pickup: LatLon, dropoff: LatLon, requestedAt: RequestedAt })
  .strict()
  .openapi('EtaRequest')

export const RankRequest = (maxCandidates: number) =>
  z
    .object({
      pickup: LatLon,
      dropoff: LatLon,
      carIds: z
        .array(CarId)
        .min(1, 'name at least one candidate car')
        .max(maxCandidates, `at most ${maxCandidates} candidate cars per request`)
        .refine((ids) => new Set(ids).size === ids.length, 'carIds must be distinct'),
      requestedAt: RequestedAt,
    })
    .strict()
    .openapi('RankRequest')

export const FeatureReport = z
  .object({
    name: z.string().openapi({ example: 'car_motion:v1:speed_kmh_mean_15m' }),
    kind: z.enum(['online', 'on_demand']),
    entity: z.string().nullable().openapi({ description: 'Car or zone read; null for on-demand inputs' }),
    status: z.enum(['present', 'missing', 'expired', 'computed']).openapi({
      description: "What the online store said ('computed' for on-demand inputs)",
    }),
    action: z.enum(['used', 'defaulted', 'refused']).openapi({
      description: "'used' the stored value, fed the card's 'defaulted' value, or 'refused' to answer",
    }),
    value: z.number().nullable().openapi({ description: 'The value the model got' }),
    eventTime: z.number().nullable().openapi({ description: 'Event time of the stored value (epoch ms)' }),
    ageMs: z.number().nullable().openapi({ description: 'Age of the stored value when read (ms)' }),
  })
  .openapi('FeatureReport')

const LegEta = z
  .object({
    seconds: z.number(),
    origin: LatLon,
    destination: LatLon,
    originZone: z.string().nullable(),
    features: z.array(FeatureReport),
  })
  .openapi('LegEta')

const CarEtaFields = {
  carId: CarId,
  etaSeconds: z.number().openapi({ description: 'Pickup leg + trip leg, seconds' }),
  pickupSeconds: z.number(),
  tripSeconds: z.number(),
  position: LatLon.extend({ eventTime: z.number(), ageMs: z.number() }).openapi({
    description: "The car's last reported position: the pickup leg's origin",
  }),
  warnings: z.array(z.string()).openapi({ description: 'One per input that fell back to its default' }),
}

export const EtaResponse = z
  .object({
    modelVersion: z.string(),
    requestedAt: z.number(),
    readAt: z.number().openapi({ description: 'When the online store was read (epoch ms)' }),
    ...CarEtaFields,
    degraded: z.boolean().openapi({ description: 'True when any input fell back to its default' }),
    legs: z.object({ pickup: LegEta, trip: LegEta }),
  })
  .openapi('EtaResponse')

export const RankResponse = z
  .object({
    modelVersion: z.string(),
    requestedAt: z.number(),
    readAt: z.number(),
    ranked: z.array(z.object({ rank: z.number().int(), ...CarEtaFields })).openapi({
      description: 'Scored candidates, fastest pickup + trip first',
    }),
    excluded: z
      .array(
        z.object({
          carId: CarId,
          reason: z.enum(['unknown-car', 'feature-unavailable']),
          detail: z.string(),
        }),
      )
      .openapi({ description: 'Candidates that could not be scored, and why' }),
  })
  .openapi('RankResponse')

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:freshet:problem:invalid-request' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
  })
  .loose()
  .openapi('Problem', { description: 'RFC 9457 problem details (application/problem+json)' })

export const OnlineFeature = z
  .object({
    name: z.string(),
    ref: z.string(),
    status: z.enum(['present', 'missing', 'expired']),
    value: z.number().nullable(),
    eventTime: z.number().nullable(),
    ageMs: z.number().nullable(),
  })
  .openapi('OnlineFeature')

export const OnlineFeaturesResponse = z
  .object({
    view: z
      .string()
      .openapi({ description: 'The view version read (a bare name resolves to its promoted one)' }),
    entity: z.string(),
    readAt: z.number(),
    features: z.array(OnlineFeature),
  })
  .openapi('OnlineFeatures')

export const FeatureViewListing = z
  .object({
    ref: z.string(),
    name: z.string(),
    version: z.number().int(),
    promoted: z.boolean().openapi({
      description: 'Whether this is the version a bare view name reads (GET /v1/features/{name}/{entity})',
    }),
    entity: z.string(),
    description: z.string(),
    owner: z.string(),
    ttlMs: z.number(),
    emit: z.enum(['final', 'updating']),
    features: z.array(
      z.object({ ref: z.string(), name: z.string(), window: z.string(), aggregator: z.string() }),
    ),
  })
  .openapi('FeatureView')

export const ModelDescription = z
  .object({
    modelVersion: z.string(),
    sha256: z.string(),
    loadedAt: z.number(),
    createdAt: z.string().optional(),
    inputs: z.array(z.record(z.string(), z.unknown())),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Model')

export const ReloadResponse = z
  .object({ previous: z.string(), current: z.string(), swapped: z.boolean() })
  .openapi('ModelReload')

export const problemContent = { 'application/problem+json': { schema: Problem } } as const

export function problems(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid request',
    401: 'No or invalid API key',
    403: 'The API key lacks the scope',
    404: 'Unknown car, view or route',
    413: 'Body too large',
    415: 'Body is not application/json',
    422: 'The model was refused (reload)',
    429: 'Rate limited',
    503: 'A feature the model needs is missing or expired, or the online store is unreachable',
  }
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? 'Error', content: problemContent }]),
  )
}

/** Either header carries the key: `x-api-key: <key>` or `Authorization: Bearer <key>`. */
export const SECURITY: Record<string, string[]>[] = [{ ApiKey: [] }, { Bearer: [] }]

/** The body of a `POST /v1/eta` answer. */
export type EtaResponseBody = z.infer<typeof EtaResponse>
/** The body of a `POST /v1/eta/rank` answer. */
export type RankResponseBody = z.infer<typeof RankResponse>
/** The body of a `GET /v1/features/{view}/{entity}` answer. */
export type OnlineFeaturesBody = z.infer<typeof OnlineFeaturesResponse>

import { CITY_ZONES } from '@freshet/pipelines'
import { type ApiKey, createRedisOnlineReader, createRedisRegistryStore } from '@freshet/sinks'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { type Logger, pino } from 'pino'
import { createServingApp, type ServingAppOptions } from './app.js'
import { createEtaService, type EtaService } from './eta/eta-service.js'
import { DEFAULT_POSITION_REFS, type PositionRefs } from './eta/feature-plan.js'
import { ViewTtls } from './eta/view-ttls.js'
import { ON_DEMAND_FEATURES } from './features/on-demand.js'
import type { ServingMetrics } from './http/metrics.js'
import { loadEtaModel } from './model/eta-model.js'
import { ModelHolder } from './model/model-holder.js'
import type { ServingEnv } from './routes/env.js'

export interface OpenServingOptions {
  redisUrl: string
  /** Directory with model-card.json and the ONNX file; reloads read it again. */
  modelDir: string
  apiKeys: readonly ApiKey[]
  /** Online store key prefix (the sinks'). Default `fs:`. */
  keyPrefix?: string
  /** Registry hash. Default `freshet:registry`. */
  registryKey?: string
  /** Default: the city's zones. */
  zones?: readonly string[]
  position?: PositionRefs
  logger?: Logger
  metrics?: ServingMetrics
  rateLimit?: ServingAppOptions['rateLimit']
  maxBodyBytes?: number
}

export interface Serving {
  app: OpenAPIHono<ServingEnv>
  eta: EtaService
  model: ModelHolder
  close(): Promise<void>
}

/**
 * Wires the serving API to its adapters: the Redis registry and online store reader, the model in `modelDir`
 * (checked against the registry: a model that does not fit rejects with `MODEL_INVALID` and nothing is left
 * open), the ETA service and the Hono app. What `main.ts` runs, and what tests and the bench start in-process.
 *
 * @example
 * const serving = await openServing({ redisUrl, modelDir: 'serving/model', apiKeys })
 * const server = serve({ fetch: serving.app.fetch, port: 8080 })
 * // … later
 * await serving.close()
 */
export async function openServing(options: OpenServingOptions): Promise<Serving> {
  const logger = options.logger ?? pino({ name: 'serving' })
  const position = options.position ?? DEFAULT_POSITION_REFS
  const registry = createRedisRegistryStore({
    url: options.redisUrl,
    ...(options.registryKey === undefined ? {} : { key: options.registryKey }),
  })
  const ttls = new ViewTtls()
  const reader = createRedisOnlineReader({
    url: options.redisUrl,
    ttlMs: ttls.ttlMs,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  })
  const load = async () => {
    const model = await loadEtaModel({
      dir: options.modelDir,
      registry,
      onDemandFeatures: ON_DEMAND_FEATURES,
      extraRefs: [
        { ref: position.lat, entity: 'car', why: "car position (the pickup leg's origin)" },
        { ref: position.lon, entity: 'car', why: "car position (the pickup leg's origin)" },
      ],
    })
    ttls.remember(model.views.values())
    return model
  }
  let holder: ModelHolder
  try {
    holder = new ModelHolder(await load(), load)
  } catch (err) {
    await Promise.allSettled([registry.close(), reader.close()])
    throw err
  }
  const eta = createEtaService({
    reader,
    model: holder,
    zones: options.zones ?? CITY_ZONES.map((z) => z.id),
    position,
  })
  const app = createServingApp({
    eta,
    model: holder,
    reader,
    registry,
    ttls,
    apiKeys: options.apiKeys,
    logger,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  })
  return {
    app,
    eta,
    model: holder,
    async close() {
      await holder.close()
      await Promise.allSettled([registry.close(), reader.close()])
    },
  }
}

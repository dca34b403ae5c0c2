/**
 * The ETA serving deployable: `POST /v1/eta` and friends over the Redis online store and the ONNX model in
 * SERVING_MODEL_DIR (default serving/model). A model whose inputs do not fit the registry refuses to start.
 *
 *   SERVING_API_KEYS=<key>:predict+admin npm run serve     # :8080, docs at /docs, metrics at /metrics
 *   kill -HUP <pid>                                         # reload the model directory (or POST /v1/admin/model/reload)
 */
import { watch } from 'node:fs'
import { describeRedisUrl } from '@freshet/sinks'
import { serve } from '@hono/node-server'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { loadServingConfig } from './config.js'
import { createServingMetrics } from './http/metrics.js'
import { reloadModel } from './model/reload-model.js'
import { openServing } from './open-serving.js'

const config = loadServingConfig(process.env)
const logger = pino({ name: 'freshet-serving', level: config.logLevel })
const registry = new Registry()
collectDefaultMetrics({ register: registry })
const metrics = createServingMetrics(registry)

let serving: Awaited<ReturnType<typeof openServing>>
try {
  serving = await openServing({
    redisUrl: config.redisUrl,
    modelDir: config.modelDir,
    apiKeys: config.apiKeys,
    keyPrefix: config.keyPrefix,
    registryKey: config.registryKey,
    logger,
    metrics,
    rateLimit: config.rateLimit,
    maxBodyBytes: config.maxBodyBytes,
  })
} catch (err) {
  // The message lists every mismatch (model card vs ONNX graph vs registry); say it plainly and stop.
  logger.fatal({ err, modelDir: config.modelDir }, 'serving refused to start')
  process.stderr.write(`serving refused to start: ${(err as Error).message}\n`)
  process.exit(1)
}

const server = serve({ fetch: serving.app.fetch, hostname: config.host, port: config.port })
logger.info(
  {
    redis: describeRedisUrl(config.redisUrl),
    model: serving.model.current.version,
    modelDir: config.modelDir,
    url: `http://${config.host}:${config.port}`,
  },
  'serving',
)

const reload = (trigger: string) =>
  reloadModel(serving.model, metrics, logger, trigger).catch(() => {
    // Logged and counted by reloadModel; the old model keeps serving.
  })
process.on('SIGHUP', () => void reload('SIGHUP'))
if (config.watchModel) {
  // Training writes two files: wait for the directory to settle before loading.
  let timer: NodeJS.Timeout | undefined
  watch(config.modelDir, () => {
    clearTimeout(timer)
    timer = setTimeout(() => void reload('watch'), 1000)
  })
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping')
    server.close(async () => {
      await serving.close()
      process.exit(0)
    })
  })
}

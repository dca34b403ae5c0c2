/**
 * The feature engine deployable: consumes event topics, computes every registered feature view and publishes
 * feature records exactly once. Scale out by starting more of these with the same FRESHET_APP_ID.
 */
import type { AnyFeatureView } from '@freshet/feature-store'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { loadEngineConfig } from './config.js'
import { createEngineMetrics } from './engine/metrics.js'
import { startFeatureEngine } from './engine/runtime.js'
import { liveFeatureViews, livePatterns } from './features/index.js'
import { createKafka } from './kafka/kafka.js'
import { serveMetrics } from './observability/metrics-server.js'

const config = loadEngineConfig(process.env)
const logger = pino({ name: 'freshet-engine', level: config.LOG_LEVEL })
const wanted = config.FRESHET_VIEWS.split(',').filter(Boolean)
const views: AnyFeatureView[] = liveFeatureViews.filter(
  (v: AnyFeatureView) => wanted.length === 0 || wanted.includes(v.ref) || wanted.includes(v.name),
)
if (views.length === 0) throw new Error(`FRESHET_VIEWS=${config.FRESHET_VIEWS} matches no registered view`)

const registry = new Registry()
collectDefaultMetrics({ register: registry })
const server = await serveMetrics(registry, { port: config.METRICS_PORT })
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS.split(','),
  clientId: config.FRESHET_APP_ID,
  logger,
})
const engine = await startFeatureEngine({
  kafka,
  views,
  patterns: livePatterns,
  applicationId: config.FRESHET_APP_ID,
  idleTimeoutMs: config.IDLE_TIMEOUT_MS,
  logger,
  metrics: createEngineMetrics(registry),
})
logger.info(
  {
    views: views.map((v) => v.ref),
    patterns: livePatterns.map((p) => p.ref),
    metricsPort: config.METRICS_PORT,
  },
  'feature engine running',
)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'stopping')
    await engine.stop()
    await kafka.close()
    server.close()
    process.exit(0)
  })
}

/**
 * The sink deployable: feature topics → Redis online store + ClickHouse offline store, exactly once in effect
 * (see sink/run-sink.ts). With embedded chDB this process owns the offline store's data dir, so it also serves
 * the offline API (training sets) on SINK_HTTP_PORT. Scale out with a ClickHouse server (CLICKHOUSE_URL) and
 * more of these under the same SINK_GROUP_ID.
 *
 *   npm run sink                     # run; metrics on :9465/metrics, offline API on :8081
 *   npm run sink -- replay-online    # Redis lost its data: rebuild it from the feature topics, then exit
 *
 * It also hosts the backfill worker (BACKFILL_CONCURRENCY children at once; it writes through this process's
 * store writers, the only ones that may open embedded chDB) and, with FRESHET_ADMIN_KEYS set, the backfill admin
 * API on the same port (`/v1/backfills`). `freshet backfill` talks to the queues in Redis directly.
 */

import { FeatureRegistry, featureTopicName } from '@freshet/feature-store'
import {
  createBackfillClient,
  createBackfillMetrics,
  createKafka,
  featureTopicSpec,
  featureViews,
  serveMetrics,
  startBackfillWorker,
  TOPICS,
} from '@freshet/pipelines'
import { serve } from '@hono/node-server'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import {
  createClickHouseOfflineReader,
  createClickHouseOfflineWriter,
  describeClickHouse,
} from './clickhouse/index.js'
import { loadSinkConfig } from './config.js'
import { createBackfillApi, withBackfillApi } from './http/backfill-api.js'
import { createOfflineApi } from './http/offline-api.js'
import { describeRedisUrl } from './redis/client.js'
import { createRedisRegistryStore } from './redis/registry.js'
import { createRedisOnlineWriter } from './redis/writer.js'
import { createSinkMetrics } from './sink/metrics.js'
import { replayOnlineStore } from './sink/replay-online-store.js'
import { runSink } from './sink/run-sink.js'

const config = loadSinkConfig(process.env, process.argv.slice(2))
const logger = pino({ name: 'freshet-sink', level: config.logLevel })
const views = featureViews
const ttlMs = (ref: string) => views.find((v) => v.ref === ref)?.ttlMs

const registry = new Registry()
collectDefaultMetrics({ register: registry })
const metrics = createSinkMetrics(registry)
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.groupId, logger })
const online = createRedisOnlineWriter({
  url: config.redisUrl,
  ttlMs,
  onWrite: (s) => {
    metrics.onlineOutcomes.inc({ outcome: 'stored' }, s.stored)
    metrics.onlineOutcomes.inc({ outcome: 'not_newer' }, s.notNewer)
    metrics.onlineOutcomes.inc({ outcome: 'expired' }, s.expired)
  },
})
// Safe to log: host, port and db of Redis, server URL without credentials or the chDB dir.
const targets = {
  redis: describeRedisUrl(config.redisUrl),
  clickhouse: describeClickHouse(config.clickhouse),
}

if (config.command === 'replay-online') {
  const metricsServer = await serveMetrics(registry, { port: config.metricsPort })
  logger.info(
    { ...targets, views: views.map((v) => v.ref) },
    'replaying the feature topics into the online store',
  )
  let code = 0
  try {
    await replayOnlineStore({ kafka, views, online, logger, metrics })
  } catch (err) {
    logger.error({ err }, 'online store replay failed')
    code = 1
  } finally {
    await online.close()
    await kafka.close()
    metricsServer.close()
  }
  process.exit(code)
}

// The sink writes what the registry says a view is: register the code's views first (idempotent), so a changed
// definition under a published version refuses to start here (REGISTRY_CONFLICT) instead of landing rows.
const registryStore = createRedisRegistryStore({ url: config.redisUrl })
try {
  const registrations = await new FeatureRegistry({ store: registryStore }).register(views)
  logger.info({ registrations: registrations.map((r) => `${r.ref} ${r.outcome}`) }, 'views registered')
} finally {
  await registryStore.close()
}

const offline = await createClickHouseOfflineWriter({ ...config.clickhouse, views })
// The same data dir as the writer (chDB: same process, shared); the writer has already migrated the tables.
const reader = await createClickHouseOfflineReader({ ...config.clickhouse, views, migrate: false })
await kafka.ensureTopics([TOPICS.deadLetter, ...views.map((v) => featureTopicSpec(featureTopicName(v)))])
const metricsServer = await serveMetrics(registry, { port: config.metricsPort })
const api = createOfflineApi({
  reader,
  views,
  apiKeys: config.apiKeys,
  logger: logger.child({ component: 'api' }),
})
// Backfills replay Kafka through the engine's code into the same idempotent writers as the live sink.
const backfillQueues = { redisUrl: config.redisUrl, prefix: config.backfill.prefix }
const backfills =
  config.backfill.concurrency > 0
    ? startBackfillWorker({
        ...backfillQueues,
        kafka,
        views,
        online,
        offline,
        concurrency: config.backfill.concurrency,
        logger,
        metrics: createBackfillMetrics(registry),
      })
    : undefined
const backfillClient =
  config.adminKeys.length > 0 ? createBackfillClient({ ...backfillQueues, views }) : undefined
const backfillApi = backfillClient
  ? createBackfillApi({
      client: backfillClient,
      adminKeys: config.adminKeys,
      logger: logger.child({ component: 'backfill-api' }),
    })
  : undefined
const httpServer = serve({
  fetch: backfillApi ? withBackfillApi(backfillApi, api) : api.fetch,
  port: config.httpPort,
})
const sink = await runSink({ kafka, views, online, offline, groupId: config.groupId, logger, metrics })
logger.info(
  {
    ...targets,
    groupId: config.groupId,
    views: views.map((v) => v.ref),
    metricsPort: config.metricsPort,
    httpPort: config.httpPort,
    backfillWorker: backfills ? config.backfill.concurrency : 'off',
    backfillApi: backfillApi ? 'on' : 'off (set FRESHET_ADMIN_KEYS)',
  },
  'sink running',
)

let stopping = false
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    await sink.stop()
    // Running backfill children stop at their next batch and go back to the queue (another worker resumes them).
    await backfills?.close()
    await backfillClient?.close()
    httpServer.close()
    metricsServer.close()
    await Promise.allSettled([online.close(), offline.close(), reader.close(), kafka.close()])
    logger.info({ code }, 'stopped')
  }
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping')
    void stop(0)
  })
}
// A non-retriable store error stops the sink with nothing committed past the last good batch: exit non-zero so
// the supervisor restarts it (and pages someone) rather than leaving a process that no longer consumes.
sink.done.catch((err: unknown) => {
  logger.fatal({ err }, 'sink stopped on an error a retry cannot fix')
  void stop(1)
})

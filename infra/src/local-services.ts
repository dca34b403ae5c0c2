import { isFreshetError } from '@freshet/feature-store'
import { type KafkaServiceOptions, kafkaBootstrap, resolveKafkaOptions } from './kafka/options.js'
import { probeKafka } from './kafka/probe.js'
import { type KafkaStartResult, startKafka } from './kafka/start.js'
import { type KafkaStatus, kafkaStatus } from './kafka/status.js'
import { type KafkaStopResult, stopKafka } from './kafka/stop.js'
import { type EnsureTopicsResult, ensureTopicCatalog } from './kafka/topics.js'
import { type RedisServiceOptions, redisUrl, resolveRedisOptions } from './redis/options.js'
import { probeRedis } from './redis/probe.js'
import { type RedisStartResult, startRedis } from './redis/start.js'
import { type RedisStatus, redisStatus } from './redis/status.js'
import { type RedisStopResult, stopRedis } from './redis/stop.js'
import { type Logger, silentLogger } from './support/logger.js'

export interface LocalServicesOptions {
  /** Root of local state, shared by both services (`<dataDir>/kafka`, `<dataDir>/redis`). Default `<repo>/.freshet`. */
  dataDir?: string
  /** Jar cache. Default `~/.cache/freshet`. */
  cacheDir?: string
  /** Kafka settings; see {@link KafkaServiceOptions} for defaults (port 19092, controller 19093). */
  kafka?: Omit<KafkaServiceOptions, 'dataDir' | 'cacheDir' | 'logger'>
  /** Redis settings; see {@link RedisServiceOptions} for defaults (port 16379). */
  redis?: Omit<RedisServiceOptions, 'dataDir' | 'logger'>
  /** Create the pipelines topic catalog once Kafka is up. Default true. */
  ensureTopics?: boolean
  /**
   * When a port is taken by a service that answers like Kafka/Redis (docker compose, another data dir),
   * use it instead of failing with `PORT_IN_USE`. It is never stopped by `stop()`. Default true.
   */
  reuseRunning?: boolean
  /** Default: silent. */
  logger?: Logger
}

export interface LocalServices {
  kafka: {
    brokers: string[]
    /** Null when reusing a Kafka this package does not manage. */
    pid: number | null
    clusterId: string
    tookMs: number
    /** Present when this call went through `startKafka` (started or found ours running). */
    start: KafkaStartResult | null
  }
  redis: {
    url: string
    pid: number | null
    tookMs: number
    start: RedisStartResult | null
  }
  /** What `ensureTopics` did; null when disabled. */
  topics: EnsureTopicsResult | null
  /** Which services this call spawned; `stop()` stops exactly these. */
  startedHere: { kafka: boolean; redis: boolean }
  /** Stops what this call started and leaves everything else running. */
  stop(): Promise<void>
}

/**
 * Starts (or reuses) Kafka and Redis in parallel, then creates the topic catalog. On failure, whatever
 * this call started is stopped again before the error is rethrown.
 *
 * @example
 * const services = await startLocalServices({ dataDir: '/tmp/freshet-test' })
 * try {
 *   // ... use services.kafka.brokers and services.redis.url
 * } finally {
 *   await services.stop() // leaves services that were already running alone
 * }
 */
export async function startLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  const logger = options.logger ?? silentLogger
  const reuse = options.reuseRunning ?? true
  const kafkaOptions = { ...options.kafka, dataDir: options.dataDir, cacheDir: options.cacheDir, logger }
  const redisOptions = { ...options.redis, dataDir: options.dataDir, logger }

  const [kafka, redis] = await Promise.allSettled([
    startOrReuseKafka(kafkaOptions, reuse),
    startOrReuseRedis(redisOptions, reuse),
  ])
  const startedHere = {
    kafka: kafka.status === 'fulfilled' && kafka.value.startedHere,
    redis: redis.status === 'fulfilled' && redis.value.startedHere,
  }
  const stop = async (): Promise<void> => {
    await Promise.all([
      startedHere.kafka ? stopKafka(kafkaOptions) : undefined,
      startedHere.redis ? stopRedis(redisOptions) : undefined,
    ])
  }

  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    await stop().catch((err: unknown) => logger.error({ err }, 'cleanup after a failed start failed'))
    if (kafka.status === 'rejected' && redis.status === 'rejected') {
      logger.error({ err: redis.reason }, 'redis failed to start too')
    }
    throw kafka.status === 'rejected' ? kafka.reason : (redis as PromiseRejectedResult).reason
  }

  let topics: EnsureTopicsResult | null = null
  if (options.ensureTopics ?? true) {
    try {
      topics = await ensureTopicCatalog(kafka.value.info.brokers)
      logger.info({ created: topics.created, existing: topics.existing }, 'topic catalog ensured')
    } catch (err) {
      await stop().catch(() => {})
      throw err
    }
  }

  return {
    kafka: kafka.value.info,
    redis: redis.value.info,
    topics,
    startedHere,
    stop,
  }
}

/**
 * Stops our Kafka and Redis for this data dir (in parallel). Services we did not start are untouched.
 *
 * @example
 * const { kafka, redis } = await stopLocalServices({ dataDir: '/tmp/freshet' })
 */
export async function stopLocalServices(
  options: Pick<LocalServicesOptions, 'dataDir' | 'kafka' | 'redis' | 'logger'> = {},
): Promise<{ kafka: KafkaStopResult; redis: RedisStopResult }> {
  const logger = options.logger ?? silentLogger
  const [kafka, redis] = await Promise.all([
    stopKafka({ ...options.kafka, dataDir: options.dataDir, logger }),
    stopRedis({ ...options.redis, dataDir: options.dataDir, logger }),
  ])
  return { kafka, redis }
}

/**
 * State of our Kafka and Redis for this data dir, with each health probe's answer.
 *
 * @example
 * const { kafka } = await localServicesStatus()
 * if (kafka.state === 'running' && kafka.probe !== null) console.log(kafka.probe.clusterId)
 */
export async function localServicesStatus(
  options: Pick<LocalServicesOptions, 'dataDir' | 'kafka' | 'redis'> = {},
): Promise<{ kafka: KafkaStatus; redis: RedisStatus }> {
  const [kafka, redis] = await Promise.all([
    kafkaStatus({ ...options.kafka, dataDir: options.dataDir }),
    redisStatus({ ...options.redis, dataDir: options.dataDir }),
  ])
  return { kafka, redis }
}

async function startOrReuseKafka(options: KafkaServiceOptions, reuse: boolean) {
  const startedAt = Date.now()
  try {
    const start = await startKafka(options)
    return {
      startedHere: !start.alreadyRunning,
      info: {
        brokers: start.brokers,
        pid: start.pid,
        clusterId: start.clusterId,
        tookMs: start.timings.totalMs,
        start,
      },
    }
  } catch (err) {
    if (!reuse || !isFreshetError(err) || err.code !== 'PORT_IN_USE') throw err
    const brokers = [kafkaBootstrap(resolveKafkaOptions(options))]
    const probe = await probeKafka(brokers, 3_000).catch(() => null)
    if (probe === null) throw err
    options.logger?.info({ brokers }, 'reusing a kafka this package does not manage')
    return {
      startedHere: false,
      info: { brokers, pid: null, clusterId: probe.clusterId, tookMs: Date.now() - startedAt, start: null },
    }
  }
}

async function startOrReuseRedis(options: RedisServiceOptions, reuse: boolean) {
  const startedAt = Date.now()
  try {
    const start = await startRedis(options)
    return {
      startedHere: !start.alreadyRunning,
      info: { url: start.url, pid: start.pid, tookMs: start.timings.totalMs, start },
    }
  } catch (err) {
    if (!reuse || !isFreshetError(err) || err.code !== 'PORT_IN_USE') throw err
    const o = resolveRedisOptions(options)
    const probe = await probeRedis(o.host, o.port, 2_000).catch(() => null)
    if (probe === null) throw err
    const url = redisUrl(o)
    o.logger.info({ url }, 'reusing a redis this package does not manage')
    return { startedHere: false, info: { url, pid: null, tookMs: Date.now() - startedAt, start: null } }
  }
}

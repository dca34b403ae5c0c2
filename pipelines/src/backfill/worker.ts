import { type AnyFeatureView, FreshetError, type OnlineFeatureWriter } from '@freshet/feature-store'
import { Worker } from 'bullmq'
import { type Logger, pino } from 'pino'
import type { KafkaBackbone } from '../kafka/kafka.js'
import { backfillJobProcessor } from './backfill-job.js'
import type { BackfillTarget } from './backfill-request.js'
import type { BackfillMetrics } from './metrics.js'
import {
  BACKFILL_QUEUE,
  type BackfillJobData,
  type BackfillQueueOptions,
  type BackfillResult,
  DEFAULT_BACKFILL_PREFIX,
  KEEP_FINISHED,
  openBackfillQueues,
  RANGE_QUEUE,
  type RangeJobData,
  type RangeResult,
} from './queues.js'
import { type BackfillOfflineWriter, type BackfillStores, rangeJobProcessor } from './range-job.js'
import { CANCELLED_REASON } from './status.js'

export interface BackfillWorkerOptions extends BackfillQueueOptions {
  kafka: KafkaBackbone
  /** The view versions this deployment can backfill: the definitions its code holds. */
  views: readonly AnyFeatureView[]
  /** Store ports, opened and closed by the host. A backfill targeting a store this worker lacks is refused. */
  online?: OnlineFeatureWriter
  offline?: BackfillOfflineWriter
  /** Children this process replays at once. Default 2. */
  concurrency?: number
  /** Fetch size per partition of a replay. Default 4 MB. */
  maxBytesPerPartition?: number
  /**
   * How long a job's lock lasts without renewal: a worker killed mid-child has its child taken over after at
   * most this plus `stalledIntervalMs`. Default 30 s (BullMQ's).
   */
  lockDurationMs?: number
  /** How often this worker looks for stalled jobs. Default 15 s. */
  stalledIntervalMs?: number
  /** Attempts of a child that fails (store or broker down); it resumes from its checkpoint each time. Default 5. */
  attempts?: number
  /** How often a running child checks whether its backfill was cancelled. Default 500 ms. */
  cancelPollMs?: number
  logger?: Logger
  metrics?: BackfillMetrics
}

export interface BackfillWorker {
  /** Resolves once both workers are connected and taking jobs. */
  readonly ready: Promise<void>
  /** Stops taking jobs; running children stop at their next batch and go back to the queue to resume later. */
  close(): Promise<void>
}

/**
 * Runs backfills: BullMQ workers for the parent queue (plan the offset ranges, fan out one child per task, wait
 * for them, sum up) and the child queue (replay a task: `replayPartition` or `replayMerge`, writing through the
 * injected store ports). Any number of these may run against one Redis; BullMQ hands each job to one of them,
 * and a child whose worker dies is taken over (stalled-job detection) and resumes from its checkpoint.
 *
 * The host injects the writers: with embedded chDB only the sink deployable may open the offline store, so it
 * hosts this worker (pipelines cannot depend on sinks; the ports live in the feature store).
 *
 * Writes are idempotent (Redis compare-and-set per window, ClickHouse rows deduplicated on the record id) and
 * happen one batch at a time before the checkpoint moves, so a retried, resumed or cancelled child leaves the
 * stores consistent: every stored record is the record an uninterrupted run stores.
 *
 * @example
 * const worker = startBackfillWorker({ kafka, redisUrl, views: featureViews, online, offline, logger, metrics })
 * await worker.ready
 * // … on shutdown
 * await worker.close()
 */
export function startBackfillWorker(options: BackfillWorkerOptions): BackfillWorker {
  const { kafka, views } = options
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'backfill' })
  const metrics = options.metrics
  const queues = openBackfillQueues(options)
  const connection = { url: options.redisUrl }
  const prefix = options.prefix ?? DEFAULT_BACKFILL_PREFIX
  const lockDuration = options.lockDurationMs ?? 30_000
  const stalledInterval = options.stalledIntervalMs ?? 15_000
  const cancelPollMs = options.cancelPollMs ?? 500
  const shutdown = new AbortController()
  const workerOptions = {
    connection,
    prefix,
    lockDuration,
    stalledInterval,
    // A kill -9 is a stall; allow a few before giving up on a child (each resumes from its checkpoint).
    maxStalledCount: 3,
    removeOnComplete: KEEP_FINISHED,
    removeOnFail: KEEP_FINISHED,
  }

  function storesOf(target: BackfillTarget): BackfillStores {
    const wantsOnline = target !== 'offline'
    const wantsOffline = target !== 'online'
    const missing = [
      ...(wantsOnline && !options.online ? ['online'] : []),
      ...(wantsOffline && !options.offline ? ['offline'] : []),
    ]
    if (missing.length > 0) {
      throw new FreshetError('CONFIG_INVALID', `this backfill worker has no ${missing.join(' or ')} store`)
    }
    return {
      ...(wantsOnline && options.online ? { online: options.online } : {}),
      ...(wantsOffline && options.offline ? { offline: options.offline } : {}),
    }
  }

  const processBackfill = backfillJobProcessor({
    kafka,
    views,
    queues,
    checkStores: storesOf,
    attempts: options.attempts ?? 5,
    logger,
    metrics,
  })
  const processRange = rangeJobProcessor({
    kafka,
    views,
    queues,
    storesOf,
    shutdown: shutdown.signal,
    cancelPollMs,
    maxBytesPerPartition: options.maxBytesPerPartition,
    logger,
    metrics,
  })
  const parents = new Worker<BackfillJobData, BackfillResult>(BACKFILL_QUEUE, processBackfill, {
    ...workerOptions,
    concurrency: 4,
  })
  const children = new Worker<RangeJobData, RangeResult>(RANGE_QUEUE, processRange, {
    ...workerOptions,
    concurrency: options.concurrency ?? 2,
  })
  for (const [name, worker] of [
    ['parents', parents],
    ['children', children],
  ] as const) {
    // BullMQ reports connection trouble here; it reconnects by itself. Without a listener Node would throw.
    worker.on('error', (err) => logger.warn({ err, worker: name }, 'backfill worker error'))
  }
  children.on('failed', (job, err) => {
    if (job && err.message !== CANCELLED_REASON) {
      logger.warn({ job: job.id, attempts: job.attemptsMade, err: err.message }, 'backfill child failed')
    }
  })
  children.on('stalled', (jobId) =>
    logger.warn({ job: jobId }, 'backfill child stalled; it resumes elsewhere'),
  )

  let closing: Promise<void> | undefined
  return {
    ready: Promise.all([parents.waitUntilReady(), children.waitUntilReady()]).then(() => undefined),
    close() {
      closing ??= (async () => {
        shutdown.abort()
        await Promise.allSettled([children.close(), parents.close()])
        await queues.close()
      })()
      return closing
    },
  }
}

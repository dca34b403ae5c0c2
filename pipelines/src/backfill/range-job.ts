import {
  type AnyFeatureView,
  type FeatureRecord,
  isFreshetError,
  type OfflineFeatureWriter,
  type OnlineFeatureWriter,
} from '@freshet/feature-store'
import { type Job, UnrecoverableError, WaitingError } from 'bullmq'
import type { Logger } from 'pino'
import type { KafkaBackbone } from '../kafka/kafka.js'
import { type BackfillTarget, resolveBackfillViews } from './backfill-request.js'
import type { BackfillMetrics } from './metrics.js'
import type { BackfillQueues, RangeJobData, RangeResult } from './queues.js'
import { replayMerge } from './replay-merge.js'
import { replayPartition } from './replay-partition.js'
import type { ReplayCheckpoint, TaskProgress } from './replay-state.js'
import { CANCELLED_REASON } from './status.js'
import { unrecoverable } from './unrecoverable.js'

/** The offline port, plus the ClickHouse writer's `flush` (insert now rather than after its batching delay). */
export type BackfillOfflineWriter = OfflineFeatureWriter & { flush?(): Promise<void> }

/** The store writers a target selects. */
export interface BackfillStores {
  online?: OnlineFeatureWriter
  offline?: BackfillOfflineWriter
}

/** What a child job needs from the worker hosting it. */
export interface RangeJobDeps {
  kafka: Pick<KafkaBackbone, 'readRanges'>
  views: readonly AnyFeatureView[]
  queues: BackfillQueues
  /** The writers of a target; throws (not retriable) when this worker lacks one. */
  storesOf(target: BackfillTarget): BackfillStores
  /** Aborts when the worker shuts down. */
  shutdown: AbortSignal
  cancelPollMs: number
  maxBytesPerPartition?: number | undefined
  logger: Logger
  metrics?: BackfillMetrics | undefined
}

/**
 * The processor of a backfill's child job: replays its task (`replayPartition` or `replayMerge`) from the job's
 * checkpoint, writing to the target's stores and saving checkpoint and progress after each batch. While it
 * runs it polls the backfill's cancel mark; a cancelled child ends `failed` with reason `backfill cancelled`
 * (no retry), a child interrupted by shutdown goes back to the queue without using up an attempt. A retriable
 * failure (store or broker down) is retried by BullMQ with backoff, resuming from the checkpoint.
 *
 * @example
 * new Worker(RANGE_QUEUE, rangeJobProcessor(deps), { connection, prefix, concurrency: 2 })
 */
export function rangeJobProcessor(deps: RangeJobDeps) {
  const { kafka, views, queues, logger, metrics, cancelPollMs } = deps
  return async function processRange(
    job: Job<RangeJobData, RangeResult>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<RangeResult> {
    const { backfillId, task, from, to, target } = job.data
    const log = logger.child({ backfill: backfillId, task: task.key })
    if ((await queues.cancelledAt(backfillId)) !== undefined) throw new UnrecoverableError(CANCELLED_REASON)
    const selected = unrecoverable(() => resolveBackfillViews(task.views, views))
    const stores = unrecoverable(() => deps.storesOf(target))
    const abort = new AbortController()
    let cancelled = false
    const stop = () => abort.abort()
    deps.shutdown.addEventListener('abort', stop)
    signal?.addEventListener('abort', stop)
    const poll = setInterval(() => {
      queues.cancelledAt(backfillId).then(
        (at) => {
          if (at !== undefined) {
            cancelled = true
            abort.abort()
          }
        },
        () => {}, // Redis blips: the next poll asks again
      )
    }, cancelPollMs)
    const started = performance.now()
    let counted = sumEvents(job.data.checkpoint)
    metrics?.activeChildren.inc()
    log.info(
      { kind: task.kind, attempt: job.attemptsStarted, resumed: job.data.checkpoint !== undefined },
      'replaying',
    )
    let outcome = 'failed'
    try {
      const replay = task.kind === 'merge' ? replayMerge : replayPartition
      const result = await replay({
        kafka,
        task,
        views: selected,
        from,
        to,
        checkpoint: job.data.checkpoint,
        signal: abort.signal,
        ...(deps.maxBytesPerPartition === undefined
          ? {}
          : { maxBytesPerPartition: deps.maxBytesPerPartition }),
        write: (records) => writeRecords(records, stores, metrics),
        save: async (checkpoint: ReplayCheckpoint, progress: TaskProgress) => {
          await job.updateData({ ...job.data, checkpoint })
          await job.updateProgress(progress as unknown as object)
          const events = sumEvents(checkpoint)
          metrics?.eventsProcessed.inc({ topic: task.topic }, Math.max(0, events - counted))
          counted = events
        },
      })
      if (result.outcome === 'cancelled') {
        if (cancelled || (await queues.cancelledAt(backfillId)) !== undefined) {
          outcome = 'cancelled'
          log.info({ counts: result.counts }, 'child cancelled')
          throw new UnrecoverableError(CANCELLED_REASON)
        }
        // Shutting down: back to the queue without using up an attempt; the next worker resumes it.
        outcome = 'interrupted'
        await job.moveToWait(token)
        throw new WaitingError()
      }
      outcome = 'completed'
      log.info({ counts: result.counts, ms: Math.round(performance.now() - started) }, 'child completed')
      return { counts: result.counts }
    } catch (err) {
      if (outcome === 'failed') {
        log.warn({ err, attempt: job.attemptsStarted }, 'child attempt failed')
        if (isFreshetError(err) && !err.retriable) throw new UnrecoverableError(err.message)
      }
      throw err
    } finally {
      clearInterval(poll)
      deps.shutdown.removeEventListener('abort', stop)
      signal?.removeEventListener('abort', stop)
      metrics?.activeChildren.dec()
      metrics?.jobSeconds.observe({ kind: task.kind, outcome }, (performance.now() - started) / 1000)
    }
  }
}

/** Writes one batch to the target's stores in parallel; resolves once both have it. */
async function writeRecords(
  records: readonly FeatureRecord[],
  stores: BackfillStores,
  metrics: BackfillMetrics | undefined,
): Promise<void> {
  if (records.length === 0) return
  const writes: Promise<void>[] = []
  if (stores.online) writes.push(stores.online.write(records))
  if (stores.offline) {
    writes.push(stores.offline.write(records))
    // The ClickHouse writer would otherwise wait up to its batching delay for more rows: the batch is the insert.
    stores.offline.flush?.().catch(() => {})
  }
  await Promise.all(writes)
  if (metrics) {
    const byView = new Map<string, number>()
    for (const r of records)
      byView.set(`${r.view}:v${r.version}`, (byView.get(`${r.view}:v${r.version}`) ?? 0) + 1)
    for (const [view, n] of byView) {
      if (stores.online) metrics.recordsWritten.inc({ view, store: 'online' }, n)
      if (stores.offline) metrics.recordsWritten.inc({ view, store: 'offline' }, n)
    }
  }
}

function sumEvents(checkpoint: ReplayCheckpoint | undefined): number {
  return Object.values(checkpoint?.counts.events ?? {}).reduce((n, e) => n + e, 0)
}

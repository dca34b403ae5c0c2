import type { AnyFeatureView } from '@freshet/feature-store'
import { type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq'
import type { Logger } from 'pino'
import type { KafkaBackbone } from '../kafka/kafka.js'
import { type BackfillTarget, resolveBackfillViews } from './backfill-request.js'
import type { BackfillMetrics } from './metrics.js'
import { planBackfill } from './planner.js'
import {
  type BackfillJobData,
  type BackfillQueues,
  type BackfillResult,
  childJobId,
  KEEP_FINISHED,
} from './queues.js'
import { CANCELLED_REASON } from './status.js'
import { unrecoverable } from './unrecoverable.js'

/** What a parent job needs from the worker hosting it. */
export interface BackfillJobDeps {
  kafka: Pick<KafkaBackbone, 'endOffsets' | 'offsetsForTimestamp'>
  views: readonly AnyFeatureView[]
  queues: BackfillQueues
  /** Throws (not retriable) when this worker lacks a store the target needs. */
  checkStores(target: BackfillTarget): void
  /** Attempts of each child. */
  attempts: number
  logger: Logger
  metrics?: BackfillMetrics | undefined
}

/**
 * The processor of a backfill's parent job, in steps saved to the job's data (BullMQ's step-job pattern), so a
 * parent retried or taken over after a crash continues where it was:
 *
 * 1. `plan`: resolve the views and the time range to offset ranges (`planBackfill`);
 * 2. `fan-out`: add one child per task, with deterministic ids (adding twice adds nothing);
 * 3. `wait`: move to waiting-children until every child finished (children that fail for good do not block it);
 * 4. `finish`: sum the children up; `cancelled` if a cancel was asked, failed if any child failed.
 *
 * A cancel seen before `wait` skips straight to `finish`.
 *
 * @example
 * new Worker(BACKFILL_QUEUE, backfillJobProcessor(deps), { connection, prefix })
 */
export function backfillJobProcessor(deps: BackfillJobDeps) {
  const { kafka, views, queues, logger } = deps
  return async function processBackfill(
    job: Job<BackfillJobData, BackfillResult>,
    token?: string,
  ): Promise<BackfillResult> {
    const id = job.id!
    let data = job.data
    const log = logger.child({ backfill: id })
    const update = async (next: BackfillJobData) => {
      data = next
      await job.updateData(next)
    }
    for (;;) {
      if (data.step !== 'finish' && data.step !== 'wait' && (await queues.cancelledAt(id)) !== undefined) {
        await update({ ...data, step: 'finish' })
      }
      switch (data.step) {
        case 'plan': {
          const { request } = data
          const selected = unrecoverable(() => resolveBackfillViews(request.views, views))
          unrecoverable(() => deps.checkStores(request.target))
          const plan = await planBackfill({ kafka, views: selected, from: request.from, to: request.to })
          log.info(
            { views: request.views, from: request.from, to: request.to, tasks: plan.tasks.length },
            'backfill planned',
          )
          await update({ ...data, step: 'fan-out', plan })
          break
        }
        case 'fan-out': {
          const plan = data.plan!
          // Deterministic child ids: a parent retried after a crash here adds nothing twice.
          await queues.ranges.addBulk(
            plan.tasks.map((task) => ({
              name: task.kind,
              data: {
                backfillId: id,
                task,
                from: data.request.from,
                to: data.request.to,
                target: data.request.target,
              },
              opts: {
                jobId: childJobId(id, task.key),
                parent: { id, queue: job.queueQualifiedName },
                attempts: deps.attempts,
                backoff: { type: 'exponential', delay: 1000 },
                // A child that fails for good still lets the parent finish and report it.
                ignoreDependencyOnFailure: true,
                removeOnComplete: KEEP_FINISHED,
                removeOnFail: KEEP_FINISHED,
              },
            })),
          )
          await update({ ...data, step: 'wait' })
          break
        }
        case 'wait': {
          if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError()
          await update({ ...data, step: 'finish' })
          break
        }
        case 'finish':
          return finishBackfill(deps, job, data, log)
      }
    }
  }
}

async function finishBackfill(
  { queues, metrics }: BackfillJobDeps,
  job: Job<BackfillJobData, BackfillResult>,
  data: BackfillJobData,
  log: Logger,
): Promise<BackfillResult> {
  const id = job.id!
  const result: BackfillResult = { outcome: 'completed', events: 0, written: 0, late: 0, deadLetters: 0 }
  const failed: string[] = []
  for (const task of data.plan?.tasks ?? []) {
    const child = await queues.ranges.getJob(childJobId(id, task.key))
    const counts = child?.returnvalue?.counts ?? child?.data.checkpoint?.counts
    if (counts) {
      result.events += Object.values(counts.events).reduce((n, e) => n + e, 0)
      result.written += counts.written
      result.late += counts.late
      result.deadLetters += counts.deadLetters
    }
    const state = child === undefined ? 'missing' : await child.getState()
    if (state !== 'completed' && child?.failedReason !== CANCELLED_REASON) {
      failed.push(`${task.key}: ${child?.failedReason ?? state}`)
    }
  }
  const cancelled = (await queues.cancelledAt(id)) !== undefined
  metrics?.jobSeconds.observe(
    { kind: 'backfill', outcome: cancelled ? 'cancelled' : failed.length > 0 ? 'failed' : 'completed' },
    (Date.now() - job.timestamp) / 1000,
  )
  if (cancelled) {
    log.info(result, 'backfill cancelled')
    return { ...result, outcome: 'cancelled' }
  }
  if (failed.length > 0) {
    log.error({ failed }, 'backfill failed')
    throw new UnrecoverableError(
      `${failed.length} of ${data.plan?.tasks.length} children failed: ${failed.join('; ')}`,
    )
  }
  log.info(result, 'backfill completed')
  return result
}

import type { AnyFeatureView } from '@freshet/feature-store'
import type { Job, JobState } from 'bullmq'
import {
  type BackfillRequest,
  type BackfillTarget,
  parseBackfillRequest,
  resolveBackfillViews,
} from './backfill-request.js'
import {
  type BackfillJobData,
  type BackfillQueueOptions,
  type BackfillResult,
  childJobId,
  isBackfillId,
  KEEP_FINISHED,
  newBackfillId,
  openBackfillQueues,
  type RangeJobData,
  type RangeResult,
} from './queues.js'
import {
  type BackfillStatus,
  type BackfillSummary,
  backfillState,
  buildBackfillStatus,
  type JobSnapshot,
} from './status.js'

export interface BackfillClientOptions extends BackfillQueueOptions {
  /**
   * The views requests may name (the code's catalogue); `all` expands to them and unknown refs are refused at
   * submission. Omit to pass refs through unchecked (the worker refuses unknown ones when it plans).
   */
  views?: readonly AnyFeatureView[]
  now?: () => number
}

/** Submits, inspects and cancels backfills; talks to the queues in Redis only, never to a worker directly. */
export interface BackfillClient {
  /** Queues a backfill; a worker plans and runs it. Returns its status (state `queued`). */
  start(request: BackfillRequest): Promise<BackfillStatus>
  /** Undefined for an unknown id (or one past the queues' retention). */
  status(id: string): Promise<BackfillStatus | undefined>
  /** Newest first. */
  list(options?: { limit?: number }): Promise<BackfillSummary[]>
  /**
   * Completed backfills (not cancelled, not failed) that replayed view version `view` (`car_motion:v2`),
   * newest finished first; `targets` keeps those that wrote one of these stores. What `freshet views promote`
   * takes as evidence. Sees what the queues keep: a week, at most 1000 backfills.
   */
  completed(options: { view: string; targets?: readonly BackfillTarget[] }): Promise<BackfillSummary[]>
  /**
   * Cancels a backfill: running children stop at their next batch (within about a second), the rest never
   * start. Records already written stay (each is a correct final record). Undefined for an unknown id.
   */
  cancel(id: string): Promise<BackfillStatus | undefined>
  close(): Promise<void>
}

const PARENT_STATES: JobState[] = [
  'active',
  'waiting',
  'waiting-children',
  'prioritized',
  'delayed',
  'completed',
  'failed',
]

/**
 * Opens a backfill client on the queues' Redis: what the CLI and the admin HTTP API use.
 *
 * @example
 * const client = createBackfillClient({ redisUrl, views: featureViews })
 * const { id } = await client.start({ views: ['car_motion:v2'], from, to, target: 'both' })
 * const status = await client.status(id) // status.totals.percent, per-partition events and ETA
 * await client.close()
 */
export function createBackfillClient(options: BackfillClientOptions): BackfillClient {
  const queues = openBackfillQueues(options)
  const now = options.now ?? Date.now

  async function snapshot<D, R>(job: Job<D, R>): Promise<JobSnapshot<D, R>> {
    return {
      id: job.id!,
      state: await job.getState(),
      data: job.data,
      progress: job.progress,
      returnvalue: job.returnvalue,
      failedReason: job.failedReason,
      attemptsMade: job.attemptsMade,
      attemptsStarted: job.attemptsStarted,
      timestamp: job.timestamp,
      finishedOn: job.finishedOn,
    }
  }

  async function status(id: string): Promise<BackfillStatus | undefined> {
    if (!isBackfillId(id)) return undefined
    const parent = await queues.backfills.getJob(id)
    if (parent === undefined) return undefined
    const children = new Map<string, JobSnapshot<RangeJobData, RangeResult>>()
    await Promise.all(
      (parent.data.plan?.tasks ?? []).map(async (task) => {
        const child = await queues.ranges.getJob(childJobId(id, task.key))
        if (child) children.set(task.key, await snapshot(child))
      }),
    )
    return buildBackfillStatus(await snapshot(parent), children, await queues.cancelledAt(id))
  }

  return {
    async start(input) {
      const request = parseBackfillRequest(input)
      const views = options.views
        ? resolveBackfillViews(request.views, options.views).map((v) => v.ref)
        : request.views
      const id = newBackfillId()
      const data: BackfillJobData = { request: { ...request, views }, step: 'plan' }
      await queues.backfills.add('backfill', data, {
        jobId: id,
        // Planning talks to Kafka: a broker hiccup retries; a bad request fails at once (UnrecoverableError).
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: KEEP_FINISHED,
        removeOnFail: KEEP_FINISHED,
      })
      return (await status(id))!
    },

    status,

    async list({ limit = 50 } = {}) {
      const jobs = await queues.backfills.getJobs(PARENT_STATES, 0, Math.max(0, limit - 1), false)
      const summaries = await Promise.all(
        jobs.map(async (job): Promise<BackfillSummary> => {
          const s = await snapshot(job as Job<BackfillJobData, BackfillResult>)
          const state = backfillState(s, await queues.cancelledAt(s.id))
          return {
            id: s.id,
            state,
            request: s.data.request,
            createdAt: s.timestamp,
            ...(s.finishedOn !== undefined &&
            (state === 'completed' || state === 'cancelled' || state === 'failed')
              ? { finishedAt: s.finishedOn }
              : {}),
            ...(s.returnvalue ? { result: s.returnvalue } : {}),
          }
        }),
      )
      return summaries.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit)
    },

    async completed({ view, targets }) {
      const jobs = (await queues.backfills.getJobs(['completed'], 0, KEEP_FINISHED.count - 1, false)) as Job<
        BackfillJobData,
        BackfillResult
      >[]
      return jobs
        .filter((job) => {
          const { request, plan } = job.data
          // The plan names the refs it ran ('all' resolved by the worker that planned it).
          const ran = plan ? plan.tasks.some((t) => t.views.includes(view)) : request.views.includes(view)
          return (
            job.returnvalue?.outcome === 'completed' &&
            ran &&
            (targets === undefined || targets.includes(request.target))
          )
        })
        .map(
          (job): BackfillSummary => ({
            id: job.id!,
            state: 'completed',
            request: job.data.request,
            createdAt: job.timestamp,
            ...(job.finishedOn === undefined ? {} : { finishedAt: job.finishedOn }),
            result: job.returnvalue,
          }),
        )
        .sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt))
    },

    async cancel(id) {
      const current = await status(id)
      if (current === undefined) return undefined
      if (current.state === 'completed' || current.state === 'failed' || current.state === 'cancelled')
        return current
      await queues.markCancelled(id, now())
      return status(id)
    },

    close: () => queues.close(),
  }
}

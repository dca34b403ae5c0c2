import { randomBytes } from 'node:crypto'
import { Queue } from 'bullmq'
import type { BackfillRequest, BackfillTarget } from './backfill-request.js'
import type { BackfillPlan, BackfillTask } from './planner.js'
import type { ReplayCheckpoint, ReplayCounts } from './replay-state.js'

/**
 * The BullMQ side of backfills: two queues on Redis. A backfill is a job of `freshet-backfills` (the parent:
 * it plans, fans out, waits, sums up); each of its tasks is a child job of `freshet-backfill-ranges`. Two
 * queues so the concurrency limit of the replays never holds a planning parent back.
 */
export const BACKFILL_QUEUE = 'freshet-backfills'
export const RANGE_QUEUE = 'freshet-backfill-ranges'
/** Key prefix of the queues (BullMQ's default is `bull`). */
export const DEFAULT_BACKFILL_PREFIX = 'freshet'

export interface BackfillQueueOptions {
  /** Redis holding the queues (the deployment's REDIS_URL). May carry a password: never logged. */
  redisUrl: string
  /** Key prefix of the queues. Default `freshet`; tests use their own. */
  prefix?: string
}

/** Where a parent job is: each step is saved before the next starts, so a retried parent picks up there. */
export type BackfillStep = 'plan' | 'fan-out' | 'wait' | 'finish'

export interface BackfillJobData {
  request: BackfillRequest
  step: BackfillStep
  plan?: BackfillPlan
}

export interface RangeJobData {
  backfillId: string
  task: BackfillTask
  from: number
  to: number
  target: BackfillTarget
  /** Saved after every batch; a retried or stalled-and-restarted child resumes from it. */
  checkpoint?: ReplayCheckpoint
}

/** A child's return value. */
export interface RangeResult {
  counts: ReplayCounts
}

/** A backfill's return value (its parent job's). */
export interface BackfillResult {
  outcome: 'completed' | 'cancelled'
  events: number
  written: number
  late: number
  deadLetters: number
}

/** Finished jobs are kept a week (status and list show them), at most 1000 per queue. */
export const KEEP_FINISHED = { age: 7 * 24 * 60 * 60, count: 1000 } as const

/** A new backfill id: `bf-` and 8 hex digits (BullMQ refuses ':' and all-digit custom ids). */
export function newBackfillId(): string {
  return `bf-${randomBytes(4).toString('hex')}`
}

/** `bf-1a2b3c4d.0.3`: the child job of task `0.3`. */
export function childJobId(backfillId: string, taskKey: string): string {
  return `${backfillId}.${taskKey}`
}

export function isBackfillId(id: string): boolean {
  return /^bf-[0-9a-f]{8}$/.test(id)
}

/** Both queues, opened on one Redis; `close()` ends their connections. */
export interface BackfillQueues {
  backfills: Queue<BackfillJobData, BackfillResult>
  ranges: Queue<RangeJobData, RangeResult>
  /** Marks a backfill cancelled (children poll this); idempotent. */
  markCancelled(id: string, at: number): Promise<void>
  /** When the backfill was cancelled, if it was. */
  cancelledAt(id: string): Promise<number | undefined>
  close(): Promise<void>
}

/**
 * Opens the backfill queues. The cancel marks live in a hash beside the parent queue's keys, not in job data:
 * the parent rewrites its data as it moves through its steps and would lose a mark written there.
 *
 * @example
 * const queues = openBackfillQueues({ redisUrl: 'redis://127.0.0.1:16379' })
 */
export function openBackfillQueues(options: BackfillQueueOptions): BackfillQueues {
  const prefix = options.prefix ?? DEFAULT_BACKFILL_PREFIX
  const connection = { url: options.redisUrl }
  const backfills = new Queue<BackfillJobData, BackfillResult>(BACKFILL_QUEUE, { connection, prefix })
  const ranges = new Queue<RangeJobData, RangeResult>(RANGE_QUEUE, { connection, prefix })
  const cancelKey = `${backfills.qualifiedName}:cancelled`
  const client = () => backfills.getBackend().client
  return {
    backfills,
    ranges,
    async markCancelled(id, at) {
      const redis = await client()
      if ((await redis.hexists(cancelKey, id)) === 0) await redis.hset(cancelKey, { [id]: at })
    },
    async cancelledAt(id) {
      const at = await (await client()).hget(cancelKey, id)
      return at === null ? undefined : Number(at)
    },
    async close() {
      await Promise.allSettled([backfills.close(), ranges.close()])
    },
  }
}

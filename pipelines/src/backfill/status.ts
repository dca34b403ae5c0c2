import type { BackfillRequest } from './backfill-request.js'
import type { BackfillJobData, BackfillResult, RangeJobData, RangeResult } from './queues.js'
import { rangeSize } from './range-math.js'
import type { TaskProgress } from './replay-state.js'

/**
 * Where a backfill is, for people: `queued` (no worker took it yet), `planning`, `running`, `cancelling`
 * (cancel asked, children still stopping), then `completed`, `cancelled` or `failed`.
 */
export type BackfillState =
  | 'queued'
  | 'planning'
  | 'running'
  | 'cancelling'
  | 'completed'
  | 'cancelled'
  | 'failed'

/** A child: `retrying` after a failed or stalled attempt, `cancelled` when it stopped for a cancel. */
export type TaskState = 'waiting' | 'active' | 'retrying' | 'completed' | 'failed' | 'cancelled'

/** One partition of one child. `events` are records read; `total` the offsets the range spans. */
export interface RangeStatus {
  partition: number
  start: string
  end: string
  position: string
  events: number
  total: number
  done: boolean
}

export interface TaskStatus {
  key: string
  kind: 'partition' | 'merge'
  topic: string
  views: string[]
  state: TaskState
  /** Attempts started so far (1 for an uninterrupted run). */
  attempts: number
  error?: string
  ranges: RangeStatus[]
  written: number
  late: number
  deadLetters: number
  /** Of the running attempt; 0 when not running. */
  eventsPerS: number
  /** Seconds left at the current rate; null when not running or unknown. */
  etaS: number | null
}

export interface BackfillTotals {
  events: number
  total: number
  /** Share of the planned offsets read, 0–100. */
  percent: number
  written: number
  late: number
  deadLetters: number
  eventsPerS: number
  etaS: number | null
}

export interface BackfillStatus {
  id: string
  state: BackfillState
  request: BackfillRequest
  createdAt: number
  finishedAt?: number
  cancelledAt?: number
  error?: string
  tasks: TaskStatus[]
  totals: BackfillTotals
}

/** What `list` shows of a backfill (no per-child reads). */
export interface BackfillSummary {
  id: string
  state: BackfillState
  request: BackfillRequest
  createdAt: number
  finishedAt?: number
  result?: BackfillResult
}

/** The parts of a BullMQ job a status is built from. */
export interface JobSnapshot<D, R> {
  id: string
  /** BullMQ state: waiting, delayed, prioritized, active, waiting-children, completed, failed, or unknown. */
  state: string
  data: D
  progress: unknown
  returnvalue: R | null | undefined
  failedReason?: string | undefined
  /** Attempts that failed so far. */
  attemptsMade: number
  /** Attempts started (includes restarts after a stall). */
  attemptsStarted?: number | undefined
  timestamp: number
  finishedOn?: number | undefined
}

export const CANCELLED_REASON = 'backfill cancelled'

/**
 * The state of a backfill from its parent job alone (what `list` shows).
 *
 * @example
 * backfillState(parent, cancelledAt) // 'running'
 */
export function backfillState(
  parent: JobSnapshot<BackfillJobData, BackfillResult>,
  cancelledAt: number | undefined,
): BackfillState {
  if (parent.state === 'completed')
    return parent.returnvalue?.outcome === 'cancelled' ? 'cancelled' : 'completed'
  if (parent.state === 'failed') return cancelledAt === undefined ? 'failed' : 'cancelled'
  if (cancelledAt !== undefined) return 'cancelling'
  const step = parent.data.step
  if (parent.state === 'active' && (step === 'plan' || step === 'fan-out')) return 'planning'
  if (
    parent.state === 'active' ||
    parent.state === 'waiting-children' ||
    step === 'wait' ||
    step === 'finish'
  )
    return 'running'
  return 'queued'
}

/**
 * A backfill's full status: per child and partition, events read of the planned total, rate and ETA, and the
 * totals over all children. Pure: the client reads the jobs, this arranges them.
 *
 * @example
 * const status = buildBackfillStatus(parent, children, cancelledAt)
 * status.totals.percent // 42.5
 */
export function buildBackfillStatus(
  parent: JobSnapshot<BackfillJobData, BackfillResult>,
  children: ReadonlyMap<string, JobSnapshot<RangeJobData, RangeResult>>,
  cancelledAt?: number,
): BackfillStatus {
  const state = backfillState(parent, cancelledAt)
  const tasks = (parent.data.plan?.tasks ?? []).map((task): TaskStatus => {
    const child = children.get(task.key)
    const progress = isTaskProgress(child?.progress) ? child.progress : undefined
    const counts = child?.returnvalue?.counts ?? child?.data.checkpoint?.counts
    const childState = taskState(child)
    const ranges = task.ranges.map((range): RangeStatus => {
      const p = progress?.ranges.find((r) => r.partition === range.partition)
      const total = rangeSize(range)
      const finished = childState === 'completed'
      return {
        partition: range.partition,
        start: range.start,
        end: range.end,
        position: p?.position ?? range.start,
        events: p?.events ?? counts?.events[String(range.partition)] ?? 0,
        total,
        done: finished || (p?.done ?? false),
      }
    })
    const running = childState === 'active'
    const eventsPerS = running ? (progress?.eventsPerS ?? 0) : 0
    const remaining = ranges.reduce((n, r) => n + (r.done ? 0 : remainingOffsets(r)), 0)
    return {
      key: task.key,
      kind: task.kind,
      topic: task.topic,
      views: task.views,
      state: childState,
      attempts: child === undefined ? 0 : Math.max(child.attemptsStarted ?? 0, child.attemptsMade),
      ...(child?.failedReason ? { error: child.failedReason } : {}),
      ranges,
      written: progress?.written ?? counts?.written ?? 0,
      late: progress?.late ?? counts?.late ?? 0,
      deadLetters: progress?.deadLetters ?? counts?.deadLetters ?? 0,
      eventsPerS,
      etaS: running && eventsPerS > 0 ? Math.ceil(remaining / eventsPerS) : null,
    }
  })
  const all = tasks.flatMap((t) => t.ranges)
  const total = all.reduce((n, r) => n + r.total, 0)
  const read = all.reduce((n, r) => n + (r.done ? r.total : r.total - remainingOffsets(r)), 0)
  const eventsPerS = tasks.reduce((n, t) => n + t.eventsPerS, 0)
  const remaining = total - read
  const finished = state === 'completed' || state === 'cancelled' || state === 'failed'
  const error =
    parent.state === 'failed' && parent.failedReason && state !== 'cancelled'
      ? parent.failedReason
      : undefined
  return {
    id: parent.id,
    state,
    request: parent.data.request,
    createdAt: parent.timestamp,
    ...(finished && parent.finishedOn !== undefined ? { finishedAt: parent.finishedOn } : {}),
    ...(cancelledAt === undefined ? {} : { cancelledAt }),
    ...(error === undefined ? {} : { error }),
    tasks,
    totals: {
      events: all.reduce((n, r) => n + r.events, 0),
      total,
      percent: total === 0 ? (finished ? 100 : 0) : Math.round((1000 * read) / total) / 10,
      written: tasks.reduce((n, t) => n + t.written, 0),
      late: tasks.reduce((n, t) => n + t.late, 0),
      deadLetters: tasks.reduce((n, t) => n + t.deadLetters, 0),
      eventsPerS,
      etaS: eventsPerS > 0 && !finished ? Math.ceil(remaining / eventsPerS) : null,
    },
  }
}

function taskState(child: JobSnapshot<RangeJobData, RangeResult> | undefined): TaskState {
  if (child === undefined) return 'waiting'
  switch (child.state) {
    case 'completed':
      return 'completed'
    case 'failed':
      return child.failedReason === CANCELLED_REASON ? 'cancelled' : 'failed'
    case 'active':
      return 'active'
    default:
      return child.attemptsMade > 0 || (child.attemptsStarted ?? 0) > 0 ? 'retrying' : 'waiting'
  }
}

function remainingOffsets(r: Pick<RangeStatus, 'start' | 'end' | 'position' | 'total'>): number {
  const left = BigInt(r.end) - BigInt(r.position)
  if (left <= 0n) return 0
  return Math.min(r.total, Number(left))
}

function isTaskProgress(value: unknown): value is TaskProgress {
  return typeof value === 'object' && value !== null && Array.isArray((value as TaskProgress).ranges)
}

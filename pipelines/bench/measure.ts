import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError } from '@freshet/feature-store'

/** One timed pass over the whole topic by one consumer (bare or engine). */
export interface RunResult {
  /** From the start call until the consumer fetched for the first time (connect, group join, sync). */
  joinMs: number
  /** From the first fetch until every event was processed: what `eventsPerS` divides by. */
  processMs: number
  eventsPerS: number
  /** The same events over join + processing, for when the join matters (short topics). */
  eventsPerSInclJoin: number
  /**
   * CPU time of the whole process per event while processing (all threads, GC included). Other processes on
   * the machine slow events/s down far more than they change this, so it tells what a run cost.
   */
  cpuUsPerEvent?: number
}

/**
 * Turns the three instants of a run (and the CPU time it took from join to done, in µs) into its figures.
 *
 * @example
 * const cpuAtJoin = process.cpuUsage()
 * runResult(1_000_000, t0, tJoined, tDone, cpuSince(cpuAtJoin)) // { joinMs, processMs, eventsPerS, … }
 */
export function runResult(
  events: number,
  startAt: number,
  joinedAt: number,
  doneAt: number,
  cpuUs?: number,
): RunResult {
  const processMs = doneAt - joinedAt
  return {
    joinMs: Math.round(joinedAt - startAt),
    processMs: Math.round(processMs),
    eventsPerS: Math.round((events * 1000) / processMs),
    eventsPerSInclJoin: Math.round((events * 1000) / (doneAt - startAt)),
    ...(cpuUs === undefined ? {} : { cpuUsPerEvent: Math.round((cpuUs / events) * 100) / 100 }),
  }
}

/**
 * CPU time (user + system, every thread of this process) since `from`, in µs.
 *
 * @example
 * const from = process.cpuUsage(); work(); cpuSince(from) // 1234
 */
export function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from)
  return used.user + used.system
}

/**
 * Median (mean of the middle two for an even count); NaN for none.
 *
 * @example
 * median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface WaitOptions {
  /** Give up when the count has not moved for this long. Default 60 s. */
  stallMs?: number
  /** Polling period; bounds the timing error of a run. Default 10 ms. */
  pollMs?: number
  /** Called about every `progressMs` with the current count. */
  onProgress?: (count: number) => void
  /** Default 5000 ms. */
  progressMs?: number
}

/**
 * Polls `count` until it reaches `target`; returns `performance.now()` at that moment. Throws if the count
 * stalls, so a wedged consumer fails the bench instead of hanging it.
 *
 * @example
 * const doneAt = await waitForCount(() => processed, 1_000_000)
 */
export async function waitForCount(
  count: () => number | Promise<number>,
  target: number,
  { stallMs = 60_000, pollMs = 10, onProgress, progressMs = 5000 }: WaitOptions = {},
): Promise<number> {
  let last = -1
  let movedAt = performance.now()
  let reportedAt = movedAt
  for (;;) {
    const n = await count()
    const t = performance.now()
    if (n >= target) return t
    if (n !== last) {
      last = n
      movedAt = t
    } else if (t - movedAt > stallMs) {
      throw new FreshetError('INTERNAL', `stalled at ${n} of ${target} events for ${stallMs} ms`)
    }
    if (onProgress && t - reportedAt >= progressMs) {
      reportedAt = t
      onProgress(n)
    }
    await sleep(pollMs)
  }
}

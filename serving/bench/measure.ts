/** Latency samples and their percentiles, for the serving bench. */

export interface LatencyRun {
  /** Milliseconds per call. */
  samples: number[]
  /** Calls completed per second over the run. */
  perSecond: number
  errors: number
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export function summarise(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Runs `call` from `concurrency` loops for `durationMs` and times each call: the in-process baselines (a bare
 * Redis pipeline, a bare model run) measured the way the API is, with the same number of calls in flight.
 *
 * @example
 * const run = await closedLoop(8, 5000, () => pipeline.exec())
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  call: (i: number) => Promise<unknown>,
): Promise<LatencyRun> {
  const samples: number[] = []
  let errors = 0
  const started = performance.now()
  const until = started + durationMs
  let n = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now()
        try {
          await call(n++)
          samples.push(performance.now() - t)
        } catch {
          errors++
        }
      }
    }),
  )
  return { samples, perSecond: samples.length / ((performance.now() - started) / 1000), errors }
}

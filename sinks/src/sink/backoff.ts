/** How long a sink waits before trying a failed batch again. */
export interface BackoffPolicy {
  /** Wait before the first retry. */
  initialMs: number
  /** Cap on any single wait. */
  maxMs: number
  /** Each wait is drawn from ±`jitter` × nominal (0 disables), so restarted sink instances do not retry in lockstep. */
  jitter: number
}

/** 200 ms, doubling, capped at 5 s (kept well below the consumer group's 30 s session timeout). */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 5_000, jitter: 0.2 }

/**
 * The wait before retry number `attempt` (1-based): `initialMs · 2^(attempt-1)`, capped at `maxMs`, jittered.
 * The cap also bounds the jittered value, so a caller can rely on never waiting longer than `maxMs`.
 *
 * @example
 * backoffMs(1, { initialMs: 200, maxMs: 5000, jitter: 0 }) // 200
 * backoffMs(6, { initialMs: 200, maxMs: 5000, jitter: 0 }) // 5000 (6400 capped)
 */
export function backoffMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1))
  const jittered = nominal * (1 + policy.jitter * (2 * random() - 1))
  return Math.round(Math.min(policy.maxMs, Math.max(0, jittered)))
}

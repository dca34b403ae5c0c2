import type { AnyFeatureView, FeatureRecord } from '@freshet/feature-store'

/**
 * The time arithmetic of a backfill, pure. A backfill of `[from, to)` produces the final record of every window
 * whose last millisecond lies in `[from, to)`, i.e. `from < windowEnd ≤ to`, so consecutive backfills `[a, b)`
 * and `[b, c)` cover every window exactly once. Windows that start before `from` are in (they end after it) and
 * need events from before `from`: the *warm-up*.
 *
 * Why the replay then equals the live run, window for window: Kafka answers "earliest offset whose timestamp
 * is ≥ t" exactly, and Freshet's producers stamp records with the event time. Reading a partition from the
 * offset of `from − warm-up` (warm-up = the longest window plus grace) therefore reads every event of every
 * kept window, and, since every earlier record is older than the first one read, the partition's watermark is
 * the live one from that first record on; so lateness decisions agree too. Reading through the first record
 * stamped `to + grace` moves the watermark past every kept window's end + grace, so each kept window closes on
 * the same record as it did live. What differs from live: the wall-clock idle advance (a live partition that
 * went quiet closes its windows early; a replay never does), and session windows reaching back further than
 * `sessionHorizonMs`.
 */

/** How far back an open session window may reach: the live engine's replay horizon for sessions (6 h). */
export const SESSION_HORIZON_MS = 6 * 60 * 60_000

/**
 * How far before `from` a replay of these views starts reading: the longest window (session windows: the
 * session horizon) plus grace, over the views. The same horizon the live engine replays from after a restart.
 *
 * @example
 * warmupMs([carMotion]) // 15 min + 30 s grace = 930_000
 */
export function warmupMs(views: readonly AnyFeatureView[], sessionHorizonMs = SESSION_HORIZON_MS): number {
  let ms = 0
  for (const view of views) {
    for (const w of view.windows) {
      ms = Math.max(ms, view.graceMs + (w.kind === 'session' ? sessionHorizonMs : w.sizeMs))
    }
  }
  return ms
}

/**
 * The event time that closes every window ending at or before `to`: `to` plus the largest grace of the views.
 *
 * @example
 * closeTime([carMotion], Date.parse('2026-11-08T00:00Z')) // 2026-11-08T00:00:30Z
 */
export function closeTime(views: readonly AnyFeatureView[], to: number): number {
  return to + Math.max(0, ...views.map((v) => v.graceMs))
}

/**
 * Whether a record belongs to the backfill of `[from, to)`: a final record whose window's last millisecond
 * lies in the range. Partials (`updating` views) never do: the final record of their window supersedes them.
 *
 * @example
 * inBackfillRange(record, Date.parse('2026-11-01T00:00Z'), Date.parse('2026-11-08T00:00Z'))
 */
export function inBackfillRange(
  record: Pick<FeatureRecord, 'final' | 'windowEnd'>,
  from: number,
  to: number,
): boolean {
  return record.final && record.windowEnd > from && record.windowEnd <= to
}

/** What the broker said about one partition, for {@link planRange}. */
export interface PartitionOffsets {
  partition: number
  /** Earliest offset stamped ≥ `from − warm-up` (the end offset when none is). */
  warmup: string
  /** Earliest offset stamped ≥ `to + grace` (the end offset when none is). */
  close: string
  /** End offset (high watermark) when the plan was made: nothing after it is read. */
  end: string
}

/** The offsets one partition is replayed over. */
export interface PlannedRange {
  partition: number
  /** First offset read: the warm-up start. */
  start: string
  /**
   * One past the record that closes the range (`closed`), else the end offset: what progress counts towards.
   * Reading stops here once the watermark has closed the range.
   */
  end: string
  /** Never read at or past this offset (the end offset at planning time). */
  limit: string
  /** Whether the partition holds a record stamped `to + grace` or later, so every kept window closes by data. */
  closed: boolean
}

/**
 * The range of one partition. A partition whose data stops before `to + grace` is read to its end and only the
 * windows its data closed are emitted: a window still open is the live engine's to finish (emitting it early
 * would store a "final" record missing events that may still come, and the online store's compare-and-set
 * would keep it over the true one at the same window end).
 *
 * @example
 * planRange({ partition: 0, warmup: '120', close: '4800', end: '9000' })
 * // { partition: 0, start: '120', end: '4801', limit: '9000', closed: true }
 */
export function planRange(offsets: PartitionOffsets): PlannedRange {
  const end = BigInt(offsets.end)
  const min = (a: bigint, b: bigint) => (a < b ? a : b)
  const start = min(BigInt(offsets.warmup), end)
  const close = BigInt(offsets.close)
  const closed = close < end
  return {
    partition: offsets.partition,
    start: start.toString(),
    end: (closed ? close + 1n : end).toString(),
    limit: end.toString(),
    closed,
  }
}

/**
 * Offsets a range spans (what progress counts towards).
 *
 * @example
 * rangeSize({ start: '120', end: '4801' }) // 4681
 */
export function rangeSize(range: Pick<PlannedRange, 'start' | 'end'>): number {
  const n = BigInt(range.end) - BigInt(range.start)
  return n > 0n ? Number(n) : 0
}

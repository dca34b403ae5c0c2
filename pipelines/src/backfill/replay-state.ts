/**
 * What a backfill child saves after each batch: a resume point (the checkpoint, kept in the child job's data)
 * and the progress users see (the job's progress). Both are JSON; −∞ watermarks travel as null.
 */

/**
 * Resume point of a `partition` task, the live engine's checkpoint idea (engine/checkpoint.ts) applied to a
 * replay: window state is not saved; a restarted child re-reads from `replayFrom` (the processor's replay
 * horizon: the earliest record an open window still needs) with output suppressed below `hi`, which rebuilds
 * every open window exactly because processing is deterministic. Output then continues as if uninterrupted.
 */
export interface PartitionCheckpoint {
  kind: 'partition'
  replayFrom: string
  /** Next offset after the last record whose output was written. */
  hi: string
  /** Watermark then; null before any event. */
  wm: number | null
  counts: ReplayCounts
}

/**
 * Resume point of a `merge` task. Its state spans every partition (open windows per partition plus unmerged
 * partials), so a restart re-reads the task's ranges from their starts and suppresses the merged windows
 * already written: exactly those closing at or below `mergeWm`, since a window's close is decided by data,
 * not by how partitions interleaved. `positions` keep event counts from counting a record twice.
 */
export interface MergeCheckpoint {
  kind: 'merge'
  mergeWm: number | null
  /** Per partition: records before this offset are already counted. */
  positions: Record<string, string>
  counts: ReplayCounts
}

export type ReplayCheckpoint = PartitionCheckpoint | MergeCheckpoint

/** What a child has done so far, each record counted once however often it was re-read. */
export interface ReplayCounts {
  /** Records read per partition (warm-up included). */
  events: Record<string, number>
  /** Feature records written (in range, final). */
  written: number
  /** Events that came after all their windows had closed (the live engine sent these to the late topic). */
  late: number
  /** Undecodable or invalid events (the live engine dead-lettered these; a backfill only counts them). */
  deadLetters: number
}

/** One partition's share of a child's progress. */
export interface RangeProgress {
  partition: number
  /** First offset of the range (warm-up start). */
  start: string
  /** Where progress is counted to (see `PlannedRange.end`). */
  end: string
  /** Next offset to read. */
  position: string
  /** Records read. */
  events: number
  done: boolean
}

/** A child job's progress (`job.progress`). */
export interface TaskProgress {
  ranges: RangeProgress[]
  written: number
  late: number
  deadLetters: number
  /** Events per second of the current attempt. */
  eventsPerS: number
  /** When the current attempt started (epoch ms). */
  startedAt: number
  updatedAt: number
}

export function emptyCounts(): ReplayCounts {
  return { events: {}, written: 0, late: 0, deadLetters: 0 }
}

/** JSON has no −∞. */
export function toJsonWatermark(wm: number): number | null {
  return Number.isFinite(wm) ? wm : null
}

export function fromJsonWatermark(wm: number | null | undefined): number {
  return wm ?? Number.NEGATIVE_INFINITY
}

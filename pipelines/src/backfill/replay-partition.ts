import type { AnyFeatureView, FeatureRecord } from '@freshet/feature-store'
import { PartitionProcessor } from '../engine/partition-processor.js'
import type { ConsumedRecord, KafkaBackbone } from '../kafka/kafka.js'
import type { BackfillTask } from './planner.js'
import { processThroughEnd, splitAt } from './range-batch.js'
import { inBackfillRange } from './range-math.js'
import {
  emptyCounts,
  fromJsonWatermark,
  type PartitionCheckpoint,
  type ReplayCheckpoint,
  type ReplayCounts,
  type TaskProgress,
  toJsonWatermark,
} from './replay-state.js'

/** What a replay needs besides the task: where records go, where state goes, and when to stop. */
export interface ReplayOptions {
  kafka: Pick<KafkaBackbone, 'readRanges'>
  task: BackfillTask
  /** The task's views (`task.views` resolved). */
  views: readonly AnyFeatureView[]
  from: number
  to: number
  /** Writes one batch's records to the target stores; resolves once they are stored. */
  write(records: readonly FeatureRecord[]): Promise<void>
  /** Saves the resume point and progress after each batch's records were written. */
  save(checkpoint: ReplayCheckpoint, progress: TaskProgress): Promise<void>
  /** A previous attempt's resume point. */
  checkpoint?: ReplayCheckpoint | undefined
  /** Aborting stops the replay between batches (cancel, shutdown); it then resolves `cancelled`. */
  signal?: AbortSignal
  /** Fetch size per partition. Default 4 MB, as the live engine. */
  maxBytesPerPartition?: number
  now?: () => number
}

export interface ReplayResult {
  outcome: 'completed' | 'cancelled'
  counts: ReplayCounts
}

export const DEFAULT_REPLAY_FETCH_BYTES = 4 * 1024 * 1024

/**
 * Replays one input partition for a `partition` task: reads its planned range with a consumer of its own,
 * runs the views through the live engine's `PartitionProcessor` (same decode, same windows, same watermark
 * rule), keeps the final records whose window ends in `(from, to]` and writes them, one batch at a time; after
 * each batch the resume point and progress are saved. Late events and dead letters are counted, not
 * republished (the live engine published them).
 *
 * Resuming from a checkpoint re-reads from its replay horizon with output suppressed below `hi`, as the live
 * engine does after a crash, so the records written are those of an uninterrupted run.
 *
 * @example
 * const result = await replayPartition({ kafka, task, views, from, to, write, save, checkpoint, signal })
 */
export async function replayPartition(options: ReplayOptions): Promise<ReplayResult> {
  const { task, from, to, signal } = options
  const range = task.ranges[0]
  if (task.kind !== 'partition' || range === undefined || task.ranges.length !== 1) {
    throw new Error(`replayPartition runs partition tasks with one range, got ${task.kind} ${task.key}`)
  }
  const now = options.now ?? Date.now
  const startedAt = now()
  const resumed = options.checkpoint?.kind === 'partition' ? options.checkpoint : undefined
  const counts = resumed?.counts ?? emptyCounts()
  const key = String(range.partition)
  const eventsAtStart = counts.events[key] ?? 0
  const processor = new PartitionProcessor(options.views)
  const end = BigInt(range.end)
  let hi = BigInt(resumed?.hi ?? range.start)
  let replay: PartitionCheckpoint | undefined = resumed
  let position = hi
  let done = false

  const progress = (): TaskProgress => {
    const elapsedS = Math.max(0.001, (now() - startedAt) / 1000)
    const events = counts.events[key] ?? 0
    return {
      ranges: [
        {
          partition: range.partition,
          start: range.start,
          end: range.end,
          position: String(position),
          events,
          done,
        },
      ],
      written: counts.written,
      late: counts.late,
      deadLetters: counts.deadLetters,
      eventsPerS: Math.round((events - eventsAtStart) / elapsedS),
      startedAt,
      updatedAt: now(),
    }
  }

  const onBatch = async (records: readonly ConsumedRecord[]): Promise<boolean> => {
    if (signal?.aborted) return true
    let live = records
    if (replay !== undefined) {
      const { wm } = replay
      const cut = splitAt(records, hi)
      const replayed = records.slice(0, cut)
      live = records.slice(cut)
      processor.process(replayed) // written before the restart
      if (live.length === 0 && BigInt(records.at(-1)!.offset) + 1n < hi) return false
      processor.advanceTo(fromJsonWatermark(wm)) // a no-op unless the watermark was ahead; its output was written
      replay = undefined
    }
    if (live.length === 0) return false
    const { out, consumed } = processThroughEnd(processor, live, end, task.closeAt)
    const keep = out.features.filter((f) => inBackfillRange(f, from, to))
    await options.write(keep)
    counts.events[key] = (counts.events[key] ?? 0) + consumed.length
    counts.written += keep.length
    counts.late += out.late.length
    counts.deadLetters += out.deadLetters.length
    const next = BigInt(consumed.at(-1)!.offset) + 1n
    hi = next
    position = next
    done = next >= end && processor.watermark >= task.closeAt
    const checkpoint: PartitionCheckpoint = {
      kind: 'partition',
      replayFrom: processor.replayFrom() ?? String(next),
      hi: String(next),
      wm: toJsonWatermark(processor.watermark),
      counts,
    }
    await options.save(checkpoint, progress())
    return done
  }

  if (BigInt(range.start) >= BigInt(range.limit)) {
    done = true
    await options.save(
      { kind: 'partition', replayFrom: range.start, hi: range.start, wm: null, counts },
      progress(),
    )
    return { outcome: 'completed', counts }
  }
  const reader = await options.kafka.readRanges({
    topic: task.topic,
    ranges: [{ partition: range.partition, from: resumed?.replayFrom ?? range.start, to: range.limit }],
    maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_REPLAY_FETCH_BYTES,
    onBatch,
  })
  try {
    if ((await untilDoneOrAborted(reader.done, signal)) === 'aborted') return { outcome: 'cancelled', counts }
  } finally {
    await reader.stop()
  }
  // The range may end in transaction markers or records the reader skipped: the reader knows where it got to.
  const reached = BigInt(reader.position(range.partition) ?? '0')
  if (reached > position) position = reached
  done = true
  await options.save(
    {
      kind: 'partition',
      replayFrom: processor.replayFrom() ?? String(position),
      hi: String(hi),
      wm: toJsonWatermark(processor.watermark),
      counts,
    },
    progress(),
  )
  return { outcome: 'completed', counts }
}

/** Resolves when `done` does, or with 'aborted' as soon as the signal fires (rejections pass through). */
export async function untilDoneOrAborted(
  done: Promise<void>,
  signal: AbortSignal | undefined,
): Promise<'done' | 'aborted'> {
  if (signal === undefined) {
    await done
    return 'done'
  }
  if (signal.aborted) return 'aborted'
  let onAbort: () => void = () => {}
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([done.then(() => 'done' as const), aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

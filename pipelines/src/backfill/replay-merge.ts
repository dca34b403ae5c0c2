import type { FeatureRecord } from '@freshet/feature-store'
import { PartitionProcessor } from '../engine/partition-processor.js'
import { ViewMerger } from '../engine/view-merger.js'
import type { ConsumedRecord } from '../kafka/kafka.js'
import { processThroughEnd, splitAt } from './range-batch.js'
import { inBackfillRange } from './range-math.js'
import {
  DEFAULT_REPLAY_FETCH_BYTES,
  type ReplayOptions,
  type ReplayResult,
  untilDoneOrAborted,
} from './replay-partition.js'
import {
  emptyCounts,
  fromJsonWatermark,
  type MergeCheckpoint,
  type RangeProgress,
  type TaskProgress,
  toJsonWatermark,
} from './replay-state.js'

/**
 * Replays a `merge` task: the repartitioned views of one topic (zones over car-keyed telemetry), over every
 * partition at once, in two phases exactly like the live engine: a `PartitionProcessor` per input partition
 * closes windows by that partition's watermark and yields its partial states, and a `ViewMerger` per view
 * merges them by key and closes a window once the slowest partition's watermark has passed it. Merging is
 * exact and order-free, so the values equal the live merge phase's, however the partitions interleave.
 *
 * Partitions with nothing to read in the range do not hold the merge back (the live merge phase releases
 * inputs that never report after its idle timeout). A merged record's `watermark` is set to its window's end
 * plus grace, the earliest watermark that closes it: the live merge watermark depends on how partitions
 * interleave, and a replay's output must not (the offline store derives availability from it).
 *
 * On a restart the task re-reads its ranges from their starts and writes only the windows that close above the
 * checkpoint's merge watermark (see `MergeCheckpoint`).
 *
 * @example
 * const result = await replayMerge({ kafka, task, views: [zoneTraffic], from, to, write, save, signal })
 */
export async function replayMerge(options: ReplayOptions): Promise<ReplayResult> {
  const { task, from, to, signal, views } = options
  if (task.kind !== 'merge') throw new Error(`replayMerge runs merge tasks, got ${task.kind} ${task.key}`)
  const now = options.now ?? Date.now
  const startedAt = now()
  const resumed = options.checkpoint?.kind === 'merge' ? options.checkpoint : undefined
  const counts = resumed?.counts ?? emptyCounts()
  const writtenWm = fromJsonWatermark(resumed?.mergeWm)
  const counted = new Map(Object.entries(resumed?.positions ?? {}).map(([p, o]) => [Number(p), BigInt(o)]))
  const eventsAtStart = Object.values(counts.events).reduce((n, e) => n + e, 0)
  const graceOf = new Map(views.map((v) => [v.ref, v.graceMs]))
  const mergers = new Map(views.map((v) => [v.ref, new ViewMerger(v)]))
  const ranges = new Map(task.ranges.map((r) => [r.partition, r]))
  const active = task.ranges.filter((r) => BigInt(r.start) < BigInt(r.limit)).map((r) => r.partition)
  const processors = new Map(active.map((p) => [p, new PartitionProcessor(views)]))
  const positions = new Map(task.ranges.map((r) => [r.partition, BigInt(r.start)]))
  const finished = new Set(task.ranges.filter((r) => !active.includes(r.partition)).map((r) => r.partition))
  let mergeWm = Number.NEGATIVE_INFINITY

  const progress = (): TaskProgress => {
    const elapsedS = Math.max(0.001, (now() - startedAt) / 1000)
    const rangeProgress: RangeProgress[] = task.ranges.map((r) => ({
      partition: r.partition,
      start: r.start,
      end: r.end,
      position: String(maxBig(positions.get(r.partition) ?? 0n, counted.get(r.partition) ?? 0n)),
      events: counts.events[String(r.partition)] ?? 0,
      done: finished.has(r.partition),
    }))
    const events = Object.values(counts.events).reduce((n, e) => n + e, 0)
    return {
      ranges: rangeProgress,
      written: counts.written,
      late: counts.late,
      deadLetters: counts.deadLetters,
      eventsPerS: Math.round((events - eventsAtStart) / elapsedS),
      startedAt,
      updatedAt: now(),
    }
  }

  const checkpoint = (): MergeCheckpoint => ({
    kind: 'merge',
    mergeWm: toJsonWatermark(Math.max(mergeWm, writtenWm)),
    positions: Object.fromEntries(
      task.ranges.map((r) => [
        String(r.partition),
        String(maxBig(positions.get(r.partition) ?? 0n, counted.get(r.partition) ?? 0n)),
      ]),
    ),
    counts,
  })

  const onBatch = async (records: readonly ConsumedRecord[]): Promise<boolean> => {
    if (signal?.aborted) return true
    const partition = records[0]!.partition
    const range = ranges.get(partition)!
    const processor = processors.get(partition)!
    const end = BigInt(range.end)
    const { out, consumed } = processThroughEnd(processor, records, end, task.closeAt)
    for (const partial of out.partials) mergers.get(partial.view)!.add(partial)
    // Count each record once across restarts (a restarted merge task re-reads its ranges).
    const seen = counted.get(partition) ?? 0n
    const fresh = (offset: string) => BigInt(offset) >= seen
    const key = String(partition)
    counts.events[key] = (counts.events[key] ?? 0) + consumed.length - splitAt(consumed, seen)
    counts.late += out.late.filter((l) => fresh(l.record.offset)).length
    counts.deadLetters += out.deadLetters.filter((d) => fresh(d.record.offset)).length
    const next = BigInt(consumed.at(-1)!.offset) + 1n
    positions.set(partition, next)
    const done = next >= end && processor.watermark >= task.closeAt
    if (done) finished.add(partition)

    const slowest = Math.min(...active.map((p) => processors.get(p)!.watermark))
    const keep: FeatureRecord[] = []
    if (slowest > mergeWm) {
      mergeWm = slowest
      for (const merger of mergers.values()) {
        for (const record of merger.advance(slowest)) {
          const closesAt = record.windowEnd + (graceOf.get(`${record.view}:v${record.version}`) ?? 0)
          if (closesAt <= writtenWm || !inBackfillRange(record, from, to)) continue
          keep.push({ ...record, watermark: closesAt })
        }
      }
    }
    await options.write(keep)
    counts.written += keep.length
    await options.save(checkpoint(), progress())
    return done
  }

  if (active.length > 0) {
    const reader = await options.kafka.readRanges({
      topic: task.topic,
      ranges: task.ranges
        .filter((r) => active.includes(r.partition))
        .map((r) => ({ partition: r.partition, from: r.start, to: r.limit })),
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_REPLAY_FETCH_BYTES,
      onBatch,
    })
    try {
      if ((await untilDoneOrAborted(reader.done, signal)) === 'aborted')
        return { outcome: 'cancelled', counts }
    } finally {
      await reader.stop()
    }
    for (const p of active) {
      const reached = BigInt(reader.position(p) ?? '0')
      if (reached > (positions.get(p) ?? 0n)) positions.set(p, reached)
      finished.add(p)
    }
  }
  await options.save(checkpoint(), progress())
  return { outcome: 'completed', counts }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}

import type { AnyFeatureView } from '@freshet/feature-store'
import type { KafkaBackbone } from '../kafka/kafka.js'
import { closeTime, type PlannedRange, planRange, warmupMs } from './range-math.js'

/**
 * One child job of a backfill. `partition` tasks replay one input partition for every requested view of its
 * topic that is keyed like the topic (one read serves them all, as in the live engine). A `merge` task replays
 * every partition of a topic for its repartitioned views (zones over car-keyed telemetry): their windows need
 * every partition's partials, merged by key as the live merge phase does, so they cannot be split per partition.
 */
export interface BackfillTask {
  /** Unique within the plan, part of the child job id: `0.3` (topic 0, partition 3), `0.merge`. */
  key: string
  kind: 'partition' | 'merge'
  topic: string
  /** View refs the task runs. */
  views: string[]
  /** Event time that closes every window of the range: `to` plus the largest grace. */
  closeAt: number
  /** One range (`partition`) or one per partition of the topic (`merge`). */
  ranges: PlannedRange[]
}

/** What a backfill's parent job resolved its time range to. */
export interface BackfillPlan {
  from: number
  to: number
  tasks: BackfillTask[]
  plannedAt: number
}

export interface PlanBackfillOptions {
  kafka: Pick<KafkaBackbone, 'endOffsets' | 'offsetsForTimestamp'>
  views: readonly AnyFeatureView[]
  from: number
  to: number
  now?: () => number
}

/**
 * Resolves a backfill's time range to offset ranges: per input partition, from the offset of
 * `from − warm-up` to one past the offset of `to + grace` (see range-math.ts), using the broker's
 * offsets-for-timestamps lookup. End offsets are read first, so a record produced while planning is never half
 * in a plan.
 *
 * @example
 * const plan = await planBackfill({ kafka, views: [carMotionV2], from, to })
 * // plan.tasks: one `partition` task per partition of car.telemetry.v1
 */
export async function planBackfill(options: PlanBackfillOptions): Promise<BackfillPlan> {
  const { kafka, views, from, to } = options
  const byTopic = new Map<string, AnyFeatureView[]>()
  for (const view of views) byTopic.set(view.source.topic, [...(byTopic.get(view.source.topic) ?? []), view])
  const tasks: BackfillTask[] = []
  for (const [index, [topic, topicViews]] of [...byTopic].entries()) {
    const ends = await kafka.endOffsets(topic)
    const lookups = new Map<number, Promise<{ partition: number; offset: string }[]>>()
    const offsetsAt = (ts: number) => {
      let lookup = lookups.get(ts)
      if (lookup === undefined) {
        lookup = kafka.offsetsForTimestamp(topic, ts)
        lookups.set(ts, lookup)
      }
      return lookup
    }
    const rangesFor = async (group: readonly AnyFeatureView[]): Promise<PlannedRange[]> => {
      const [warmup, close] = await Promise.all([
        // Negative timestamps mean "earliest"/"latest" to the broker: clamp, 0 already finds the first record.
        offsetsAt(Math.max(0, from - warmupMs(group))),
        offsetsAt(closeTime(group, to)),
      ])
      return ends.map(({ partition, offset: end }) =>
        planRange({
          partition,
          end,
          warmup: warmup.find((o) => o.partition === partition)?.offset ?? end,
          close: close.find((o) => o.partition === partition)?.offset ?? end,
        }),
      )
    }
    const keyed = topicViews.filter((v) => !v.repartition)
    const merged = topicViews.filter((v) => v.repartition)
    if (keyed.length > 0) {
      for (const range of await rangesFor(keyed)) {
        tasks.push({
          key: `${index}.${range.partition}`,
          kind: 'partition',
          topic,
          views: keyed.map((v) => v.ref),
          closeAt: closeTime(keyed, to),
          ranges: [range],
        })
      }
    }
    if (merged.length > 0) {
      tasks.push({
        key: `${index}.merge`,
        kind: 'merge',
        topic,
        views: merged.map((v) => v.ref),
        closeAt: closeTime(merged, to),
        ranges: await rangesFor(merged),
      })
    }
  }
  return { from, to, tasks, plannedAt: (options.now ?? Date.now)() }
}

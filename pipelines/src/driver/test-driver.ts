import { type AnyFeatureView, FreshetError } from '@freshet/feature-store'
import type { AnyAbsencePattern } from '../cep/absence-pattern.js'
import type { AlertRecord } from '../cep/alert-record.js'
import { append } from '../engine/append.js'
import type { DeadLetter, LateEvent } from '../engine/dead-letter.js'
import type { FeatureRecord } from '../engine/feature-record.js'
import { PartitionProcessor, type ProcessorOutput } from '../engine/partition-processor.js'
import { ViewMerger } from '../engine/view-merger.js'
import type { WindowPartial } from '../engine/window-partial.js'
import { type EventSchema, eventSchemas } from '../events/event-schema.js'
import { type TopicSpec, topicCatalog } from '../topics/catalog.js'
import { type DriverInput, type PlacedRecord, RecordPlacer } from './driver-input.js'

export interface TestDriverOptions {
  /** Views to run; views reading the same topic share one processor per partition, as in the runtime. */
  views: readonly AnyFeatureView[]
  /** Complex-event patterns to run beside the views (absence alerts). */
  patterns?: readonly AnyAbsencePattern[]
  /** Inputs in production order; inputs for topics no view reads are ignored (see `ignored`). */
  events: Iterable<DriverInput>
  /** Partitions of the input topics: one count for all, or per topic. Default: the topic catalog's. */
  partitions?: number | Readonly<Record<string, number>>
  /**
   * Records per `process()` call, like one consumer fetch of a partition. Default 500. Final records do
   * not depend on it; `updating` partials do, as they do live.
   */
  batchSize?: number
  /** Schemas messages may name. Default: every schema Freshet knows. */
  schemas?: ReadonlyMap<string, EventSchema>
  /** Where default partition counts come from. Default: the topic catalog. */
  topics?: readonly TopicSpec[]
}

/** A dead letter, and which input it came from. */
export interface DriverDeadLetter extends DeadLetter {
  input: number
}

/** A late event, and which input it came from. */
export interface DriverLateEvent extends LateEvent {
  input: number
}

/**
 * A window that more than one partition produced a final record for: the view aggregates by something other
 * than the message key (a zone over car-keyed telemetry) but is not declared `repartition: true`, so each
 * partition saw only part of the window. A definition bug this report makes visible.
 */
export interface SplitWindow {
  id: string
  partitions: number[]
}

export interface TestDriverResult {
  /** By view, version, entity, window, window start (then end, partials first, partition). */
  features: FeatureRecord[]
  /** Pattern alerts, by event time, then key, then kind. */
  alerts: AlertRecord[]
  /** In input order. */
  late: DriverLateEvent[]
  /** In input order. */
  deadLetters: DriverDeadLetter[]
  /** Windows computed piecewise on several partitions; empty for views keyed like their topic. */
  splitWindows: SplitWindow[]
  /** Indices of inputs whose topic no view reads. */
  ignored: number[]
  /** Partition count used per input topic. */
  partitions: Record<string, number>
}

const DEFAULT_BATCH_SIZE = 500

/**
 * Runs feature views over a finite list of events exactly as the live engine would, without Kafka: like
 * Kafka Streams' TopologyTestDriver. Events are encoded as the producers encode them, placed on partitions
 * by the producers' murmur2 partitioner, and fed to one `PartitionProcessor` per partition in offset order;
 * repartitioned views then merge every partition's partial windows by key (`ViewMerger`), as the live merge
 * phase does.
 * At the end of input every window is closed (`advanceTo(+∞)`), so every window with an event yields its
 * final record. Deterministic: the same inputs and options give the same result, and final records do not
 * depend on `batchSize`. The `watermark` field of a record does depend on the partition count (it is the
 * watermark of the partition that closed the window), so compare ids and features across partitionings.
 *
 * Differences from live: no idle-partition advancement by the wall clock (nothing is idle in a finite
 * input), no `processedAt`, and key-less records round-robin from partition 0.
 *
 * @example
 * const { features, deadLetters } = runTestDriver({
 *   views: [carMotion],
 *   events: [{ schema: 'car_telemetry', event: sample }],
 * })
 */
export function runTestDriver(options: TestDriverOptions): TestDriverResult {
  const { views } = options
  if (views.length === 0) throw new FreshetError('CONFIG_INVALID', 'runTestDriver needs at least one view')
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new FreshetError('CONFIG_INVALID', `batchSize must be a positive integer, got ${batchSize}`)
  }
  const schemas = options.schemas ?? eventSchemas
  const patterns = options.patterns ?? []
  const viewsByTopic = new Map<string, AnyFeatureView[]>()
  for (const view of views) {
    viewsByTopic.set(view.source.topic, [...(viewsByTopic.get(view.source.topic) ?? []), view])
  }
  for (const p of patterns) if (!viewsByTopic.has(p.source.topic)) viewsByTopic.set(p.source.topic, [])
  const partitions = partitionCounts([...viewsByTopic.keys()], options)

  const placer = new RecordPlacer({
    views: [...views, ...patterns],
    schemas,
    partitionsOf: (topic) => partitions[topic]!,
  })
  const logs = new Map<string, PlacedRecord[]>()
  const ignored: number[] = []
  let index = 0
  for (const input of options.events) {
    const placed = placer.place(input, index)
    if (placed === undefined) ignored.push(index)
    else {
      const log = `${placed.record.topic}/${placed.record.partition}`
      const records = logs.get(log)
      if (records) records.push(placed)
      else logs.set(log, [placed])
    }
    index++
  }

  const features: Tagged[] = []
  const late: DriverLateEvent[] = []
  const deadLetters: DriverDeadLetter[] = []
  const partials: WindowPartial[] = []
  const alerts: AlertRecord[] = []
  for (const [topic, topicViews] of viewsByTopic) {
    for (let partition = 0; partition < partitions[topic]!; partition++) {
      const log = logs.get(`${topic}/${partition}`) ?? []
      const inputOf = new Map(log.map((p) => [p.record, p.input]))
      const collect = (out: ProcessorOutput) => {
        for (const record of out.features) features.push({ record, partition, seq: features.length })
        for (const l of out.late) late.push({ ...l, input: inputOf.get(l.record)! })
        for (const d of out.deadLetters) deadLetters.push({ ...d, input: inputOf.get(d.record)! })
        append(partials, out.partials)
        append(alerts, out.alerts)
      }
      const topicPatterns = patterns.filter((p) => p.source.topic === topic)
      const processor = new PartitionProcessor(topicViews, { schemas, patterns: topicPatterns })
      for (let i = 0; i < log.length; i += batchSize) {
        collect(processor.process(log.slice(i, i + batchSize).map((p) => p.record)))
      }
      collect(processor.advanceTo(Number.POSITIVE_INFINITY))
    }
  }

  // Repartitioned views: the merge phase, as live, over every partition's partials; at the end of input every
  // partition's watermark is +∞, so every window closes.
  for (const view of views.filter((v) => v.repartition)) {
    const merger = new ViewMerger(view)
    for (const partial of partials) if (partial.view === view.ref) merger.add(partial)
    for (const record of merger.advance(Number.POSITIVE_INFINITY)) {
      features.push({ record, partition: -1, seq: features.length })
    }
  }

  features.sort(compareTagged)
  // Stable sorts: several views may dead-letter or flag the same input, in view order.
  late.sort((a, b) => a.input - b.input)
  deadLetters.sort((a, b) => a.input - b.input)
  alerts.sort(
    (a, b) => a.eventTime - b.eventTime || compareStrings(a.key, b.key) || compareStrings(a.kind, b.kind),
  )
  return {
    features: features.map((t) => t.record),
    alerts,
    late,
    deadLetters,
    splitWindows: splitWindows(features),
    ignored,
    partitions,
  }
}

interface Tagged {
  record: FeatureRecord
  partition: number
  seq: number
}

function partitionCounts(topics: readonly string[], options: TestDriverOptions): Record<string, number> {
  const catalog = options.topics ?? topicCatalog
  const counts: Record<string, number> = {}
  for (const topic of topics) {
    const given = options.partitions
    const count =
      typeof given === 'number'
        ? given
        : (given?.[topic] ?? catalog.find((spec) => spec.name === topic)?.partitions)
    if (count === undefined) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `topic ${topic} is not in the topic catalog: pass its partition count in options.partitions`,
      )
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new FreshetError(
        'CONFIG_INVALID',
        `topic ${topic}: partitions must be a positive integer, got ${count}`,
      )
    }
    counts[topic] = count
  }
  return counts
}

// Code-unit order, not localeCompare: the same on every machine.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareTagged(x: Tagged, y: Tagged): number {
  const a = x.record
  const b = y.record
  return (
    compareStrings(a.view, b.view) ||
    a.version - b.version ||
    compareStrings(a.entity, b.entity) ||
    compareStrings(a.window, b.window) ||
    a.windowStart - b.windowStart ||
    a.windowEnd - b.windowEnd ||
    Number(a.final) - Number(b.final) ||
    x.partition - y.partition ||
    x.seq - y.seq
  )
}

function splitWindows(features: readonly Tagged[]): SplitWindow[] {
  const byId = new Map<string, Set<number>>()
  for (const { record, partition } of features) {
    if (!record.final) continue
    const seen = byId.get(record.id) ?? new Set<number>()
    seen.add(partition)
    byId.set(record.id, seen)
  }
  return [...byId]
    .filter(([, seen]) => seen.size > 1)
    .map(([id, seen]) => ({ id, partitions: [...seen].sort((a, b) => a - b) }))
}

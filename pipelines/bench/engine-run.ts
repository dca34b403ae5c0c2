import { randomUUID } from 'node:crypto'
import type { AnyFeatureView } from '@freshet/feature-store'
import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import { repartitionTopicName } from '../src/engine/repartition.js'
import {
  createEngineMetrics,
  type FeatureEngineOptions,
  type KafkaBackbone,
  startFeatureEngine,
} from '../src/index.js'
import { cpuSince, type RunResult, runResult, waitForCount } from './measure.js'

export type Guarantee = NonNullable<FeatureEngineOptions['guarantee']>

/** Where a bench engine writes, so it never touches the catalog's feature, late or dead-letter topics. */
export interface EngineOutputs {
  featureTopic: (view: AnyFeatureView) => string
  lateTopic: string
  deadLetterTopic: string
}

export interface EngineRunOptions {
  kafka: KafkaBackbone
  /** Views over one source topic: `topic`. */
  views: readonly AnyFeatureView[]
  topic: string
  events: number
  guarantee: Guarantee
  outputs: EngineOutputs
  maxBytesPerPartition: number
  logger: Logger
  onProgress?: (count: number) => void
}

export interface EngineRunResult extends RunResult {
  /** Late events and dead letters the run published; a clean prefill has none, so non-zero is a red flag. */
  late: number
  deadLettered: number
}

type Counter = { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }

/** Sum of a counter's series, or of those whose `topic` label is `topic`. */
async function total(counter: Counter, topic?: string): Promise<number> {
  const { values } = await counter.get()
  return values.reduce((n, v) => (topic === undefined || v.labels.topic === topic ? n + v.value : n), 0)
}

/**
 * Runs the feature engine over the whole topic with a fresh application id (consumer group, transactional ids,
 * repartition topics), timing it with its own `freshet_engine_events_total` counter on the source topic, which
 * counts records whose output and offset were committed. Merge phases of repartitioned views (a few partials
 * and watermarks per batch) may still be finishing when the count is reached.
 *
 * @example
 * const r = await runEngine({ kafka, views, events, guarantee: 'exactly-once', outputs, maxBytesPerPartition, logger })
 */
export async function runEngine(options: EngineRunOptions): Promise<EngineRunResult> {
  const { kafka, events, outputs, topic } = options
  const metrics = createEngineMetrics(new Registry())
  const applicationId = `bench-${options.guarantee}-${randomUUID().slice(0, 8)}`
  const internalTopics = options.views
    .filter((view) => view.repartition)
    .map((view) => repartitionTopicName(applicationId, view))
  // The engine creates its repartition topics before it can fail to start: drop them whatever happens.
  const dropInternal = () =>
    internalTopics.length === 0 ? Promise.resolve() : kafka.deleteTopics(internalTopics).catch(() => {})
  const startAt = performance.now()
  const engine = await startFeatureEngine({
    kafka,
    views: options.views,
    applicationId,
    guarantee: options.guarantee,
    featureTopic: outputs.featureTopic,
    lateTopic: outputs.lateTopic,
    deadLetterTopic: outputs.deadLetterTopic,
    maxBytesPerPartition: options.maxBytesPerPartition,
    logger: options.logger,
    metrics,
  }).catch(async (err: unknown) => {
    await dropInternal()
    throw err
  })
  try {
    await engine.started
    const joinedAt = performance.now()
    const cpuAtJoin = process.cpuUsage()
    const doneAt = await waitForCount(
      () => total(metrics.eventsProcessed, topic),
      events,
      options.onProgress ? { onProgress: options.onProgress } : {},
    )
    return {
      ...runResult(events, startAt, joinedAt, doneAt, cpuSince(cpuAtJoin)),
      late: await total(metrics.lateEvents),
      deadLettered: await total(metrics.deadLettered),
    }
  } finally {
    await engine.stop()
    await dropInternal()
  }
}

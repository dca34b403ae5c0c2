import type { AnyFeatureView } from '@freshet/feature-store'
import type { Logger } from 'pino'
import type { AnyAbsencePattern } from '../cep/absence-pattern.js'
import { alertRecordMessage } from '../cep/alert-record.js'
import type {
  CommittedOffset,
  ConsumedRecord,
  KafkaBackbone,
  OutgoingRecord,
  RecordConsumer,
  RecordProducer,
} from '../kafka/kafka.js'
import { featureTopicSpec, TOPICS } from '../topics/catalog.js'
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.js'
import { deadLetterRecord, lateEventRecord } from './dead-letter.js'
import { featureRecordMessage, featureTopicName } from './feature-record.js'
import { MergeProcessor } from './merge-processor.js'
import type { EngineMetrics } from './metrics.js'
import { PartitionProcessor, type ProcessorOutput } from './partition-processor.js'
import {
  partialMessage,
  REPARTITION_PARTITIONS,
  repartitionTopicName,
  repartitionTopicSpec,
  watermarkMessages,
} from './repartition.js'

export interface FeatureEngineOptions {
  kafka: KafkaBackbone
  views: readonly AnyFeatureView[]
  /** Complex-event patterns (absence alerts), run beside the views of their source topic. */
  patterns?: readonly AnyAbsencePattern[]
  /** Where pattern alerts go. Default `freshet.alerts.v1`. */
  alertTopic?: string
  /** Consumer group, and prefix of the per-partition transactional ids. One per deployment. */
  applicationId: string
  /**
   * `exactly-once` (default): each batch's output and its input offset commit in one Kafka transaction.
   * `at-least-once`: output is sent, then the offset committed; a crash in between republishes records with the
   * same ids (idempotent sinks absorb them). Exists to measure what transactions cost; prefer the default.
   */
  guarantee?: 'exactly-once' | 'at-least-once'
  /** Advance an idle partition's watermark with the wall clock after this long without events. Default 10 s. */
  idleTimeoutMs?: number
  /** How often idle partitions are checked. Default 1 s. */
  tickMs?: number
  /** Fetch size per partition (bigger batches, fewer transactions). Default 4 MB. */
  maxBytesPerPartition?: number
  /**
   * Partitions whose batches are handled at once. Processing is synchronous, so this only overlaps one
   * partition's transaction round trips with another's processing; each partition stays strictly in order.
   * Default 16.
   */
  concurrentPartitions?: number
  /** Consumer session timeout: how fast a dead worker's partitions move. Default 30 s. */
  sessionTimeoutMs?: number
  deadLetterTopic?: string
  lateTopic?: string
  /** Feature topic of a view; default `features.<name>.v<version>`. */
  featureTopic?: (view: AnyFeatureView) => string
  logger?: Logger
  metrics?: EngineMetrics
  now?: () => number
}

export interface FeatureEngine {
  /** Resolves once the consumer has joined and is fetching. */
  readonly started: Promise<void>
  stop(): Promise<void>
}

/** Where one input partition's output goes, together with the position that produced it. */
interface PartitionOutput {
  /** Publishes `messages` and commits `position`: atomically, or (at-least-once) in that order. */
  commit(messages: readonly OutgoingRecord[], position: CommittedOffset): Promise<void>
  close(): Promise<void>
}

interface Task {
  topic: string
  partition: number
  /** Source partitions run views (and first phases); repartition-topic partitions run a view's merge phase. */
  processor: PartitionProcessor | MergeProcessor
  output: PartitionOutput
  /** While replaying to rebuild state: outputs of records before this offset were already committed. */
  replay?: { hi: bigint; checkpoint: Checkpoint }
  /** Watermark last announced to the merge phases (source tasks feeding repartitioned views). */
  announced: number
  openedAt: number
  /** Wall time the watermark last moved (events or idleness). */
  lastProgressAt: number
  /** Serialises batches and idle ticks of one partition. */
  lock: Promise<void>
}

/**
 * Runs feature views over Kafka with exactly-once output: each input batch's feature records, late events and
 * dead letters are published in one Kafka transaction together with the consumer offset, by a transactional
 * producer per input partition (so a new owner of a partition fences the old one).
 *
 * State is not stored: the committed offset is the *replay horizon* (the earliest record an open window still
 * needs) and its metadata says how far output was committed (`hi`) and the watermark then (`wm`). A worker that
 * takes over a partition replays from the horizon with output suppressed up to `hi`, which rebuilds every open
 * window exactly, because processing is deterministic. Output then continues as if nothing had happened.
 *
 * @example
 * const engine = await startFeatureEngine({ kafka, views: [carMotion], applicationId: 'freshet-features' })
 * await engine.started
 * // … later
 * await engine.stop()
 */
export async function startFeatureEngine(options: FeatureEngineOptions): Promise<FeatureEngine> {
  const { kafka, applicationId, logger, metrics } = options
  const now = options.now ?? Date.now
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000
  const deadLetterTopic = options.deadLetterTopic ?? TOPICS.deadLetter.name
  const lateTopic = options.lateTopic ?? TOPICS.lateEvents.name
  const featureTopic = options.featureTopic ?? featureTopicName
  const alertTopic = options.alertTopic ?? TOPICS.alerts.name
  const patterns = options.patterns ?? []
  const viewsByTopic = new Map<string, AnyFeatureView[]>()
  for (const view of options.views) {
    viewsByTopic.set(view.source.topic, [...(viewsByTopic.get(view.source.topic) ?? []), view])
  }
  for (const pattern of patterns) {
    if (!viewsByTopic.has(pattern.source.topic)) viewsByTopic.set(pattern.source.topic, [])
  }
  const topicOf = new Map(options.views.map((v) => [v.ref, featureTopic(v)]))
  // Repartitioned views: first phase on the source partitions, merge phase on their repartition topic.
  const mergeViews = new Map(
    options.views.filter((v) => v.repartition).map((v) => [repartitionTopicName(applicationId, v), v]),
  )
  const repartitionTopicOf = new Map([...mergeViews].map(([topic, v]) => [v.ref, topic]))
  const sourcePartitions = new Map<string, number>()
  for (const view of mergeViews.values()) {
    if (!sourcePartitions.has(view.source.topic)) {
      sourcePartitions.set(view.source.topic, (await kafka.endOffsets(view.source.topic)).length)
    }
  }
  const guarantee = options.guarantee ?? 'exactly-once'
  let sharedProducer: Promise<RecordProducer> | undefined
  const tasks = new Map<string, Task>()
  /** Partitions sent back to their committed replay horizon, and where to. */
  const seekedTo = new Map<string, string>()
  const taskKey = (topic: string, partition: number) => `${topic}/${partition}`

  /** Opens a task, or returns undefined after seeking back to the replay horizon (the batch is then dropped). */
  async function openOutput(topic: string, partition: number): Promise<PartitionOutput> {
    if (guarantee === 'at-least-once') {
      sharedProducer ??= kafka.producer({ idempotent: true })
      const producer = await sharedProducer
      return {
        async commit(messages, position) {
          await producer.send(messages)
          await consumer.commit([position])
        },
        close: async () => {},
      }
    }
    const producer = await kafka.transactionalProducer(`${applicationId}.${topic}.${partition}`)
    return {
      commit: (messages, position) =>
        producer.transaction(async (tx) => {
          await tx.send(messages)
          await tx.sendOffsets(applicationId, [position])
        }),
      close: () => producer.disconnect(),
    }
  }

  async function openTask(topic: string, partition: number, firstOffset: string): Promise<Task | undefined> {
    // Fence any previous owner first (a transactional id per partition), so the checkpoint read below is final.
    const output = await openOutput(topic, partition)
    const committed = (await kafka.committedOffsets(applicationId, topic)).find(
      (c) => c.partition === partition,
    )
    const key = taskKey(topic, partition)
    if (committed && committed.offset !== firstOffset && seekedTo.get(key) !== committed.offset) {
      // The client may have resumed from its own position (e.g. after a rebalance), not from our replay horizon.
      // After one seek there, a later first offset is fine: transaction markers and aborted records take offsets.
      await output.close()
      seekedTo.set(key, committed.offset)
      consumer.seek(topic, partition, committed.offset)
      return undefined
    }
    seekedTo.delete(key)
    const checkpoint = parseCheckpoint(committed?.metadata)
    const mergeView = mergeViews.get(topic)
    const task: Task = {
      topic,
      partition,
      processor: mergeView
        ? new MergeProcessor(mergeView)
        : new PartitionProcessor(viewsByTopic.get(topic) ?? [], {
            patterns: patterns.filter((p) => p.source.topic === topic),
          }),
      output,
      announced: checkpoint?.wm ?? Number.NEGATIVE_INFINITY,
      openedAt: now(),
      lastProgressAt: now(),
      lock: Promise.resolve(),
      ...(checkpoint ? { replay: { hi: BigInt(checkpoint.hi), checkpoint } } : {}),
    }
    logger?.info({ topic, partition, from: committed?.offset, checkpoint }, 'partition task opened')
    return task
  }

  async function publish(task: Task, out: ProcessorOutput): Promise<void> {
    const at = now()
    const messages: OutgoingRecord[] = [
      ...out.features.map((f) => featureRecordMessage(topicOf.get(`${f.view}:v${f.version}`)!, f, at)),
      ...out.partials.map((p) => partialMessage(repartitionTopicOf.get(p.view)!, p)),
      ...out.alerts.map((a) => alertRecordMessage(alertTopic, a, at)),
      ...out.late.map((l) => lateEventRecord(lateTopic, l)),
      ...out.deadLetters.map((d) => deadLetterRecord(deadLetterTopic, d)),
      ...announcements(task),
    ]
    const offset = task.processor.replayFrom()
    const hi = task.processor.nextOffset
    if (offset === undefined || hi === undefined) return
    const timer = metrics?.transactionSeconds.startTimer()
    const checkpoint: Checkpoint = { hi, wm: task.processor.watermark }
    if (task.processor instanceof MergeProcessor) {
      checkpoint.marks = task.processor.inputWatermarks()
      checkpoint.sources = task.processor.inputPartitions
    }
    await task.output.commit(messages, {
      topic: task.topic,
      partition: task.partition,
      offset,
      metadata: formatCheckpoint(checkpoint),
    })
    timer?.()
    task.announced = task.processor.watermark
    for (const f of out.features)
      metrics?.featuresEmitted.inc({ view: `${f.view}:v${f.version}`, final: String(f.final) })
    for (const l of out.late) metrics?.lateEvents.inc({ view: l.view })
    for (const a of out.alerts)
      metrics?.alertsEmitted.inc({ pattern: `${a.pattern}:v${a.version}`, kind: a.kind })
    for (const d of out.deadLetters) metrics?.deadLettered.inc({ topic: task.topic, code: d.code })
  }

  /** Watermark messages for the merge phases this source partition feeds, if its watermark moved. */
  function announcements(task: Task): OutgoingRecord[] {
    const p = task.processor
    if (!(p instanceof PartitionProcessor) || !p.feedsMergePhase) return []
    if (!(p.watermark > task.announced)) return []
    const mark = {
      source: task.partition,
      sources: sourcePartitions.get(task.topic) ?? 0,
      watermark: p.watermark,
    }
    return [...mergeViews]
      .filter(([, v]) => v.source.topic === task.topic)
      .flatMap(([topic]) => watermarkMessages(topic, mark, REPARTITION_PARTITIONS))
  }

  async function handleBatch(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0]
    if (!first) return
    const key = taskKey(first.topic, first.partition)
    let task = tasks.get(key)
    if (!task) {
      task = await openTask(first.topic, first.partition, first.offset)
      if (!task) return
      tasks.set(key, task)
    }
    const t = task
    const run = t.lock.then(() => processBatch(t, records))
    t.lock = run.catch(() => {})
    try {
      await run
    } catch (err) {
      // The in-memory state may be ahead of what was committed: drop it; the restart replays from the checkpoint.
      tasks.delete(key)
      await t.output.close().catch(() => {})
      throw err
    }
  }

  async function processBatch(task: Task, records: readonly ConsumedRecord[]): Promise<void> {
    let live = records
    if (task.replay) {
      const { hi, checkpoint } = task.replay
      const replayed = records.filter((r) => BigInt(r.offset) < hi)
      live = records.filter((r) => BigInt(r.offset) >= hi)
      task.processor.process(replayed) // output already committed before the restart
      metrics?.eventsReplayed.inc({ topic: task.topic }, replayed.length)
      if (live.length === 0 && BigInt(records.at(-1)!.offset) + 1n < hi) return
      // Windows an idle watermark closed, and input watermarks before the horizon, were committed too.
      if (task.processor instanceof MergeProcessor)
        task.processor.restore(checkpoint.marks ?? {}, checkpoint.sources)
      task.processor.advanceTo(checkpoint.wm)
      task.replay = undefined
      logger?.info(
        { topic: task.topic, partition: task.partition, replayed: replayed.length },
        'state rebuilt',
      )
    }
    if (live.length === 0) return
    const out = task.processor.process(live)
    await publish(task, out)
    task.lastProgressAt = now()
    metrics?.eventsProcessed.inc({ topic: task.topic }, live.length)
    observe(task, live.at(-1)!)
  }

  function observe(task: Task, last: ConsumedRecord | undefined): void {
    const labels = { topic: task.topic, partition: String(task.partition) }
    const next = task.processor.nextOffset
    if (last?.highWatermark !== undefined && next !== undefined)
      metrics?.consumerLag.set(labels, Number(BigInt(last.highWatermark) - BigInt(next)))
    if (Number.isFinite(task.processor.watermark)) {
      metrics?.watermarkLag.set(labels, (now() - task.processor.watermark) / 1000)
    }
    metrics?.openKeys.set(labels, task.processor.openKeys)
  }

  /** Quiet partitions still close their windows: the watermark follows the wall clock once they go idle. */
  async function tick(): Promise<void> {
    for (const task of tasks.values()) {
      const elapsed = now() - task.lastProgressAt
      if (task.replay || elapsed < idleTimeoutMs) continue
      const t = task
      const p = t.processor
      const idle =
        p instanceof MergeProcessor
          ? p.waitingForInputs && now() - t.openedAt >= idleTimeoutMs
            ? () => p.releaseMissingInputs()
            : undefined
          : Number.isFinite(p.watermark)
            ? () => p.advanceTo(p.watermark + elapsed)
            : undefined
      if (!idle) continue
      const run = t.lock.then(async () => {
        const out = idle()
        t.lastProgressAt = now()
        const anything = out.features.length + out.partials.length + out.alerts.length > 0
        if (anything || announcements(t).length > 0) {
          await publish(t, out)
        }
        observe(t, undefined)
      })
      t.lock = run.catch(() => {})
      await run.catch((err) => {
        logger?.warn(
          { err, topic: t.topic, partition: t.partition },
          'idle advance failed; rebuilding on next batch',
        )
        tasks.delete(taskKey(t.topic, t.partition))
      })
    }
  }

  const outputTopics = [...new Set(options.views.map((v) => featureTopic(v)))]
  await kafka.ensureTopics([
    ...outputTopics.map(featureTopicSpec),
    ...[...mergeViews.keys()].map(repartitionTopicSpec),
    ...(patterns.length > 0 ? [{ ...TOPICS.alerts, name: alertTopic }] : []),
  ])
  const consumer: RecordConsumer = await kafka.consume({
    groupId: applicationId,
    topics: [...viewsByTopic.keys(), ...mergeViews.keys()],
    fromBeginning: true,
    readCommitted: true,
    autoCommit: false,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    partitionsConsumedConcurrently: options.concurrentPartitions ?? 16,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    onAssignment: () => {
      // Any rejoin: rebuild every partition from its checkpoint. Simple, and rebalances are rare.
      for (const task of tasks.values()) void task.output.close().catch(() => {})
      tasks.clear()
      seekedTo.clear()
    },
    onBatch: handleBatch,
  })
  const ticker = setInterval(() => void tick(), options.tickMs ?? 1000)
  return {
    started: consumer.started,
    async stop() {
      clearInterval(ticker)
      await consumer.stop()
      await Promise.all([...tasks.values()].map((t) => t.lock.then(() => t.output.close()).catch(() => {})))
      tasks.clear()
      await (await sharedProducer)?.disconnect()
    },
  }
}

import { setTimeout as sleep } from 'node:timers/promises'
import {
  FreshetError,
  featureTopicName,
  isFreshetError,
  type OfflineFeatureWriter,
  type OnlineFeatureWriter,
} from '@freshet/feature-store'
import type { ConsumedRecord, KafkaBackbone, RecordConsumer, RecordProducer } from '@freshet/pipelines'
import { type Logger, pino } from 'pino'
import { type BackoffPolicy, backoffMs, DEFAULT_BACKOFF } from './backoff.js'
import { DEAD_LETTER_TOPIC } from './dead-letter.js'
import type { SinkMetrics } from './metrics.js'
import { prepareBatch, type SinkBatch, type SinkStage } from './sink-batch.js'
import { createFeatureRecordValidator, type SinkView } from './validate.js'

/** The offline port, plus the ClickHouse writer's `flush` when there is one (insert now, do not wait for a timer). */
export type SinkOfflineWriter = OfflineFeatureWriter & { flush?(): Promise<void> }

export interface RunSinkOptions {
  kafka: KafkaBackbone
  /** The views whose feature topics are consumed; records are validated against these definitions. */
  views: readonly SinkView[]
  /** The online store; omit to write the offline store only. The caller opens and closes the writers. */
  online?: OnlineFeatureWriter
  /** The offline store; omit to write the online store only (see `replayOnlineStore`). */
  offline?: SinkOfflineWriter
  /** Consumer group. Default `freshet-sinks`. */
  groupId?: string
  /** Feature topic of a view. Default `featureTopicName` (`features.car_motion.v1`). */
  topic?(view: SinkView): string
  /** Where rejected records go. Default `freshet.dead-letter.v1`; null only counts and logs them. */
  deadLetterTopic?: string | null
  /** Where a group without committed offsets starts. Default true: a new sink loads the retained history. */
  fromBeginning?: boolean
  /** Retry waits of a failed batch. Default 200 ms doubling to 5 s, ±20 %. */
  backoff?: Partial<BackoffPolicy>
  /**
   * Fetch size per partition: a batch is one Redis pipeline run, one ClickHouse insert and one commit, so larger
   * batches amortise those (locally 4 MB sank ~1.7× the rows/s of the backbone's 1 MB). Default 4 MB.
   */
  maxBytesPerPartition?: number
  sessionTimeoutMs?: number
  /** Default: silent. */
  logger?: Logger
  metrics?: SinkMetrics
  /** Called after each commit with the committed position and how many records it covered. */
  onCommit?(commit: SinkCommit): void
  /** Wall clock (freshness, backoff). Default `Date.now`. */
  now?: () => number
}

export interface SinkCommit {
  topic: string
  partition: number
  /** The committed position: next offset to read. */
  offset: string
  written: number
  deadLettered: number
}

export interface SinkStatus {
  /** Partitions holding a failed batch. */
  stalledPartitions: number
  /** Wall-clock time a batch last arrived (or the sink started). */
  lastBatchAt: number
}

export interface Sink {
  /** Resolves once the consumer has joined its group and started fetching. */
  readonly started: Promise<void>
  /** Resolves after `stop()`; rejects if the sink stopped itself on an error a retry cannot fix. */
  readonly done: Promise<void>
  status(): SinkStatus
  /** Stops consuming (an in-flight batch finishes or stays uncommitted); does not close the writers. */
  stop(): Promise<void>
}

/**
 * Runs the sink: consumes feature topics (read_committed, manual commits), validates each record against its
 * view, writes the valid ones to the online and offline stores in parallel while rejected ones go to the
 * dead-letter topic, and commits the batch's offsets only after all of them acknowledged. Delivery is
 * at-least-once; both writers are idempotent (Redis compare-and-set on the window, ClickHouse dedup tokens and
 * a ReplacingMergeTree on the record id), so a redelivered batch changes nothing: exactly-once in effect.
 * Batched and pipelined: a fetched batch is one Redis pipeline and one ClickHouse insert (`flush`), and the
 * two stores and the dead-letter producer run concurrently.
 *
 * When a step fails with a retriable error (store down, broker unreachable, commit refused by a rebalance) the
 * batch is kept with what was already acknowledged, nothing is committed, and the partition is rewound to the
 * batch (`seek`) so nothing after it is consumed. The next delivery of that partition waits out an exponential
 * backoff (capped, default 5 s) and retries only the failed steps. Each wait happens inside one `onBatch` call
 * that then returns, so kafkajs heartbeats between attempts and the member keeps its partitions through an
 * outage of any length. (Throwing from `onBatch` would make kafkajs retry without heartbeats and, after five
 * tries, restart the consumer and rejoin the group, over and over while the store is down.) A non-retriable
 * error (a store rejecting valid rows, a misconfigured writer) stops the sink with `done` rejected, nothing
 * committed past the last good batch: restarting after the fix loses nothing.
 *
 * @example
 * const sink = await runSink({ kafka, views: featureViews, online: redisWriter, offline: clickhouseWriter, logger, metrics })
 * await sink.started
 * process.once('SIGTERM', () => void sink.stop())
 * await sink.done
 */
export async function runSink(options: RunSinkOptions): Promise<Sink> {
  const { kafka, views, online, offline } = options
  if (online === undefined && offline === undefined) {
    throw new FreshetError('CONFIG_INVALID', 'runSink needs an online or an offline writer (or both)')
  }
  if (views.length === 0) throw new FreshetError('CONFIG_INVALID', 'runSink needs at least one view')
  const topicOf = options.topic ?? featureTopicName
  const topics = [...new Set(views.map(topicOf))]
  if (topics.length !== views.length) {
    throw new FreshetError('CONFIG_INVALID', 'runSink: two views map to the same feature topic')
  }
  const groupId = options.groupId ?? 'freshet-sinks'
  const deadLetterTopic = options.deadLetterTopic === undefined ? DEAD_LETTER_TOPIC : options.deadLetterTopic
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff }
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'sink', groupId })
  const metrics = options.metrics
  const now = options.now ?? Date.now
  const validate = createFeatureRecordValidator(views, topicOf)

  /** Failed batches by `topic:partition`, waiting for their retry. */
  const held = new Map<string, SinkBatch>()
  const wake = new AbortController()
  let lastBatchAt = now()
  let stopping: Promise<void> | undefined
  let settle: { resolve(): void; reject(err: unknown): void } = { resolve() {}, reject() {} }
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  done.catch(() => {}) // the caller may never look; the rejection is logged below

  const producer: RecordProducer | undefined =
    deadLetterTopic === null ? undefined : await kafka.producer({ idempotent: true })
  let consumer: RecordConsumer
  try {
    consumer = await kafka.consume({
      groupId,
      topics,
      fromBeginning: options.fromBeginning ?? true,
      readCommitted: true,
      autoCommit: false,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      onAssignment(assignment) {
        const owned = new Set(assignment.flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)))
        // A batch held for a partition that went elsewhere is the new owner's to write now.
        for (const key of held.keys()) if (!owned.has(key)) held.delete(key)
        metrics?.stalledPartitions.set(held.size)
        logger.info({ assignment }, 'partitions assigned')
      },
      onBatch: (records) => handle(records),
    })
  } catch (err) {
    await producer?.disconnect().catch(() => {})
    throw err
  }

  async function handle(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0]
    if (stopping !== undefined || first === undefined) return
    lastBatchAt = now()
    const key = `${first.topic}:${first.partition}`
    let batch = held.get(key)
    if (batch !== undefined && batch.firstOffset !== first.offset) {
      // The partition moved past the held batch without us (committed by another member while it was ours
      // no longer): what it holds is written.
      held.delete(key)
      batch = undefined
    }
    if (batch === undefined) {
      batch = prepareBatch(records, {
        validate,
        deadLetterTopic,
        online: online !== undefined,
        offline: offline !== undefined,
        onReject: (r, code, reason) =>
          logger.warn({ topic: r.topic, partition: r.partition, offset: r.offset, code, reason }, 'rejected'),
      })
    } else if (!(await wait(batch.retryAt - now()))) {
      return
    }

    const failures = await attempt(batch)
    if (failures.length > 0) {
      hold(key, batch, failures)
      return
    }
    if (held.delete(key)) {
      metrics?.stalledPartitions.set(held.size)
      logger.info(
        { topic: batch.topic, partition: batch.partition, attempts: batch.attempt + 1 },
        'recovered',
      )
    }
    const next = BigInt(batch.nextOffset)
    const last = records.at(-1)!
    if (BigInt(last.offset) + 1n < next) {
      // The redelivery was shorter than the held batch: skip what the held batch already covered.
      consumer.seek(batch.topic, batch.partition, batch.nextOffset)
      return
    }
    const rest = records.filter((r) => BigInt(r.offset) >= next)
    if (rest.length > 0) await handle(rest)
  }

  /** Runs the pending steps; returns the ones that failed (empty: written and committed). */
  async function attempt(batch: SinkBatch): Promise<{ stage: SinkStage; error: unknown }[]> {
    const stages = [...batch.pending].filter((s) => s !== 'commit')
    const results = await Promise.allSettled(stages.map((stage) => runStage(stage, batch)))
    const failures: { stage: SinkStage; error: unknown }[] = []
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') batch.pending.delete(stages[i]!)
      else failures.push({ stage: stages[i]!, error: result.reason })
    }
    if (failures.length > 0) return failures
    try {
      await consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.nextOffset }])
    } catch (error) {
      return [{ stage: 'commit', error }]
    }
    batch.pending.delete('commit')
    committed(batch)
    return []
  }

  async function runStage(stage: SinkStage, batch: SinkBatch): Promise<void> {
    if (stage === 'dead_letter') {
      await producer?.send(batch.deadLetters)
      return
    }
    const writer = stage === 'online' ? online : offline
    if (writer === undefined) return
    const started = performance.now()
    try {
      const written = writer.write(batch.records)
      // The ClickHouse writer otherwise waits up to its maxDelayMs for more rows; the batch is the insert.
      if (stage === 'offline') offline?.flush?.().catch(() => {})
      await written
    } finally {
      metrics?.storeWriteSeconds.observe({ store: stage }, (performance.now() - started) / 1000)
    }
    if (metrics !== undefined) {
      const at = now()
      for (const r of batch.records) {
        if (stage === 'online' || r.final)
          metrics.freshnessSeconds.observe({ store: stage }, (at - r.eventTime) / 1000)
      }
    }
  }

  function committed(batch: SinkBatch): void {
    if (metrics !== undefined) {
      const byView = new Map<string, number>()
      for (const r of batch.records) {
        const ref = `${r.view}:v${r.version}`
        byView.set(ref, (byView.get(ref) ?? 0) + 1)
      }
      for (const [view, n] of byView) metrics.rows.inc({ view }, n)
      for (const code of batch.rejectedCodes) metrics.deadLettered.inc({ topic: batch.topic, code })
      if (batch.highWatermark !== undefined) {
        const lag = BigInt(batch.highWatermark) - BigInt(batch.nextOffset)
        metrics.consumerLag.set(
          { topic: batch.topic, partition: batch.partition },
          Number(lag > 0n ? lag : 0n),
        )
      }
    }
    logger.debug(
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: batch.nextOffset,
        written: batch.records.length,
      },
      'committed',
    )
    options.onCommit?.({
      topic: batch.topic,
      partition: batch.partition,
      offset: batch.nextOffset,
      written: batch.records.length,
      deadLettered: batch.rejectedCodes.length,
    })
  }

  /** Keeps a failed batch for a retry, rewinds its partition to it, or stops the sink if no retry can help. */
  function hold(key: string, batch: SinkBatch, failures: { stage: SinkStage; error: unknown }[]): void {
    consumer.seek(batch.topic, batch.partition, batch.firstOffset)
    const fatal = failures.find(({ stage, error }) => stage !== 'commit' && !isRetriable(error))
    if (fatal !== undefined) {
      logger.error(
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: batch.firstOffset,
          stage: fatal.stage,
          err: fatal.error,
        },
        'sink stopped: a store refused the batch and a retry cannot help',
      )
      void shutdown(fatal.error)
      return
    }
    batch.attempt++
    const delayMs = backoffMs(batch.attempt, policy)
    batch.retryAt = now() + delayMs
    held.set(key, batch)
    metrics?.stalledPartitions.set(held.size)
    for (const { stage } of failures) metrics?.retries.inc({ stage })
    logger.warn(
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: batch.firstOffset,
        attempt: batch.attempt,
        retryInMs: delayMs,
        failed: failures.map(({ stage, error }) => ({
          stage,
          code: codeOf(error),
          message: messageOf(error),
        })),
      },
      'batch not committed, will retry',
    )
  }

  /** Sleeps unless the sink stops first; false when it stopped. */
  async function wait(ms: number): Promise<boolean> {
    if (ms > 0) await sleep(ms, undefined, { signal: wake.signal }).catch(() => {})
    return stopping === undefined
  }

  function shutdown(error?: unknown): Promise<void> {
    stopping ??= (async () => {
      wake.abort()
      await consumer.stop().catch((err: unknown) => logger.warn({ err }, 'consumer stop failed'))
      await producer?.disconnect().catch((err: unknown) => logger.warn({ err }, 'producer disconnect failed'))
      if (error === undefined) settle.resolve()
      else settle.reject(error)
    })()
    return stopping
  }

  logger.info(
    { topics, deadLetterTopic, online: online !== undefined, offline: offline !== undefined },
    'sink started',
  )
  return {
    started: consumer.started,
    done,
    status: () => ({ stalledPartitions: held.size, lastBatchAt }),
    stop: () => shutdown(),
  }
}

function isRetriable(error: unknown): boolean {
  return isFreshetError(error) && error.retriable
}

function codeOf(error: unknown): string {
  return isFreshetError(error) ? error.code : 'INTERNAL'
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

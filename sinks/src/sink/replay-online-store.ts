import { setTimeout as sleep } from 'node:timers/promises'
import { FreshetError, featureTopicName, type OnlineFeatureWriter } from '@freshet/feature-store'
import type { KafkaBackbone } from '@freshet/pipelines'
import { type Logger, pino } from 'pino'
import type { SinkMetrics } from './metrics.js'
import { runSink } from './run-sink.js'
import type { SinkView } from './validate.js'

export interface ReplayOnlineStoreOptions {
  kafka: KafkaBackbone
  views: readonly SinkView[]
  /** The online store to rebuild; the caller opens and closes it. */
  online: OnlineFeatureWriter
  /** A consumer group that has never committed. Default `freshet-sinks-replay-<epoch ms>`. */
  groupId?: string
  topic?(view: SinkView): string
  /** Done once nothing arrived for this long (transactional topics end in markers no consumer sees). Default 5000. */
  quietMs?: number
  /** Give up (reject) after this long. Default: never. */
  timeoutMs?: number
  logger?: Logger
  metrics?: SinkMetrics
}

export interface ReplaySummary {
  groupId: string
  /** Records written to the online store (newer ones stored, the rest left as they were). */
  written: number
  /** Invalid records skipped (the live sink dead-lettered them already). */
  rejected: number
  elapsedMs: number
}

/**
 * Rebuilds the online store from the feature topics, for when Redis lost its data (restarted without
 * persistence, flushed, replaced): a sink run under a fresh consumer group from the beginning of every feature
 * topic, online store only, that stops once it has read up to where the topics ended when it started. Rejected
 * records are skipped, not dead-lettered again.
 *
 * Safe while the live sink runs: the online writer stores a record only if it is newer than the stored one of
 * its window, so the replay fills the gaps and never rolls back what the live sink wrote meanwhile. Values come
 * back as far as the topics' retention (30 days) and the views' ttl allow: records older than their ttl are not
 * stored. The replay group keeps its offsets in Kafka until the broker expires them (7 days idle).
 *
 * From a shell: `npm run sink -- replay-online` (same environment as the sink; it does not open ClickHouse).
 *
 * @example
 * const online = createRedisOnlineWriter({ url, ttlMs: (ref) => views.find((v) => v.ref === ref)?.ttlMs })
 * const summary = await replayOnlineStore({ kafka, views: featureViews, online, logger })
 * await online.close()
 * // { groupId: 'freshet-sinks-replay-1764000000000', written: 182340, rejected: 0, elapsedMs: 9120 }
 */
export async function replayOnlineStore(options: ReplayOnlineStoreOptions): Promise<ReplaySummary> {
  const started = Date.now()
  const groupId = options.groupId ?? `freshet-sinks-replay-${started}`
  const topicOf = options.topic ?? featureTopicName
  const logger = options.logger ?? pino({ level: 'silent' })
  const quietMs = options.quietMs ?? 5_000
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeoutMs

  // Where each partition ends now: records produced after this are the live sink's business.
  const ends = new Map<string, bigint>()
  for (const view of options.views) {
    const topic = topicOf(view)
    for (const { partition, offset } of await options.kafka.endOffsets(topic)) {
      if (BigInt(offset) > 0n) ends.set(`${topic}:${partition}`, BigInt(offset))
    }
  }
  const positions = new Map<string, bigint>()
  let written = 0
  let rejected = 0
  const sink = await runSink({
    kafka: options.kafka,
    views: options.views,
    online: options.online,
    groupId,
    topic: topicOf,
    deadLetterTopic: null,
    fromBeginning: true,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    onCommit(commit) {
      positions.set(`${commit.topic}:${commit.partition}`, BigInt(commit.offset))
      written += commit.written
      rejected += commit.deadLettered
    },
  })
  try {
    await Promise.race([sink.started, sink.done])
    const fetching = Date.now()
    const reachedEnds = () => [...ends].every(([key, end]) => (positions.get(key) ?? 0n) >= end)
    for (;;) {
      const { stalledPartitions, lastBatchAt } = sink.status()
      if (reachedEnds()) break
      if (stalledPartitions === 0 && Date.now() - Math.max(lastBatchAt, fetching) >= quietMs) break
      if (Date.now() > deadline) {
        throw new FreshetError(
          stalledPartitions > 0 ? 'STORE_UNAVAILABLE' : 'KAFKA_UNAVAILABLE',
          `online store replay did not finish in ${options.timeoutMs} ms (group ${groupId}, ` +
            `${stalledPartitions} partitions waiting for the store)`,
          { retriable: true },
        )
      }
      await Promise.race([sleep(100), sink.done])
    }
  } finally {
    await sink.stop()
  }
  await sink.done
  const summary = { groupId, written, rejected, elapsedMs: Date.now() - started }
  logger.info(summary, 'online store replayed')
  return summary
}

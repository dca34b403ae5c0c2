/**
 * The backbone's ports: what the rest of Freshet sees of Kafka. No kafkajs type appears here, so the client can be
 * swapped without touching pipelines, sinks or tests.
 */

import type { Logger } from 'pino'
import type { TopicSpec } from '../topics/catalog.js'
import type { Compression } from './compression.js'

export interface KafkaOptions {
  brokers: readonly string[]
  /** Shows up in broker logs and quotas. Default `freshet`. */
  clientId?: string
  /** kafkajs logs are forwarded here (warn and above). Default: dropped. */
  logger?: Logger
  /** Default 3000 ms. */
  connectionTimeoutMs?: number
}

export interface OutgoingRecord {
  topic: string
  key: string | null
  value: Buffer | null
  headers?: Record<string, string>
  /** Epoch ms; Freshet sets it to the event time. */
  timestamp?: number
  /** Explicit partition; by default the key decides (murmur2, like the Java client). */
  partition?: number
}

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, string>
  timestamp: number
  /** The partition's high watermark when the batch was fetched (consumer-lag metrics); absent offline. */
  highWatermark?: string
}

export interface ProducerOptions {
  /** Default true: retries never duplicate or reorder records within a partition. */
  idempotent?: boolean
  /**
   * Record-batch compression, as the Java client's `compression.type`. Default `none`. Consumers decode every
   * codec whatever this says.
   */
  compression?: Compression
}

export interface RecordProducer {
  send(records: readonly OutgoingRecord[]): Promise<void>
  disconnect(): Promise<void>
}

export interface TransactionContext {
  send(records: readonly OutgoingRecord[]): Promise<void>
  /**
   * Commits the consumer group's positions atomically with the transaction. `metadata` is stored with the offset
   * (Kafka keeps up to 4 KB per partition) and comes back from `committedOffsets`.
   */
  sendOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void>
}

export interface TransactionalProducer {
  /** Runs `work` in one Kafka transaction: commits if it resolves, aborts (and rethrows) if it rejects. */
  transaction(work: (tx: TransactionContext) => Promise<void>): Promise<void>
  disconnect(): Promise<void>
}

export interface CommittedOffset {
  topic: string
  partition: number
  /** Next offset to read. */
  offset: string
  metadata?: string | null
}

export interface ConsumeOptions {
  groupId: string
  topics: readonly string[]
  fromBeginning?: boolean
  /** Default true: never see records of aborted or open transactions. */
  readCommitted?: boolean
  /** Default true. False when offsets are committed elsewhere (transactions via `sendOffsets`). */
  autoCommit?: boolean
  /** Fetch size per partition; larger batches amortise per-batch work (transactions). Default 1 MB. */
  maxBytesPerPartition?: number
  /** How long the group waits for a silent member (e.g. killed) before rebalancing. Default 30 s (min 6 s). */
  sessionTimeoutMs?: number
  /**
   * Batches of different partitions handled at once (kafkajs `partitionsConsumedConcurrently`), so one
   * partition's awaited I/O overlaps another's work; one partition's batches never overlap. Default 1.
   */
  partitionsConsumedConcurrently?: number
  /** Called after every group (re)join with the partitions this member now owns. */
  onAssignment?(assignment: readonly { topic: string; partitions: readonly number[] }[]): void
  /** One call per fetched batch; all records belong to one topic-partition, in offset order. */
  onBatch(records: readonly ConsumedRecord[]): Promise<void>
}

export interface RecordConsumer {
  /** Resolves once the consumer has joined its group and started fetching. */
  readonly started: Promise<void>
  /** Next fetch of this partition starts at `offset`; the rest of a batch being handled is dropped. */
  seek(topic: string, partition: number, offset: string): void
  /** Commits positions (with metadata) outside any transaction: the at-least-once path. */
  commit(offsets: readonly CommittedOffset[]): Promise<void>
  stop(): Promise<void>
}

/** One partition's offsets `[from, to)`. */
export interface OffsetRange {
  partition: number
  /** First offset to read. */
  from: string
  /** One past the last offset to read. */
  to: string
}

export interface ReadRangesOptions {
  topic: string
  /** At most one range per partition; empty ranges (`from` ≥ `to`) are done at once. */
  ranges: readonly OffsetRange[]
  /** Default true: never see records of aborted or open transactions. */
  readCommitted?: boolean
  /** Fetch size per partition. Default 1 MB. */
  maxBytesPerPartition?: number
  /**
   * One call per fetched batch of one partition: its records inside the range, in offset order (never empty).
   * Resolve `true` to finish that partition early (it is paused; `done` resolves once every range is finished).
   * A rejection stops the reader and rejects `done` with it: nothing is retried behind the caller's back.
   */
  onBatch(records: readonly ConsumedRecord[]): Promise<boolean | undefined>
}

export interface RangeReader {
  /** Resolves once every range is read to its end or finished early; rejects with the first `onBatch` error. */
  readonly done: Promise<void>
  /** Next offset of a partition: past everything read, transaction markers and aborted records included. */
  position(partition: number): string | undefined
  /** Leaves the (throwaway) group and closes the connection; idempotent, also after `done`. */
  stop(): Promise<void>
}

export interface ClusterInfo {
  clusterId: string
  brokers: number
  controller: number | null
}

export interface KafkaBackbone {
  /** Answers only when a broker serves metadata: a real readiness probe, not a port check. */
  probe(options?: { timeoutMs?: number }): Promise<ClusterInfo>
  /** Creates missing topics; never alters existing ones (returns their names in `existing`). */
  ensureTopics(specs: readonly TopicSpec[]): Promise<{ created: string[]; existing: string[] }>
  deleteTopics(names: readonly string[]): Promise<void>
  /** Latest offsets (high watermarks) per partition. */
  endOffsets(topic: string): Promise<{ partition: number; offset: string }[]>
  /** A consumer group's committed positions (next offset to read); partitions without a commit are left out. */
  committedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]>
  producer(options?: ProducerOptions): Promise<RecordProducer>
  transactionalProducer(transactionalId: string): Promise<TransactionalProducer>
  consume(options: ConsumeOptions): Promise<RecordConsumer>
  /**
   * Earliest offset per partition whose record timestamp (event time, for Freshet's producers) is ≥ `timestamp`;
   * a partition holding no record that recent answers its end offset. Sorted by partition.
   */
  offsetsForTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]>
  /**
   * Reads fixed offset ranges of one topic with a consumer of its own: a throwaway group that owns exactly
   * these partitions (its own assignor, so nothing else is fetched) and commits nothing, never disturbing
   * a live consumer group. For replays and backfills.
   */
  readRanges(options: ReadRangesOptions): Promise<RangeReader>
  /** Closes the shared admin connection; producers and consumers are closed by their owners. */
  close(): Promise<void>
}

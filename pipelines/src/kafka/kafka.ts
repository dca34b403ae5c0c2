/**
 * The only module in Freshet that imports kafkajs. Everything else sees the small interfaces below, so the client
 * (unmaintained since 2023) can be swapped without touching pipelines, sinks or tests.
 */

import { randomUUID } from 'node:crypto'
import { FreshetError } from '@freshet/feature-store'
import kafkajs, {
  type Admin,
  type Assigner,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Sender,
} from 'kafkajs'
import type { Logger } from 'pino'
import type { TopicSpec } from '../topics/catalog.js'

// kafkajs is CommonJS and Node's named-export detection misses some of its exports: take them off the default.
const { AssignerProtocol, CompressionCodecs, CompressionTypes, Kafka, logLevel, Partitioners } = kafkajs
type CompressionTypes = kafkajs.CompressionTypes

import { type Compression, lz4Codec, snappyCodec, zstdCodec } from './compression.js'

export type { Compression } from './compression.js'

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

/**
 * Creates the Kafka backbone for one process.
 *
 * @example
 * const kafka = createKafka({ brokers: ['127.0.0.1:19092'] })
 * await kafka.ensureTopics(topicCatalog)
 * const producer = await kafka.producer()
 * await producer.send([{ topic: 'car.telemetry.v1', ...encodeEvent(carTelemetrySchema, sample) }])
 */
export function createKafka(options: KafkaOptions): KafkaBackbone {
  registerCodecs()
  const kafka = new Kafka({
    clientId: options.clientId ?? 'freshet',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => forwardLog(options.logger, entry),
  })
  let admin: Admin | undefined
  const getAdmin = async (): Promise<Admin> => {
    if (admin === undefined) {
      const a = kafka.admin()
      await wrap('connect admin', () => a.connect())
      admin = a
    }
    return admin
  }

  return {
    async probe({ timeoutMs = 5000 } = {}) {
      // A dedicated admin without retries: a probe must answer fast, not retry for a minute.
      const a = new Kafka({
        clientId: `${options.clientId ?? 'freshet'}-probe`,
        brokers: [...options.brokers],
        connectionTimeout: Math.min(timeoutMs, 3000),
        requestTimeout: timeoutMs,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      }).admin()
      try {
        await withTimeout(a.connect(), timeoutMs)
        const cluster = await withTimeout(a.describeCluster(), timeoutMs)
        return {
          clusterId: cluster.clusterId,
          brokers: cluster.brokers.length,
          controller: cluster.controller,
        }
      } catch (cause) {
        throw new FreshetError(
          'KAFKA_UNAVAILABLE',
          `no Kafka broker answered at ${options.brokers.join(',')}`,
          {
            retriable: true,
            cause,
          },
        )
      } finally {
        await a.disconnect().catch(() => {})
      }
    },

    async ensureTopics(specs) {
      const a = await getAdmin()
      const present = new Set(await wrap('list topics', () => a.listTopics()))
      const missing = specs.filter((s) => !present.has(s.name))
      if (missing.length > 0) {
        await wrap('create topics', () =>
          a.createTopics({
            waitForLeaders: true,
            topics: missing.map((s) => ({
              topic: s.name,
              numPartitions: s.partitions,
              replicationFactor: 1,
              configEntries: Object.entries({
                'retention.ms': String(s.retentionMs),
                'cleanup.policy': s.cleanupPolicy,
                // Event time, as set by producers: windows and retention follow the data, not the clock.
                'message.timestamp.type': 'CreateTime',
                ...s.config,
              }).map(([name, value]) => ({ name, value })),
            })),
          }),
        )
      }
      return {
        created: missing.map((s) => s.name),
        existing: specs.filter((s) => present.has(s.name)).map((s) => s.name),
      }
    },

    async deleteTopics(names) {
      const a = await getAdmin()
      await wrap('delete topics', () => a.deleteTopics({ topics: [...names] }))
    },

    async endOffsets(topic) {
      const a = await getAdmin()
      const offsets = await wrap('fetch offsets', () => a.fetchTopicOffsets(topic))
      return offsets
        .map((o) => ({ partition: o.partition, offset: o.high }))
        .sort((x, y) => x.partition - y.partition)
    },

    async committedOffsets(groupId, topic) {
      const a = await getAdmin()
      const [result] = await wrap('fetch committed offsets', () =>
        a.fetchOffsets({ groupId, topics: [topic] }),
      )
      return (result?.partitions ?? [])
        .filter((p) => p.offset !== '-1')
        .map((p) => ({ topic, partition: p.partition, offset: p.offset, metadata: p.metadata }))
        .sort((x, y) => x.partition - y.partition)
    },

    async producer({ idempotent = true, compression = 'none' } = {}) {
      const codec = COMPRESSION_TYPES[compression]
      if (codec === undefined) {
        throw new FreshetError(
          'CONFIG_INVALID',
          `unknown compression '${String(compression)}' (expected ${Object.keys(COMPRESSION_TYPES).join(', ')})`,
        )
      }
      const p = kafka.producer({
        // murmur2 over the key, as the Java client does: a car lands on the same partition whoever produced it.
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent,
        maxInFlightRequests: idempotent ? 5 : undefined,
        allowAutoTopicCreation: false,
      })
      await wrap('connect producer', () => p.connect())
      return {
        send: (records) => sendGrouped(p, records, codec),
        disconnect: () => p.disconnect(),
      }
    },

    async transactionalProducer(transactionalId) {
      const p = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      })
      await wrap('connect transactional producer', () => p.connect())
      return {
        async transaction(work) {
          const tx = await wrap('begin transaction', () => p.transaction())
          try {
            await work({
              send: (records) => sendGrouped(tx, records),
              sendOffsets: (groupId, offsets) =>
                tx.sendOffsets({ consumerGroupId: groupId, topics: groupOffsets(offsets) }),
            })
          } catch (err) {
            await tx.abort().catch(() => {})
            throw err
          }
          await wrap('commit transaction', () => tx.commit())
        },
        disconnect: () => p.disconnect(),
      }
    },

    async consume({
      groupId,
      topics,
      fromBeginning = false,
      readCommitted = true,
      autoCommit = true,
      maxBytesPerPartition,
      sessionTimeoutMs,
      partitionsConsumedConcurrently,
      onAssignment,
      onBatch,
    }) {
      const c: Consumer = kafka.consumer({
        groupId,
        ...(sessionTimeoutMs === undefined
          ? {}
          : { sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.floor(sessionTimeoutMs / 4) }),
        readUncommitted: !readCommitted,
        allowAutoTopicCreation: false,
        ...(maxBytesPerPartition === undefined
          ? {}
          : { maxBytesPerPartition, maxBytes: maxBytesPerPartition * 8 }),
      })
      await wrap('connect consumer', () => c.connect())
      for (const topic of topics) await c.subscribe({ topic, fromBeginning })
      let markStarted: () => void = () => {}
      const started = new Promise<void>((resolve) => {
        markStarted = resolve
      })
      c.on(c.events.FETCH_START, () => markStarted())
      if (onAssignment) {
        c.on(c.events.GROUP_JOIN, ({ payload }) =>
          onAssignment(
            Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions })),
          ),
        )
      }
      await c.run({
        autoCommit,
        ...(partitionsConsumedConcurrently === undefined ? {} : { partitionsConsumedConcurrently }),
        eachBatch: async ({ batch }) => {
          await onBatch(
            batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: headersToStrings(m.headers),
              timestamp: Number(m.timestamp),
              highWatermark: batch.highWatermark,
            })),
          )
        },
      })
      return {
        started,
        seek: (topic, partition, offset) => c.seek({ topic, partition, offset }),
        commit: (offsets) =>
          wrap('commit offsets', () =>
            c.commitOffsets(
              offsets.map((o) => ({
                topic: o.topic,
                partition: o.partition,
                offset: o.offset,
                metadata: o.metadata ?? null,
              })),
            ),
          ),
        stop: () => c.disconnect(),
      }
    },

    async offsetsForTimestamp(topic, timestamp) {
      const a = await getAdmin()
      const offsets = await wrap('fetch offsets by timestamp', () =>
        a.fetchTopicOffsetsByTimestamp(topic, timestamp),
      )
      return offsets
        .map((o) => ({ partition: o.partition, offset: o.offset }))
        .sort((x, y) => x.partition - y.partition)
    },

    async readRanges({ topic, ranges, readCommitted = true, maxBytesPerPartition, onBatch }) {
      const positions = new Map(ranges.map((r) => [r.partition, BigInt(r.from)]))
      const ends = new Map(ranges.map((r) => [r.partition, BigInt(r.to)]))
      const open = new Set(ranges.filter((r) => BigInt(r.from) < BigInt(r.to)).map((r) => r.partition))
      let settle: { resolve(): void; reject(err: unknown): void } = { resolve() {}, reject() {} }
      const done = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject }
      })
      done.catch(() => {}) // the caller awaits it; an unobserved rejection must not crash the process first
      const position = (partition: number) => positions.get(partition)?.toString()
      if (open.size === 0) {
        settle.resolve()
        return { done, position, stop: async () => {} }
      }
      const partitions = [...open]
      const c: Consumer = kafka.consumer({
        groupId: `freshet-range-reader-${randomUUID()}`,
        partitionAssigners: [() => rangeAssigner(topic, partitions)],
        // A restarted kafkajs consumer would start over from the earliest offset (the group commits nothing):
        // fail instead, and let the caller resume from its own checkpoint.
        retry: { restartOnFailure: async () => false },
        readUncommitted: !readCommitted,
        allowAutoTopicCreation: false,
        ...(maxBytesPerPartition === undefined
          ? {}
          : { maxBytesPerPartition, maxBytes: maxBytesPerPartition * partitions.length }),
      })
      let failed = false
      const finish = (partition: number) => {
        if (!open.delete(partition)) return
        c.pause([{ topic, partitions: [partition] }])
        if (open.size === 0) settle.resolve()
      }
      const advance = (partition: number, next: bigint) => {
        if (next > (positions.get(partition) ?? 0n)) positions.set(partition, next)
        if (next >= (ends.get(partition) ?? 0n)) finish(partition)
      }
      await wrap('connect range reader', () => c.connect())
      try {
        await wrap('subscribe range reader', () => c.subscribe({ topic, fromBeginning: true }))
        c.on(c.events.CRASH, ({ payload }) => {
          failed = true
          settle.reject(
            new FreshetError(
              'KAFKA_UNAVAILABLE',
              `range reader of ${topic} failed: ${payload.error.message}`,
              {
                retriable: true,
                cause: payload.error,
              },
            ),
          )
        })
        // A rejoin (a long pause cost the member its session) resets fetch positions: put them back.
        let joins = 0
        c.on(c.events.GROUP_JOIN, () => {
          if (++joins === 1) return
          for (const p of open) c.seek({ topic, partition: p, offset: String(positions.get(p) ?? 0n) })
        })
        // Batches of only transaction markers or aborted records never reach eachBatch: move past them here.
        c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
          if (!failed && payload.topic === topic && open.has(payload.partition)) {
            advance(payload.partition, BigInt(payload.lastOffset) + 1n)
          }
        })
        await c.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const { partition } = batch
            if (failed || !open.has(partition)) return
            const from = positions.get(partition) ?? 0n
            const to = ends.get(partition) ?? 0n
            const { messages } = batch
            const inside = (m: KafkaMessage) => {
              const offset = BigInt(m.offset)
              return offset >= from && offset < to
            }
            // Messages come in offset order: a batch wholly inside the range (the usual case) needs no filter.
            const whole = messages.length > 0 && inside(messages[0]!) && inside(messages.at(-1)!)
            const records = (whole ? messages : messages.filter(inside)).map((m) =>
              toConsumedRecord(topic, partition, batch.highWatermark, m),
            )
            try {
              const finished = records.length > 0 ? await onBatch(records) : false
              if (finished) finish(partition)
              else advance(partition, BigInt(batch.lastOffset()) + 1n)
            } catch (err) {
              failed = true
              settle.reject(err)
            }
          },
        })
        // Applied on the first fetch; the filter above drops anything fetched from the default position before.
        for (const r of ranges)
          if (open.has(r.partition)) c.seek({ topic, partition: r.partition, offset: r.from })
      } catch (err) {
        await c.disconnect().catch(() => {})
        throw err
      }
      let stopping: Promise<void> | undefined
      return {
        done,
        position,
        stop: () => {
          stopping ??= c.disconnect().catch(() => {})
          return stopping
        },
      }
    },

    async close() {
      await admin?.disconnect()
      admin = undefined
    },
  }
}

/** Gives the (only) member of a range reader's throwaway group exactly the partitions it reads. */
function rangeAssigner(topic: string, partitions: readonly number[]): Assigner {
  return {
    name: 'FreshetRangeAssigner',
    version: 0,
    async assign({ members }) {
      const [first, ...rest] = members.map((m) => m.memberId).sort()
      const encode = (assignment: Record<string, number[]>) =>
        AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) })
      return [
        ...(first === undefined
          ? []
          : [{ memberId: first, memberAssignment: encode({ [topic]: [...partitions] }) }]),
        ...rest.map((memberId) => ({ memberId, memberAssignment: encode({}) })),
      ]
    },
    protocol({ topics }) {
      return {
        name: 'FreshetRangeAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      }
    },
  }
}

function toConsumedRecord(
  topic: string,
  partition: number,
  highWatermark: string,
  m: KafkaMessage,
): ConsumedRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: headersToStrings(m.headers),
    timestamp: Number(m.timestamp),
    highWatermark,
  }
}

const COMPRESSION_TYPES: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

let codecsRegistered = false

/**
 * Teaches kafkajs the codecs Java producers use (it decodes only gzip natively). The registry is process-wide,
 * so this runs once, on the first `createKafka`.
 */
function registerCodecs(): void {
  if (codecsRegistered) return
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec
  codecsRegistered = true
}

/**
 * The broker refuses a record batch over `message.max.bytes` (1 MB by default) and kafkajs sends one batch per
 * partition per request, so large outputs go in several requests of at most this many bytes. Inside a
 * transaction that changes nothing: every request belongs to the same transaction, in order.
 */
const MAX_REQUEST_BYTES = 512 * 1024

async function sendGrouped(
  sender: Sender,
  records: readonly OutgoingRecord[],
  compression: CompressionTypes = CompressionTypes.None,
): Promise<void> {
  let chunk: OutgoingRecord[] = []
  let bytes = 0
  for (const r of records) {
    const size = recordBytes(r)
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      await sendChunk(sender, chunk, compression)
      chunk = []
      bytes = 0
    }
    chunk.push(r)
    bytes += size
  }
  await sendChunk(sender, chunk, compression)
}

function recordBytes(r: OutgoingRecord): number {
  let n = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0)
  for (const [k, v] of Object.entries(r.headers ?? {})) n += k.length + v.length
  return n
}

async function sendChunk(
  sender: Sender,
  records: readonly OutgoingRecord[],
  compression: CompressionTypes,
): Promise<void> {
  if (records.length === 0) return
  const byTopic = new Map<string, Message[]>()
  for (const r of records) {
    listFor(byTopic, r.topic).push({
      key: r.key,
      value: r.value,
      ...(r.headers === undefined ? {} : { headers: r.headers }),
      timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
      partition: r.partition,
    })
  }
  await wrap('send', () =>
    sender.sendBatch({
      compression,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    }),
  )
}

function groupOffsets(offsets: readonly CommittedOffset[]) {
  const byTopic = new Map<string, { partition: number; offset: string; metadata?: string | null }[]>()
  for (const o of offsets) {
    listFor(byTopic, o.topic).push({ partition: o.partition, offset: o.offset, metadata: o.metadata ?? null })
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
}

function listFor<T>(map: Map<string, T[]>, key: string): T[] {
  const list = map.get(key)
  if (list !== undefined) return list
  const created: T[] = []
  map.set(key, created)
  return created
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v
    if (first !== undefined) out[k] = first.toString()
  }
  return out
}

async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    const retriable = (cause as { retriable?: boolean }).retriable ?? true
    throw new FreshetError('KAFKA_UNAVAILABLE', `kafka ${what} failed: ${(cause as Error).message}`, {
      retriable,
      cause,
    })
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

function forwardLog(logger: Logger | undefined, { level, log }: LogEntry): void {
  if (logger === undefined) return
  const { message, timestamp: _t, logger: _l, ...rest } = log
  logger[LEVELS[level] ?? 'info']({ kafkajs: rest }, message)
}

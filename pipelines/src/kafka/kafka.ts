/**
 * The only module in Freshet that imports kafkajs. Everything else sees the small interfaces below, so the client
 * (unmaintained since 2023) can be swapped without touching pipelines, sinks or tests.
 */

import { FreshetError } from '@freshet/feature-store'
import kafkajs, {
  type Admin,
  type Consumer,
  type IHeaders,
  type LogEntry,
  type Message,
  type Sender,
} from 'kafkajs'
import type { Logger } from 'pino'
import type { TopicSpec } from '../topics/catalog.js'

// kafkajs is CommonJS and Node's named-export detection misses some of its exports: take them off the default.
const { CompressionCodecs, CompressionTypes, Kafka, logLevel, Partitioners } = kafkajs
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

    async close() {
      await admin?.disconnect()
      admin = undefined
    },
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

/** Admin operations: the readiness probe, topic creation and deletion, and offset look-ups. */

import { FreshetError } from '@freshet/feature-store'
import type { Admin } from 'kafkajs'
import type { TopicSpec } from '../topics/catalog.js'
import { wrap } from './errors.js'
import { Kafka, logLevel } from './kafkajs-interop.js'
import type { ClusterInfo, CommittedOffset, KafkaOptions } from './ports.js'

export async function probeCluster(
  options: KafkaOptions,
  { timeoutMs = 5000 }: { timeoutMs?: number } = {},
): Promise<ClusterInfo> {
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
    throw new FreshetError('KAFKA_UNAVAILABLE', `no Kafka broker answered at ${options.brokers.join(',')}`, {
      retriable: true,
      cause,
    })
  } finally {
    await a.disconnect().catch(() => {})
  }
}

export async function ensureTopics(
  a: Admin,
  specs: readonly TopicSpec[],
): Promise<{ created: string[]; existing: string[] }> {
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
}

export async function deleteTopics(a: Admin, names: readonly string[]): Promise<void> {
  await wrap('delete topics', () => a.deleteTopics({ topics: [...names] }))
}

export async function endOffsets(a: Admin, topic: string): Promise<{ partition: number; offset: string }[]> {
  const offsets = await wrap('fetch offsets', () => a.fetchTopicOffsets(topic))
  return offsets
    .map((o) => ({ partition: o.partition, offset: o.high }))
    .sort((x, y) => x.partition - y.partition)
}

export async function committedOffsets(a: Admin, groupId: string, topic: string): Promise<CommittedOffset[]> {
  const [result] = await wrap('fetch committed offsets', () => a.fetchOffsets({ groupId, topics: [topic] }))
  return (result?.partitions ?? [])
    .filter((p) => p.offset !== '-1')
    .map((p) => ({ topic, partition: p.partition, offset: p.offset, metadata: p.metadata }))
    .sort((x, y) => x.partition - y.partition)
}

export async function offsetsForTimestamp(
  a: Admin,
  topic: string,
  timestamp: number,
): Promise<{ partition: number; offset: string }[]> {
  const offsets = await wrap('fetch offsets by timestamp', () =>
    a.fetchTopicOffsetsByTimestamp(topic, timestamp),
  )
  return offsets
    .map((o) => ({ partition: o.partition, offset: o.offset }))
    .sort((x, y) => x.partition - y.partition)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

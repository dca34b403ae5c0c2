import type { KafkaStatus } from './kafka/status.js'
import type { KafkaStopResult } from './kafka/stop.js'
import type { LocalServices } from './local-services.js'
import type { RedisStatus } from './redis/status.js'
import type { RedisStopResult } from './redis/stop.js'

/** Human lines for `up`: what runs where, how long it took, and where the data lives. */
export function formatUp(services: LocalServices, dataDir: string): string {
  const { kafka, redis, topics } = services
  const k = kafka.start
  const kafkaState = k === null ? 'reused (external)' : k.alreadyRunning ? 'already running' : 'started'
  const kafkaDetail =
    k === null || k.alreadyRunning
      ? ''
      : `(jars ${secs(k.timings.jarsMs)}${k.timings.jarsResolved ? ' via maven' : ' cached'}, ` +
        `format ${k.timings.formatMs > 0 ? secs(k.timings.formatMs) : 'skipped'}, ready ${secs(k.timings.readyMs)})`
  const r = redis.start
  const redisState = r === null ? 'reused (external)' : r.alreadyRunning ? 'already running' : 'started'
  const redisDetail =
    r === null || r.alreadyRunning ? '' : `(redis ${r.version}, ready ${secs(r.timings.readyMs)})`
  const lines = [
    row('kafka', kafkaState, kafka.brokers.join(','), secs(kafka.tookMs), pidOf(kafka.pid), kafkaDetail),
    row('redis', redisState, redis.url, secs(redis.tookMs), pidOf(redis.pid), redisDetail),
  ]
  if (topics !== null) {
    lines.push(
      topics.created.length > 0
        ? `topics created ${topics.created.join(', ')}${topics.existing.length > 0 ? `; ${topics.existing.length} already existed` : ''}`
        : `topics all ${topics.existing.length} already exist`,
    )
  }
  lines.push(`data   ${dataDir}`)
  return lines.join('\n')
}

export function formatDown(result: { kafka: KafkaStopResult; redis: RedisStopResult }): string {
  return (['kafka', 'redis'] as const)
    .map((name) => {
      const r = result[name]
      return r.wasRunning
        ? row(name, r.forced ? 'killed' : 'stopped', pidOf(r.pid), `in ${secs(r.tookMs)}`)
        : row(name, 'was not running')
    })
    .join('\n')
}

export function formatStatus(status: { kafka: KafkaStatus; redis: RedisStatus }): string {
  const { kafka, redis } = status
  return [
    row(
      'kafka',
      health(kafka),
      kafka.brokers.join(','),
      pidOf(kafka.pid),
      kafka.probe === null
        ? (kafka.probeError ?? '')
        : `cluster ${kafka.probe.clusterId}, ${kafka.probe.brokers} broker(s), controller ${kafka.probe.controller}`,
    ),
    row(
      'redis',
      health(redis),
      redis.url,
      pidOf(redis.pid),
      redis.probe === null
        ? (redis.probeError ?? '')
        : `redis ${redis.probe.version}, aof ${redis.probe.aof ? 'on' : 'off'}`,
    ),
  ].join('\n')
}

function health(s: { state: 'running' | 'stopped'; probe: unknown }): string {
  if (s.state === 'stopped') return 'stopped'
  return s.probe === null ? 'running (not answering)' : 'running'
}

function row(name: string, state: string, endpoint = '', ...rest: string[]): string {
  const columns = [
    name.padEnd(6),
    state.padEnd(17),
    endpoint.padEnd(24),
    ...rest.filter((part) => part !== ''),
  ]
  return columns.join(' ').trimEnd()
}

function pidOf(pid: number | null): string {
  return pid === null ? '' : `pid ${pid}`
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

import { managedStatus } from '../support/managed-service.js'
import { type RedisServiceOptions, redisUrl, resolveRedisOptions } from './options.js'
import type { RedisProbe } from './probe.js'
import { redisService } from './service.js'

export interface RedisStatus {
  state: 'running' | 'stopped'
  pid: number | null
  url: string
  /** PING answer when running and healthy; null otherwise. */
  probe: RedisProbe | null
  probeError: string | null
}

/**
 * Whether our Redis for this data dir runs, and whether it answers PING.
 *
 * @example
 * const { state } = await redisStatus({ dataDir: '/tmp/freshet' })
 */
export async function redisStatus(options: RedisServiceOptions = {}): Promise<RedisStatus> {
  const o = resolveRedisOptions(options)
  return { ...(await managedStatus(redisService(o))), url: redisUrl(o) }
}

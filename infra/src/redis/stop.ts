import { type StopOutcome, stopManaged } from '../support/managed-service.js'
import { type RedisServiceOptions, resolveRedisOptions } from './options.js'
import { redisService } from './service.js'

export type RedisStopResult = StopOutcome

/**
 * Stops our Redis for this data dir with SIGTERM (Redis fsyncs the AOF and exits), SIGKILL after
 * `stopTimeoutMs`. A no-op resolving `wasRunning: false` when nothing of ours runs. Data is kept.
 *
 * @example
 * await stopRedis({ dataDir: '/tmp/freshet' })
 */
export function stopRedis(options: RedisServiceOptions = {}): Promise<RedisStopResult> {
  return stopManaged(redisService(resolveRedisOptions(options)))
}

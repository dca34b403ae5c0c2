import { mkdir } from 'node:fs/promises'
import { startManaged } from '../support/managed-service.js'
import { ensureRedisInstalled } from './install.js'
import { type RedisServiceOptions, redisUrl, resolveRedisOptions } from './options.js'
import { redisService } from './service.js'

export interface RedisStartResult {
  /** e.g. `redis://127.0.0.1:16379`. */
  url: string
  pid: number
  /** True when our Redis from this data dir was already up (nothing was started). */
  alreadyRunning: boolean
  version: string
  logFile: string
  timings: {
    /** Checking for (and, the first time, installing) redis-server. */
    installMs: number
    /** Spawn to first PING. */
    readyMs: number
    totalMs: number
  }
}

/**
 * Starts Debian's `redis-server` (installed with apt-get if missing) with an append-only file under the
 * data dir, and resolves once it answers PING. Idempotent per data dir.
 *
 * @throws FreshetError `PORT_IN_USE`, `APT_MISSING`, `REDIS_INSTALL_FAILED`, `SERVICE_EXITED`,
 *   `SERVICE_NOT_READY`, `SERVICE_CONFLICT`
 * @example
 * const redis = await startRedis({ dataDir: '/tmp/freshet', port: 26379 })
 * const client = new Redis(redis.url)
 */
export async function startRedis(options: RedisServiceOptions = {}): Promise<RedisStartResult> {
  const startedAt = Date.now()
  const o = resolveRedisOptions(options)
  await mkdir(o.paths.home, { recursive: true })
  let installMs = 0

  const outcome = await startManaged(redisService(o), async () => {
    const installStartedAt = Date.now()
    await ensureRedisInstalled(o)
    installMs = Date.now() - installStartedAt
    return {
      command: o.redisServerCommand,
      args: [o.paths.config],
      missingCode: 'REDIS_INSTALL_FAILED',
    }
  })

  return {
    url: redisUrl(o),
    pid: outcome.pid,
    alreadyRunning: outcome.alreadyRunning,
    version: outcome.probe.version,
    logFile: o.paths.logFile,
    timings: { installMs, readyMs: outcome.readyMs, totalMs: Date.now() - startedAt },
  }
}

import type { ManagedService } from '../support/managed-service.js'
import { renderRedisConfig } from './config-file.js'
import type { ResolvedRedisOptions } from './options.js'
import { probeRedis, type RedisProbe } from './probe.js'

const PROBE_TIMEOUT_MS = 1_000

/** The facts the shared start/stop/status code needs about our Redis. */
export function redisService(o: ResolvedRedisOptions): ManagedService<RedisProbe> {
  return {
    service: 'redis',
    cwd: o.paths.home,
    pidFile: o.paths.pidFile,
    logFile: o.paths.logFile,
    config: { path: o.paths.config, content: renderRedisConfig(o) },
    markers: ['redis-server', o.paths.config],
    host: o.host,
    ports: { redis: o.port },
    probe: () => probeRedis(o.host, o.port, PROBE_TIMEOUT_MS),
    readyTimeoutMs: o.readyTimeoutMs,
    stopTimeoutMs: o.stopTimeoutMs,
    logger: o.logger,
  }
}

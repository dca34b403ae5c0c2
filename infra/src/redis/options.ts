import { join, resolve } from 'node:path'
import { DEFAULT_DATA_DIR } from '../support/default-paths.js'
import { type Logger, silentLogger } from '../support/logger.js'
import { withDefaults } from '../support/with-defaults.js'

/** Options of {@link startRedis}, {@link stopRedis} and {@link redisStatus}; every field has a default. */
export interface RedisServiceOptions {
  /** Root of local state; Redis keeps config, AOF, log and pid file in `<dataDir>/redis`. Default `<repo>/.freshet`. */
  dataDir?: string
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string
  /** Default 16379 (not 6379, so a system Redis is never touched). */
  port?: number
  /** How long `start` waits for PING to answer. Default 15 000 ms. */
  readyTimeoutMs?: number
  /** How long `stop` waits after SIGTERM (Redis flushes the AOF) before SIGKILL. Default 10 000 ms. */
  stopTimeoutMs?: number
  /** `redis-server` executable (name on PATH or absolute path). Default `redis-server`. */
  redisServerCommand?: string
  /** Install Debian's redis-server with apt-get when it is missing. Default true. */
  install?: boolean
  /** Default `apt-get`. */
  aptGetCommand?: string
  /** Progress logs. Default: silent. */
  logger?: Logger
}

/** The documented defaults, for callers (the CLI config) that want to show or reuse them. */
export const REDIS_DEFAULTS: Readonly<Required<Omit<RedisServiceOptions, 'logger'>>> = {
  dataDir: DEFAULT_DATA_DIR,
  host: '127.0.0.1',
  port: 16379,
  readyTimeoutMs: 15_000,
  stopTimeoutMs: 10_000,
  redisServerCommand: 'redis-server',
  install: true,
  aptGetCommand: 'apt-get',
}

export interface ResolvedRedisOptions extends Required<RedisServiceOptions> {
  paths: RedisPaths
}

export interface RedisPaths {
  /** `<dataDir>/redis`: Redis's working dir, so the AOF lands here. */
  home: string
  config: string
  logFile: string
  pidFile: string
}

export function resolveRedisOptions(options: RedisServiceOptions = {}): ResolvedRedisOptions {
  const o = withDefaults({ ...REDIS_DEFAULTS, logger: silentLogger }, options)
  // Absolute paths: redis-server runs with its own cwd, and the config path identifies our process.
  const home = resolve(o.dataDir, 'redis')
  return {
    ...o,
    paths: {
      home,
      config: join(home, 'redis.conf'),
      logFile: join(home, 'redis.log'),
      pidFile: join(home, 'redis.pid'),
    },
  }
}

/** `redis://host:port` as ioredis and other clients take it. */
export function redisUrl(o: ResolvedRedisOptions): string {
  return `redis://${o.host}:${o.port}`
}

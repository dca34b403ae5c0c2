import { resolve } from 'node:path'
import { FreshetError } from '@freshet/feature-store'
import { z } from 'zod'
import { KAFKA_DEFAULTS } from './kafka/options.js'
import { REDIS_DEFAULTS } from './redis/options.js'
import { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from './support/default-paths.js'

// An empty variable (`KAFKA_PORT=`) means "unset", not "0" or "".
const unset = (value: unknown) => (value === '' ? undefined : value)
const port = (fallback: number) =>
  z.preprocess(unset, z.coerce.number().int().min(1).max(65_535).default(fallback))
const dir = (fallback: string) =>
  z.preprocess(unset, z.string().default(fallback)).transform((p) => resolve(p))

const envSchema = z
  .object({
    FRESHET_DATA_DIR: dir(DEFAULT_DATA_DIR),
    FRESHET_CACHE_DIR: dir(DEFAULT_CACHE_DIR),
    KAFKA_VERSION: z.preprocess(
      unset,
      z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, 'expected a version like 4.1.1')
        .default(KAFKA_DEFAULTS.version),
    ),
    KAFKA_PORT: port(KAFKA_DEFAULTS.port),
    KAFKA_CONTROLLER_PORT: port(KAFKA_DEFAULTS.controllerPort),
    REDIS_PORT: port(REDIS_DEFAULTS.port),
    LOG_LEVEL: z.preprocess(
      unset,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
  })
  .refine((env) => new Set([env.KAFKA_PORT, env.KAFKA_CONTROLLER_PORT, env.REDIS_PORT]).size === 3, {
    message: 'KAFKA_PORT, KAFKA_CONTROLLER_PORT and REDIS_PORT must all differ',
  })

export interface InfraConfig {
  /** Local state of every service. Env `FRESHET_DATA_DIR`, default `<repo>/.freshet`. */
  dataDir: string
  /** Kafka jar cache. Env `FRESHET_CACHE_DIR`, default `~/.cache/freshet`. */
  cacheDir: string
  /** Env `KAFKA_VERSION` (default 4.1.1), `KAFKA_PORT` (19092), `KAFKA_CONTROLLER_PORT` (19093). */
  kafka: { version: string; port: number; controllerPort: number }
  /** Env `REDIS_PORT` (16379). */
  redis: { port: number }
  /** Env `LOG_LEVEL` (info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
}

/**
 * Parses the infra CLI's environment once, failing fast with every problem listed.
 * Only the CLI calls this; the library functions take options.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): InfraConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new FreshetError('CONFIG_INVALID', `invalid environment:\n${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    })
  }
  const e = parsed.data
  return {
    dataDir: e.FRESHET_DATA_DIR,
    cacheDir: e.FRESHET_CACHE_DIR,
    kafka: { version: e.KAFKA_VERSION, port: e.KAFKA_PORT, controllerPort: e.KAFKA_CONTROLLER_PORT },
    redis: { port: e.REDIS_PORT },
    logLevel: e.LOG_LEVEL,
  }
}

/**
 * The options `startLocalServices` takes for this configuration: ports, Kafka version, data and jar cache
 * directories. Every caller that starts local services (the CLI, the demo, the test fixture) goes through this,
 * so `KAFKA_PORT`, `REDIS_PORT` and `FRESHET_DATA_DIR` mean the same everywhere.
 *
 * @example
 * await startLocalServices({ ...localServicesOptions(loadConfig(process.env)), logger })
 */
export function localServicesOptions(config: InfraConfig) {
  return {
    dataDir: config.dataDir,
    cacheDir: config.cacheDir,
    kafka: {
      port: config.kafka.port,
      controllerPort: config.kafka.controllerPort,
      version: config.kafka.version,
    },
    redis: { port: config.redis.port },
  }
}

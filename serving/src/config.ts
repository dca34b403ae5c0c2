import { fileURLToPath } from 'node:url'
import { type ApiKey, parseApiKeys } from '@freshet/sinks'
import { z } from 'zod'

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .default('0')
  .transform((v) => v === '1' || v === 'true')

const schema = z.object({
  /** May carry a password: never logged as is. */
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:16379'),
  SERVING_HOST: z.string().min(1).default('127.0.0.1'),
  SERVING_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Directory with model-card.json and the ONNX file it names. */
  SERVING_MODEL_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../model', import.meta.url))),
  /** Reload when the model directory changes (besides `POST /v1/admin/model/reload` and SIGHUP). */
  SERVING_WATCH_MODEL: flag,
  /** `<key>:<scope>[+<scope>]`, comma-separated; scopes predict, admin. Never logged. */
  SERVING_API_KEYS: z.string().min(1, 'SERVING_API_KEYS is required, e.g. <key>:predict,<key>:predict+admin'),
  /** Requests per minute per API key. */
  SERVING_RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(120_000),
  SERVING_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024),
  ONLINE_KEY_PREFIX: z.string().default('fs:'),
  REGISTRY_KEY: z.string().min(1).default('freshet:registry'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
})

export interface ServingConfig {
  redisUrl: string
  host: string
  port: number
  modelDir: string
  watchModel: boolean
  apiKeys: ApiKey[]
  rateLimit: { windowMs: number; limit: number }
  maxBodyBytes: number
  keyPrefix: string
  registryKey: string
  logLevel: z.infer<typeof schema>['LOG_LEVEL']
}

/**
 * Parsed once at start; a bad value stops the process with a message naming the variable (never its value:
 * URLs and keys may be secrets).
 *
 * @example
 * const config = loadServingConfig(process.env)
 */
export function loadServingConfig(env: NodeJS.ProcessEnv): ServingConfig {
  const parsed = schema.safeParse(env)
  if (!parsed.success) throw new Error(`invalid serving configuration:\n${z.prettifyError(parsed.error)}`)
  const c = parsed.data
  let apiKeys: ApiKey[]
  try {
    apiKeys = parseApiKeys(c.SERVING_API_KEYS)
  } catch (err) {
    throw new Error(`invalid serving configuration: SERVING_API_KEYS: ${(err as Error).message}`)
  }
  if (apiKeys.length === 0) throw new Error('invalid serving configuration: SERVING_API_KEYS names no key')
  return {
    redisUrl: c.REDIS_URL,
    host: c.SERVING_HOST,
    port: c.SERVING_PORT,
    modelDir: c.SERVING_MODEL_DIR,
    watchModel: c.SERVING_WATCH_MODEL,
    apiKeys,
    rateLimit: { windowMs: 60_000, limit: c.SERVING_RATE_LIMIT_PER_MIN },
    maxBodyBytes: c.SERVING_MAX_BODY_BYTES,
    keyPrefix: c.ONLINE_KEY_PREFIX,
    registryKey: c.REGISTRY_KEY,
    logLevel: c.LOG_LEVEL,
  }
}

import { join } from 'node:path'
import { z } from 'zod'

/** A comma-separated key list (empty entries dropped). */
const keyList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  )
  .optional()

/** What the deployable does: run the sink (default), or rebuild the online store and exit. */
export const SINK_COMMANDS = ['run', 'replay-online'] as const
export type SinkCommand = (typeof SINK_COMMANDS)[number]

const schema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  /** May carry a password: never logged as is. */
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:16379'),
  /** A ClickHouse server; unset runs chDB embedded in this process on `<FRESHET_DATA_DIR>/chdb`. */
  CLICKHOUSE_URL: z.url().optional(),
  FRESHET_DATA_DIR: z.string().min(1).default('.freshet'),
  SINK_GROUP_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('freshet-sinks'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** The offline store's HTTP API (training sets); with embedded chDB it can only be served from here. */
  SINK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Comma-separated keys the offline API accepts (several allow rotation). Never logged. */
  FRESHET_API_KEYS: keyList,
  /**
   * Comma-separated admin keys of the backfill API (`/v1/backfills`), separate from the offline API's keys:
   * a backfill rewrites stores. Unset: the backfill API is not served (the CLI still works, through Redis).
   */
  FRESHET_ADMIN_KEYS: keyList,
  /** Backfill children this process replays at once; 0 runs no backfill worker here. */
  BACKFILL_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
  /** Redis key prefix of the backfill queues (the CLI's --prefix must match). */
  BACKFILL_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('freshet'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
})

export interface SinkConfig {
  command: SinkCommand
  kafkaBrokers: string[]
  redisUrl: string
  clickhouse: { url: string } | { dataDir: string }
  groupId: string
  metricsPort: number
  httpPort: number
  /** Empty for `replay-online`, which serves no API. */
  apiKeys: string[]
  /** Keys of the backfill admin API; empty: that API is not served. */
  adminKeys: string[]
  backfill: { concurrency: number; prefix: string }
  logLevel: z.infer<typeof schema>['LOG_LEVEL']
}

/**
 * Parsed once at start; a bad value stops the process with a message naming the variable (never its value:
 * URLs and keys may be secrets).
 *
 * @example
 * const config = loadSinkConfig(process.env, process.argv.slice(2))
 */
export function loadSinkConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): SinkConfig {
  const command = argv[0] ?? 'run'
  if (!(SINK_COMMANDS as readonly string[]).includes(command) || argv.length > 1) {
    throw new Error(`usage: npm run sink [-- ${SINK_COMMANDS.join(' | ')}], got: ${argv.join(' ')}`)
  }
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    // Issues name the variable and the rule; zod does not echo input values in them.
    throw new Error(`invalid sink configuration:\n${z.prettifyError(parsed.error)}`)
  }
  const c = parsed.data
  const apiKeys = c.FRESHET_API_KEYS ?? []
  if (command === 'run' && apiKeys.length === 0) {
    throw new Error(
      'invalid sink configuration: FRESHET_API_KEYS is required (comma-separated keys of the offline API)',
    )
  }
  return {
    command: command as SinkCommand,
    kafkaBrokers: c.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    redisUrl: c.REDIS_URL,
    clickhouse:
      c.CLICKHOUSE_URL === undefined
        ? { dataDir: join(c.FRESHET_DATA_DIR, 'chdb') }
        : { url: c.CLICKHOUSE_URL },
    groupId: c.SINK_GROUP_ID,
    metricsPort: c.METRICS_PORT,
    httpPort: c.SINK_HTTP_PORT,
    apiKeys,
    adminKeys: c.FRESHET_ADMIN_KEYS ?? [],
    backfill: { concurrency: c.BACKFILL_CONCURRENCY, prefix: c.BACKFILL_PREFIX },
    logLevel: c.LOG_LEVEL,
  }
}

import { FreshetError } from '@freshet/feature-store'
import { z } from 'zod'

const envSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'each broker must be host:port')).min(1)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

/** Environment of the simulator CLI. */
export type SimulatorConfig = z.output<typeof envSchema>

/**
 * Parses the simulator's environment once at start; the only place it reads `process.env`.
 *
 * @example
 * const config = loadConfig() // { KAFKA_BROKERS: ['127.0.0.1:19092'], LOG_LEVEL: 'info' }
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new FreshetError('CONFIG_INVALID', `invalid environment: ${z.prettifyError(parsed.error)}`)
  }
  return parsed.data
}

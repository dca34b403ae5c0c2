import { z } from 'zod'

const schema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  /** Consumer group and transactional-id prefix of this deployment. */
  FRESHET_APP_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('freshet-features'),
  /** Comma-separated view refs (car_motion:v1) or names; empty runs every registered view. */
  FRESHET_VIEWS: z.string().default(''),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
})

export type EngineConfig = z.infer<typeof schema>

/** Parsed once at start; a bad value stops the process with a message naming the variable. */
export function loadEngineConfig(env: NodeJS.ProcessEnv): EngineConfig {
  const parsed = schema.safeParse(env)
  if (!parsed.success)
    throw new Error(`invalid feature-engine configuration:\n${z.prettifyError(parsed.error)}`)
  return parsed.data
}
